// Conditional access in the Graph admin API: policies, authentication strengths and their
// method modes, named locations, and What If (POST .../evaluate). Create and update answer
// with the lint findings of the policy set they produce.
import type Router from '@koa/router';
import { lintPolicies, whatIf, type DirectoryView } from '@monban/policy';
import { directoryUser, fullDirectoryView } from '../conditional-access/directory-view.js';
import { AUTHENTICATION_METHOD_MODES, type ConditionalAccessStore } from '../conditional-access/store.js';
import type { Directory } from '../directory/directory.js';
import { MonbanError } from '../errors/catalogue.js';
import type { AdminHelpers } from './api.js';


export function conditionalAccessRoutes(ca: ConditionalAccessStore, directory: Directory) {
  return (router: Router, h: AdminHelpers): void => {
    const read = h.need('Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess');
    const write = h.need('Policy.ReadWrite.ConditionalAccess');
    const root = '/identity/conditionalAccess';

    const lintFor = async (policyId: string): Promise<unknown[]> => {
      const findings = lintPolicies(await ca.listPolicies(), await fullDirectoryView(directory, ca));
      return findings.filter((f) => f.policyId === policyId);
    };

    router.get(`${root}/policies`, read, async (ctx) => h.page(ctx, 'identity/conditionalAccess/policies', (await ca.listPolicies()) as unknown as Record<string, unknown>[]));
    router.get(`${root}/policies/:id`, read, async (ctx) => { ctx.body = { '@odata.context': `${h.base}/$metadata#identity/conditionalAccess/policies/$entity`, ...(await ca.getPolicy(ctx.params.id ?? '')) }; });
    router.post(`${root}/policies`, write, async (ctx) => {
      const policy = await ca.createPolicy(h.body(ctx));
      ctx.status = 201;
      ctx.body = { '@odata.context': `${h.base}/$metadata#identity/conditionalAccess/policies/$entity`, ...policy, '@monban.lint': await lintFor(policy.id ?? '') };
    });
    router.patch(`${root}/policies/:id`, write, async (ctx) => {
      const policy = await ca.updatePolicy(ctx.params.id ?? '', h.body(ctx));
      const findings = await lintFor(policy.id ?? '');
      // Graph answers 204; lint findings travel in a header so scripts see them too.
      if (findings.length > 0) ctx.set('x-monban-lint', JSON.stringify(findings).slice(0, 8000));
      ctx.status = 204;
    });
    router.delete(`${root}/policies/:id`, write, async (ctx) => { await ca.deletePolicy(ctx.params.id ?? ''); ctx.status = 204; });

    router.get(`${root}/authenticationStrength/policies`, read, async (ctx) => h.page(ctx, 'identity/conditionalAccess/authenticationStrength/policies', (await ca.listStrengths()) as unknown as Record<string, unknown>[]));
    router.get(`${root}/authenticationStrength/policies/:id`, read, async (ctx) => {
      const found = (await ca.listStrengths()).find((s) => s.id === ctx.params.id);
      if (!found) throw new MonbanError('not_found', `No authentication strength has the id "${ctx.params.id ?? ''}".`);
      ctx.body = found;
    });
    router.post(`${root}/authenticationStrength/policies`, write, async (ctx) => { ctx.status = 201; ctx.body = await ca.createStrength(h.body(ctx)); });
    router.patch(`${root}/authenticationStrength/policies/:id`, write, async (ctx) => {
      const body = h.body(ctx);
      if (body && typeof body === 'object' && 'allowedCombinations' in body) throw new MonbanError('validation_failed', 'allowedCombinations: change it with POST .../updateAllowedCombinations, as in Graph.');
      await ca.updateStrength(ctx.params.id ?? '', body);
      ctx.status = 204;
    });
    router.post(`${root}/authenticationStrength/policies/:id/updateAllowedCombinations`, write, async (ctx) => {
      const body = h.body(ctx) as { allowedCombinations?: unknown } | undefined;
      const updated = await ca.updateStrength(ctx.params.id ?? '', { allowedCombinations: body?.allowedCombinations });
      ctx.body = { '@odata.context': `${h.base}/$metadata#microsoft.graph.updateAllowedCombinationsResult`, currentCombinations: updated.allowedCombinations };
    });
    router.delete(`${root}/authenticationStrength/policies/:id`, write, async (ctx) => { await ca.deleteStrength(ctx.params.id ?? ''); ctx.status = 204; });
    router.get(`${root}/authenticationStrength/authenticationMethodModes`, read, async (ctx) => h.page(ctx, 'identity/conditionalAccess/authenticationStrength/authenticationMethodModes', AUTHENTICATION_METHOD_MODES.map((id) => ({ id, displayName: id }))));

    router.get(`${root}/namedLocations`, read, async (ctx) => h.page(ctx, 'identity/conditionalAccess/namedLocations', (await ca.listNamedLocations()) as unknown as Record<string, unknown>[]));
    router.post(`${root}/namedLocations`, write, async (ctx) => { ctx.status = 201; ctx.body = await ca.createNamedLocation(h.body(ctx)); });
    router.get(`${root}/namedLocations/:id`, read, async (ctx) => { ctx.body = await ca.getNamedLocation(ctx.params.id ?? ''); });
    router.patch(`${root}/namedLocations/:id`, write, async (ctx) => { await ca.updateNamedLocation(ctx.params.id ?? '', h.body(ctx)); ctx.status = 204; });
    router.delete(`${root}/namedLocations/:id`, write, async (ctx) => { await ca.deleteNamedLocation(ctx.params.id ?? ''); ctx.status = 204; });

    router.post(`${root}/evaluate`, read, async (ctx) => {
      const body = h.body(ctx);
      const snapshot = await ca.snapshot();
      const identity = (body as { signInIdentity?: { userId?: unknown; servicePrincipalId?: unknown } } | undefined)?.signInIdentity;
      const view: DirectoryView = { namedLocations: snapshot.namedLocations, authenticationStrengths: snapshot.strengths };
      if (typeof identity?.userId === 'string') {
        const user = await directoryUser(directory, identity.userId);
        Object.assign(view, { users: user ? [user] : [] });
      }
      if (typeof identity?.servicePrincipalId === 'string') {
        const sp = await directory.getServicePrincipal(identity.servicePrincipalId);
        Object.assign(view, { servicePrincipals: sp ? [{ id: sp.id, appId: sp.app_id, displayName: sp.display_name }] : [] });
      }
      const answer = whatIf(body, snapshot.compiled, view);
      if (!answer.ok) {
        throw new MonbanError('validation_failed', answer.errors.map((e) => `${e.path || 'body'}: ${e.message}`).join('; '), answer.errors.map((e) => ({ target: e.path || 'body', message: `${e.code}: ${e.message}` })));
      }
      ctx.body = { ...answer.value, '@odata.context': `${h.base}/$metadata#Collection(microsoft.graph.conditionalAccessWhatIfPolicy)` };
    });
  };
}
