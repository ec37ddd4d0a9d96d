// Step 3: the facts about the user that the decision needs.
import type { Directory, UserRow } from '../../directory/directory.js';
import { SmartLockout } from '../lockout.js';

export interface UserContext {
  user: UserRow | undefined;
  groupIds: string[];
  roleTemplateIds: string[];
  lockedUntil: number | undefined;
}

export async function buildUserContext(directory: Directory, lockout: SmartLockout, userId: string | undefined, ipAddress: string | null): Promise<UserContext> {
  if (!userId) return { user: undefined, groupIds: [], roleTemplateIds: [], lockedUntil: undefined };
  const user = await directory.getUser(userId);
  if (!user) return { user: undefined, groupIds: [], roleTemplateIds: [], lockedUntil: undefined };
  const [groupIds, roleTemplateIds, lockedUntil] = await Promise.all([
    directory.transitiveGroupIds(user.id),
    directory.roleTemplateIdsOf(user.id),
    lockout.lockedUntil(SmartLockout.subject(user.id, ipAddress)),
  ]);
  return { user, groupIds, roleTemplateIds, lockedUntil };
}
