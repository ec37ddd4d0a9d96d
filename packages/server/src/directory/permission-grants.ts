// Admin consent: an administrator grants a client delegated permissions on a resource for
// every user of the tenant (Graph oauth2PermissionGrant, consentType AllPrincipals), so no
// user is asked again for those permissions.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../store/schema.js';

export interface PermissionGrant { id: string; clientId: string; resourceId: string; scope: string; consentType: 'AllPrincipals' | 'Principal'; principalId: string | null }

export class PermissionGrants {
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  async grantForAll(clientAppId: string, resource: string, scopes: readonly string[]): Promise<void> {
    await this.db.insertInto('permission_grants').values({
      id: randomUUID(), client_app_id: clientAppId, resource, scope: scopes.join(' '), consent_type: 'AllPrincipals', principal_id: null, created_at: this.clock.now().toISOString(),
    }).execute();
  }

  /** True when admin consent covers every scope asked for every resource. */
  async coversAll(clientAppId: string, wanted: Record<string, readonly string[]>): Promise<boolean> {
    const rows = await this.db.selectFrom('permission_grants').select(['resource', 'scope'])
      .where('client_app_id', '=', clientAppId).where('consent_type', '=', 'AllPrincipals').execute();
    return Object.entries(wanted).every(([resource, scopes]) => {
      const granted = new Set(rows.filter((r) => r.resource === resource).flatMap((r) => r.scope.split(' ')));
      return scopes.every((s) => granted.has(s));
    });
  }

  async list(): Promise<PermissionGrant[]> {
    const rows = await this.db.selectFrom('permission_grants').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, clientId: r.client_app_id, resourceId: r.resource, scope: r.scope, consentType: r.consent_type === 'Principal' ? 'Principal' : 'AllPrincipals', principalId: r.principal_id }));
  }
}
