// Step 3: the sign-in context: who (user with transitive groups and roles, or the workload
// identity), which client and resource, from where (IP, platform), what is proven, when.
import type { SignInContext } from '@monban/policy';
import type { Directory, UserRow } from '../../directory/directory.js';
import { SmartLockout } from '../lockout.js';
import type { IdentifiedApplication } from './identify-application.js';
import type { Proof } from './establish-proof.js';

export interface UserContext {
  user: UserRow | undefined;
  groupIds: readonly string[];
  roleTemplateIds: readonly string[];
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

/** The platform a user agent names; undefined (unknown) when it names none. */
export function platformFromUserAgent(ua: string | null): SignInContext['devicePlatform'] {
  if (!ua) return undefined;
  if (/Windows Phone/i.test(ua)) return 'windowsPhone';
  if (/Windows/i.test(ua)) return 'windows';
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPad|iPod/i.test(ua)) return 'iOS';
  if (/Mac OS X|Macintosh/i.test(ua)) return 'macOS';
  if (/Linux|X11/i.test(ua)) return 'linux';
  return undefined;
}

// amr values (entra-reference.md §1.3) to authentication method modes (allowedCombinations).
const amrToModes: Record<string, string> = { pwd: 'password', rsa: 'windowsHelloForBusiness', fido: 'fido2', otp: 'softwareOath', sms: 'sms' };

export function buildSignInContext(input: {
  app: IdentifiedApplication;
  user: UserContext;
  proof: Proof;
  appOnly: boolean;
  interactive: boolean;
  ipAddress: string | null;
  userAgent: string | null;
  now: Date;
}): SignInContext {
  const { app, user, proof } = input;
  const methods = proof.amr.map((a) => amrToModes[a]).filter((m): m is string => typeof m === 'string');
  const mfa = proof.amr.includes('mfa');
  return {
    ...(input.appOnly
      ? { servicePrincipal: { id: app.clientServicePrincipal?.id ?? app.clientAppId, appId: app.clientAppId } }
      : { user: { id: user.user?.id ?? '', groupIds: user.groupIds, roleTemplateIds: user.roleTemplateIds, userType: user.user?.user_type === 'Guest' ? 'guest' : 'member' } }),
    ...(app.resource ? { application: { appId: app.resource.app_id } } : { application: { appId: app.clientAppId } }),
    clientAppId: app.clientAppId,
    clientAppType: input.interactive || app.client?.public_client === 0 ? 'browser' : 'mobileAppsAndDesktopClients',
    ...(input.interactive || !input.appOnly ? { devicePlatform: platformFromUserAgent(input.userAgent) } : {}),
    ...(input.ipAddress ? { ipAddress: input.ipAddress } : {}),
    authenticationFlow: { transferMethod: 'none' },
    proven: {
      methods,
      mfa,
      ...(proof.authTime !== undefined ? { authTime: proof.authTime } : {}),
      ...(mfa ? { mfaSource: proof.incomingTokenType === 'none' ? 'thisSignIn' : 'token' } : {}),
    },
    now: Math.floor(input.now.getTime() / 1000),
  };
}
