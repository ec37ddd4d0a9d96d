// The slice of the tenant's directory that What If and lint need, resolved from storage
// (transitive groups, roles) and handed to the pure engine.
import type { DirectoryUser, DirectoryView } from '@monban/policy';
import type { Directory } from '../directory/directory.js';
import { directoryRoles } from '../directory/well-known.js';
import type { ConditionalAccessStore } from './store.js';

export async function directoryUser(directory: Directory, userId: string): Promise<DirectoryUser | undefined> {
  const user = await directory.getUser(userId);
  if (!user) return undefined;
  const [groupIds, roleTemplateIds] = await Promise.all([directory.transitiveGroupIds(user.id), directory.roleTemplateIdsOf(user.id)]);
  return { id: user.id, displayName: user.display_name, userType: user.user_type === 'Guest' ? 'guest' : 'member', groupIds, roleTemplateIds, registeredMethods: user.password_hash ? ['password'] : [] };
}

/** Everything: for lint, which reasons about who is in scope of a policy. */
export async function fullDirectoryView(directory: Directory, ca: ConditionalAccessStore): Promise<DirectoryView> {
  const users = await Promise.all((await directory.listUsers()).map((u) => directoryUser(directory, u.id)));
  const [groups, apps, sps, snapshot] = await Promise.all([directory.listGroups(), directory.listApplications(), directory.listServicePrincipals(), ca.snapshot()]);
  return {
    users: users.filter((u): u is DirectoryUser => u !== undefined),
    groups: groups.map((g) => ({ id: g.id, displayName: g.display_name })),
    roles: directoryRoles.map((r) => ({ id: r.id, displayName: r.displayName })),
    applications: apps.map((a) => ({ appId: a.app_id, displayName: a.display_name })),
    servicePrincipals: sps.map((s) => ({ id: s.id, appId: s.app_id, displayName: s.display_name })),
    namedLocations: snapshot.namedLocations,
    authenticationStrengths: snapshot.strengths,
  };
}
