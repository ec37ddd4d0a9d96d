// Directory role assignments (Graph roleManagement/directory/roleAssignments): which
// principal holds which built-in role, tenant-wide.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { MonbanError } from '../errors/catalogue.js';
import type { Database } from '../store/schema.js';
import { directoryRoles } from './well-known.js';

export interface RoleAssignment { id: string; roleDefinitionId: string; principalId: string; directoryScopeId: '/'; createdDateTime: string }

export class RoleAssignments {
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock, private readonly changed: () => void = () => undefined) {}

  async list(): Promise<RoleAssignment[]> {
    const rows = await this.db.selectFrom('role_assignments').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, roleDefinitionId: r.role_template_id, principalId: r.principal_id, directoryScopeId: '/', createdDateTime: r.created_at }));
  }

  async create(roleDefinitionId: string, principalId: string): Promise<RoleAssignment> {
    if (!directoryRoles.some((r) => r.id === roleDefinitionId)) throw new MonbanError('validation_failed', `roleDefinitionId: "${roleDefinitionId}" is not a built-in role template Monban knows.`);
    const principal = await this.db.selectFrom('users').select('id').where('id', '=', principalId)
      .union(this.db.selectFrom('groups').select('id').where('id', '=', principalId))
      .union(this.db.selectFrom('service_principals').select('id').where('id', '=', principalId))
      .executeTakeFirst();
    if (!principal) throw new MonbanError('not_found', `principalId: no user, group or service principal has the id "${principalId}".`);
    const existing = await this.db.selectFrom('role_assignments').select('id').where('role_template_id', '=', roleDefinitionId).where('principal_id', '=', principalId).executeTakeFirst();
    if (existing) throw new MonbanError('conflict', 'The principal already holds this role.');
    const row = { id: randomUUID(), role_template_id: roleDefinitionId, principal_id: principalId, created_at: this.clock.now().toISOString() };
    await this.db.insertInto('role_assignments').values(row).execute();
    this.changed();
    return { id: row.id, roleDefinitionId, principalId, directoryScopeId: '/', createdDateTime: row.created_at };
  }

  async remove(id: string): Promise<void> {
    const res = await this.db.deleteFrom('role_assignments').where('id', '=', id).executeTakeFirst();
    this.changed();
    if (Number(res.numDeletedRows) === 0) throw new MonbanError('not_found', `No role assignment has the id "${id}".`);
  }
}
