import type { AppliedConditionalAccessPolicy } from '../logs/sign-in-record.js';

/** What the pipeline decided for one attempt; the log record is written from it. */
export interface Decision {
  allowed: boolean;
  /** AADSTS number, 0 when allowed. */
  errorCode: number;
  reason: string;
  sentence: string;
  appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
  conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  additionalDetails: string | null;
}

/** Thrown by the pipeline when the decision is not "allow"; entry points map it to their protocol. */
export class SignInRefused extends Error {
  constructor(readonly decision: Decision) {
    super(`AADSTS${decision.errorCode}: ${decision.sentence}`);
  }
}
