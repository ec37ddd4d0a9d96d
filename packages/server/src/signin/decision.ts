import type { AppliedConditionalAccessPolicy } from '../logs/sign-in-record.js';

/** What the pipeline decided for one attempt; the log record is written from it. */
export interface Decision {
  allowed: boolean;
  /** Not allowed yet, but another step (MFA, a stronger method) could satisfy the policies. */
  interrupt: boolean;
  /** AADSTS number, 0 when allowed. */
  errorCode: number;
  reason: string;
  sentence: string;
  appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
  conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  additionalDetails: string | null;
  /** Enforced policies that failed (the `capolids` of a claims challenge). */
  failedPolicyIds: string[];
  /** Why MFA was not prompted although required ("MFA requirement satisfied by claim in the token"). */
  mfaSatisfiedByDetail: string | undefined;
  /** Session control of the applied policies: keep the browser session or not ("stay signed in?"). */
  persistentBrowser?: 'always' | 'never' | undefined;
}

/** Thrown by the pipeline when the decision is not "allow"; entry points map it to their protocol. */
export class SignInRefused extends Error {
  constructor(readonly decision: Decision) {
    super(`AADSTS${decision.errorCode}: ${decision.sentence}`);
  }
}
