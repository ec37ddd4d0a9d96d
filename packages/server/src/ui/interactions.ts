// The interactive sign-in: username and password, "stay signed in?", consent. Every
// password attempt is one sign-in attempt through the pipeline, logged once.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory/directory.js';
import { newAttempt, resourceFromScopes } from '../oidc/provider.js';
import { runInAttempt, type SignInAttempt } from '../signin/attempt.js';
import { SignInRefused } from '../signin/decision.js';
import { SmartLockout } from '../signin/lockout.js';
import type { SignInPipeline } from '../signin/pipeline.js';
import type { SignInRecorder } from '../signin/record.js';
import { globalAdministratorRoleId } from '../directory/well-known.js';
import type { PermissionGrants } from '../directory/permission-grants.js';
import { consentPage, errorPage, signInPage, staySignedInPage, type PageError } from './pages.js';

export interface InteractionDeps {
  provider: Provider;
  permissionGrants: PermissionGrants;
  directory: Directory;
  pipeline: SignInPipeline;
  recorder: SignInRecorder;
  lockout: SmartLockout;
  clock: Clock;
  tenantId: string;
}

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

function form(ctx: Context): Record<string, string> {
  const body = (ctx.request as { body?: unknown }).body;
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function mountInteractions(router: Router, deps: InteractionDeps): void {
  const { provider, directory, tenantId } = deps;
  const base = (uid: string): string => `/${tenantId}/login/${uid}`;

  const appName = async (clientId: unknown): Promise<string> => (typeof clientId === 'string' ? (await directory.getApplicationByAppId(clientId))?.display_name : undefined) ?? 'the application';

  router.get('/:tenant/login/:uid', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    if (details.prompt.name === 'login' || details.prompt.name === 'select_account') {
      ctx.body = signInPage(base(details.uid), await appName(details.params.client_id), typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined);
      return;
    }
    // Consent: OIDC scopes alone are granted silently, resource permissions are asked for.
    const missingOidc = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const missingResource = (details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
    const resourceScopes = Object.values(missingResource).flat();
    // Nothing to ask when only sign-in scopes are missing, or an administrator already
    // consented for everyone (unless the client insists with prompt=consent).
    const forced = details.prompt.reasons.includes('consent_prompt');
    if (resourceScopes.length === 0 || (!forced && await deps.permissionGrants.coversAll(String(details.params.client_id), missingResource))) {
      await grantAndFinish(ctx, missingOidc, missingResource);
      return;
    }
    const session = details.session;
    const isAdmin = session ? (await directory.roleTemplateIdsOf(session.accountId)).includes(globalAdministratorRoleId) : false;
    ctx.body = consentPage(`${base(details.uid)}/consent`, await appName(details.params.client_id), [...missingOidc.filter((s) => !oidcScopes.has(s)), ...resourceScopes], isAdmin);
  });

  async function grantAndFinish(ctx: Context, missingOidc: string[], missingResource: Record<string, string[]>): Promise<void> {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id);
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) throw new Error('grant vanished during consent');
    if (missingOidc.length > 0) grant.addOIDCScope(missingOidc.join(' '));
    for (const [indicator, scopes] of Object.entries(missingResource)) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  router.post('/:tenant/login/:uid/consent', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (form(ctx).decision !== 'accept') {
      await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'AADSTS65004: The user declined to consent to access the app.' }, { mergeWithLastSubmission: false });
      return;
    }
    const missingResource = (details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
    if (form(ctx).forOrganization === 'yes') {
      // Only a Global Administrator may consent for the whole organization.
      const accountId = details.session?.accountId;
      const isAdmin = accountId ? (await directory.roleTemplateIdsOf(accountId)).includes(globalAdministratorRoleId) : false;
      if (!isAdmin) {
        ctx.type = 'html';
        ctx.status = 403;
        ctx.body = errorPage({ code: 90094, sentence: 'Consent on behalf of the organization needs an administrator.' });
        return;
      }
      for (const [resource, scopes] of Object.entries(missingResource)) await deps.permissionGrants.grantForAll(String(details.params.client_id), resource, scopes);
    }
    await grantAndFinish(ctx, (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [], missingResource);
  });

  router.post('/:tenant/login/:uid', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { username = '', password = '' } = form(ctx);
    const clientId = String(details.params.client_id ?? '');
    const attempt: SignInAttempt = newAttempt(deps.clock, ctx.req, ctx.ip || null, 'interactive');
    attempt.isInteractive = true;
    attempt.clientAppId = clientId;
    attempt.authenticationMethods = ['pwd'];
    try {
      attempt.resource = resourceFromScopes(typeof details.params.scope === 'string' ? details.params.scope : undefined);
    } catch {
      attempt.resource = undefined;
    }
    const render = async (error: PageError): Promise<void> => {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = signInPage(base(details.uid), await appName(clientId), username, error);
    };
    await runInAttempt(attempt, async () => {
      const user = await directory.findUserByUpn(username.trim());
      if (!user) {
        await deps.recorder.write(attempt, { errorCode: 50034, failureReason: 'The user account does not exist in the directory.', reason: 'user_not_found' });
        await render({ code: 50034, sentence: 'We couldn\'t find an account with that username.' });
        return;
      }
      attempt.userId = user.id;
      const subject = SmartLockout.subject(user.id, attempt.ipAddress);
      // While locked, the password is not even checked: the right one is refused too.
      if (!(await deps.lockout.lockedUntil(subject)) && !(await directory.checkPassword(user, password))) {
        await deps.lockout.recordFailure(subject);
        await deps.recorder.write(attempt, { errorCode: 50126, failureReason: 'Error validating credentials due to invalid username or password.', reason: 'invalid_password' });
        await render({ code: 50126, sentence: 'Your account or password is incorrect.' });
        return;
      }
      let decision;
      try {
        decision = await deps.pipeline.run({ flow: 'interactive', clientAppId: clientId, userId: user.id, amr: ['pwd'], authTime: Math.floor(deps.clock.now().getTime() / 1000), resource: attempt.resource });
      } catch (e) {
        if (!(e instanceof SignInRefused)) throw e;
        await deps.recorder.write(attempt, { errorCode: e.decision.errorCode, failureReason: e.decision.sentence, reason: e.decision.reason });
        if (e.decision.appliedConditionalAccessPolicies.length > 0) {
          // Conditional access said no, or asked for more than this account can prove here.
          ctx.type = 'html';
          ctx.body = errorPage({ code: e.decision.errorCode, sentence: e.decision.sentence });
          return;
        }
        await render({ code: e.decision.errorCode, sentence: e.decision.sentence });
        return;
      }
      await deps.lockout.recordSuccess(subject);
      await deps.recorder.write(attempt, { errorCode: 0, failureReason: null });
      const login = { accountId: user.id, amr: ['pwd'], ts: Math.floor(deps.clock.now().getTime() / 1000) };
      // A persistent-browser session control answers "stay signed in?" for the user.
      if (decision.persistentBrowser) {
        const selected = details.prompt.name === 'select_account' ? { select_account: {} } : {};
        await provider.interactionFinished(ctx.req, ctx.res, { login: { ...login, remember: decision.persistentBrowser === 'always' }, ...selected }, { mergeWithLastSubmission: false });
        return;
      }
      await provider.interactionResult(ctx.req, ctx.res, { login });
      ctx.type = 'html';
      ctx.body = staySignedInPage(`${base(details.uid)}/kmsi`);
    });
  });

  router.post('/:tenant/login/:uid/kmsi', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const login = details.result?.login as { accountId: string; amr: string[]; ts: number } | undefined;
    if (!login) {
      ctx.type = 'html';
      ctx.status = 400;
      ctx.body = errorPage({ code: 900144, sentence: 'This sign-in step was reached without a password step; start the sign-in again.' });
      return;
    }
    const selected = details.prompt.name === 'select_account' ? { select_account: {} } : {};
    await provider.interactionFinished(ctx.req, ctx.res, { login: { ...login, remember: form(ctx).remember === 'yes' }, ...selected }, { mergeWithLastSubmission: false });
  });
}
