// Directory roles in the Graph admin API: the built-in role definitions, the activated
// directoryRoles with their members, and roleManagement/directory/roleAssignments.
import type Router from '@koa/router';
import { z } from 'zod';
import type { PermissionGrants } from '../directory/permission-grants.js';
import type { RoleAssignments } from '../directory/role-assignments.js';
import { directoryRoles } from '../directory/well-known.js';
import { MonbanError } from '../errors/catalogue.js';
import type { AdminHelpers } from './api.js';

const assignmentSchema = z.object({
  roleDefinitionId: z.string().min(1),
  principalId: z.string().min(1),
  directoryScopeId: z.literal('/').optional(),
}).passthrough();

export function directoryRoleRoutes(assignments: RoleAssignments, permissionGrants: PermissionGrants) {
  return (router: Router, h: AdminHelpers): void => {
    const read = h.need('Directory.Read.All', 'User.Read.All');
    const write = h.need('User.ReadWrite.All');

    router.get('/roleManagement/directory/roleDefinitions', read, async (ctx) => h.page(ctx, 'roleManagement/directory/roleDefinitions',
      directoryRoles.map((r) => ({ id: r.id, templateId: r.id, displayName: r.displayName, isBuiltIn: true, isEnabled: true }))));
    router.get('/roleManagement/directory/roleAssignments', read, async (ctx) => h.page(ctx, 'roleManagement/directory/roleAssignments', (await assignments.list()) as unknown as Record<string, unknown>[]));
    router.post('/roleManagement/directory/roleAssignments', write, async (ctx) => {
      const parsed = assignmentSchema.safeParse(h.body(ctx));
      if (!parsed.success) throw new MonbanError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
      ctx.status = 201;
      ctx.body = { '@odata.context': `${h.base}/$metadata#roleManagement/directory/roleAssignments/$entity`, ...(await assignments.create(parsed.data.roleDefinitionId, parsed.data.principalId)) };
    });
    router.delete('/roleManagement/directory/roleAssignments/:id', write, async (ctx) => { await assignments.remove(ctx.params.id ?? ''); ctx.status = 204; });

    router.get('/oauth2PermissionGrants', read, async (ctx) => h.page(ctx, 'oauth2PermissionGrants', (await permissionGrants.list()) as unknown as Record<string, unknown>[]));

    // Activated roles: Monban uses the template id as the directoryRole id.
    router.get('/directoryRoles', read, async (ctx) => {
      const held = new Set((await assignments.list()).map((a) => a.roleDefinitionId));
      h.page(ctx, 'directoryRoles', directoryRoles.filter((r) => held.has(r.id)).map((r) => ({ id: r.id, roleTemplateId: r.id, displayName: r.displayName })));
    });
    router.get('/directoryRoles/:id/members', read, async (ctx) => {
      const members = (await assignments.list()).filter((a) => a.roleDefinitionId === ctx.params.id);
      h.page(ctx, 'directoryObjects', members.map((a) => ({ id: a.principalId })));
    });
  };
}
