// Step 4: the decision itself comes from @monban/policy: first the account state, then
// conditional access on the context. This step only gathers input and maps the answer.
import { decideAccount, evaluate, MFA_SATISFIED_BY_DETAIL, type PolicyEvaluation, type SignInContext } from '@monban/policy';
import type { PolicySnapshot } from '../../conditional-access/store.js';
import type { AppliedConditionalAccessPolicy } from '../../logs/sign-in-record.js';
import type { Decision } from '../decision.js';
import type { IdentifiedApplication } from './identify-application.js';
import type { Proof } from './establish-proof.js';
import type { UserContext } from './build-context.js';

// The engine shares (frozen) results of policies that do not apply between sign-ins; their log
// entries are made once too, so a token request does not rebuild one per policy in the tenant.
const logEntries = new WeakMap<PolicyEvaluation, AppliedConditionalAccessPolicy>();

function logEntry(p: PolicyEvaluation): AppliedConditionalAccessPolicy {
  const known = logEntries.get(p);
  if (known !== undefined) return known;
  const entry: AppliedConditionalAccessPolicy = {
    id: p.id,
    displayName: p.displayName,
    enforcedGrantControls: [...p.enforcedGrantControls],
    enforcedSessionControls: [...p.enforcedSessionControls],
    result: p.result,
    analysisReasons: p.analysisReasons.join(','),
  };
  if (Object.isFrozen(p)) logEntries.set(p, Object.freeze(entry));
  return entry;
}

export function decide(app: IdentifiedApplication, ctx: UserContext, proof: Proof, now: Date, expectsUser: boolean, signIn: SignInContext, policies: PolicySnapshot): Decision {
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
  const mfaProven = proof.amr.includes('mfa');
  if (!verdict.allowed) {
    return {
      allowed: false, interrupt: false, errorCode: verdict.errorCode, reason: verdict.reason, sentence: verdict.sentence,
      appliedConditionalAccessPolicies: [], conditionalAccessStatus: 'notApplied',
      authenticationRequirement: mfaProven ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
      additionalDetails: verdict.sentence, failedPolicyIds: [], mfaSatisfiedByDetail: undefined,
    };
  }

  const policy = evaluate({ policies: policies.compiled, context: signIn, directory: { namedLocations: policies.namedLocations, authenticationStrengths: policies.strengths } });
  const applied: AppliedConditionalAccessPolicy[] = policy.policies.map(logEntry);
  const allowed = policy.outcome === 'grant';
  const failedPolicyIds = policy.policies.filter((p) => p.result === 'failure').map((p) => p.id);
  return {
    allowed,
    interrupt: policy.outcome === 'interrupt',
    errorCode: policy.errorCode,
    reason: allowed ? 'ok' : policy.outcome === 'block' ? 'blocked_by_conditional_access' : 'conditional_access_interrupt',
    sentence: policy.explanation,
    appliedConditionalAccessPolicies: applied,
    conditionalAccessStatus: policy.conditionalAccessStatus,
    authenticationRequirement: policy.authenticationRequirement,
    additionalDetails: policy.mfaSatisfiedBy ? MFA_SATISFIED_BY_DETAIL[policy.mfaSatisfiedBy] : policy.explanation,
    failedPolicyIds,
    mfaSatisfiedByDetail: policy.mfaSatisfiedBy ? MFA_SATISFIED_BY_DETAIL[policy.mfaSatisfiedBy] : undefined,
    persistentBrowser: policy.sessionControls.persistentBrowser,
  };
}
