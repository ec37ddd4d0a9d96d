// The account-state part of the access decision: what blocks a sign-in before any
// conditional access policy is looked at (entra-reference.md §5 codes). Pure: the caller
// passes the facts, including the time, and gets a verdict with a code and a sentence.

export interface AccountFacts {
  /** Absent for app-only (client credentials) sign-ins. */
  user?: { accountEnabled: boolean; lockedUntil?: number | undefined; passwordChangedAt?: number | undefined } | undefined;
  client: { accountEnabled: boolean; exists: boolean };
  resource?: { exists: boolean; accountEnabled: boolean } | undefined;
  /** When the credential presented (refresh token, session) proved the password, epoch seconds. */
  credentialIssuedAt?: number | undefined;
  now: number;
}

export interface AccountVerdict {
  allowed: boolean;
  /** AADSTS number, 0 when allowed. */
  errorCode: number;
  reason: 'ok' | 'user_disabled' | 'account_locked' | 'application_disabled' | 'application_not_found' | 'resource_not_found' | 'resource_disabled' | 'password_changed';
  sentence: string;
}

const allow: AccountVerdict = { allowed: true, errorCode: 0, reason: 'ok', sentence: 'The account, the application and the resource are in good standing.' };

export function decideAccount(facts: AccountFacts): AccountVerdict {
  if (!facts.client.exists) return { allowed: false, errorCode: 700016, reason: 'application_not_found', sentence: 'The application was not found in the directory.' };
  if (!facts.client.accountEnabled) return { allowed: false, errorCode: 7000112, reason: 'application_disabled', sentence: 'The application is disabled.' };
  if (facts.resource && !facts.resource.exists) return { allowed: false, errorCode: 500011, reason: 'resource_not_found', sentence: 'The resource principal was not found in the tenant.' };
  if (facts.resource && !facts.resource.accountEnabled) return { allowed: false, errorCode: 7000112, reason: 'resource_disabled', sentence: 'The resource application is disabled.' };
  const user = facts.user;
  if (user) {
    if (!user.accountEnabled) return { allowed: false, errorCode: 50057, reason: 'user_disabled', sentence: 'The user account is disabled.' };
    if (user.lockedUntil !== undefined && user.lockedUntil > facts.now) return { allowed: false, errorCode: 50053, reason: 'account_locked', sentence: 'The account is locked because of too many failed sign-in attempts; try again later.' };
    if (facts.credentialIssuedAt !== undefined && user.passwordChangedAt !== undefined && user.passwordChangedAt > facts.credentialIssuedAt) {
      return { allowed: false, errorCode: 50133, reason: 'password_changed', sentence: 'The session is no longer valid because the password was changed; sign in again.' };
    }
  }
  return allow;
}
