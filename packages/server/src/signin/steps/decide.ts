// Step 4: the decision itself comes from @monban/policy; this step only gathers its input.
import { decideAccount } from '@monban/policy';
import type { Decision } from '../decision.js';
import type { IdentifiedApplication } from './identify-application.js';
import type { Proof } from './establish-proof.js';
import type { UserContext } from './build-context.js';

export function decide(app: IdentifiedApplication, ctx: UserContext, proof: Proof, now: Date, expectsUser: boolean): Decision {
  const nowSec = Math.floor(now.getTime() / 1000);
  const passwordChangedAt = ctx.user?.password_last_changed ? Math.floor(Date.parse(ctx.user.password_last_changed) / 1000) : undefined;
  const verdict = expectsUser && !ctx.user
    ? { allowed: false, errorCode: 50034, reason: 'user_not_found', sentence: 'The user account does not exist in the directory.' }
    : decideAccount({
      client: { exists: app.client !== undefined, accountEnabled: app.clientServicePrincipal?.account_enabled === 1 },
      resource: app.resourceIdentifier === undefined ? undefined : { exists: app.resource !== undefined, accountEnabled: app.resourceServicePrincipal?.account_enabled !== 0 },
      user: ctx.user && {
        accountEnabled: ctx.user.account_enabled === 1,
        lockedUntil: ctx.lockedUntil === undefined ? undefined : Math.floor(ctx.lockedUntil / 1000),
        passwordChangedAt,
      },
      credentialIssuedAt: proof.incomingTokenType === 'none' ? undefined : proof.authTime,
      now: nowSec,
    });
  const mfa = proof.amr.includes('mfa');
  return {
    allowed: verdict.allowed,
    errorCode: verdict.errorCode,
    reason: verdict.reason,
    sentence: verdict.sentence,
    appliedConditionalAccessPolicies: [],
    conditionalAccessStatus: 'notApplied',
    authenticationRequirement: mfa ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    additionalDetails: verdict.allowed ? 'No conditional access policy applied; the account and application are in good standing.' : verdict.sentence,
  };
}
