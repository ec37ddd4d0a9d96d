// The sign-in record in the reference system's Graph `signIn` shape (entra-reference.md §2.5).
export type ConditionalAccessStatus = 'success' | 'failure' | 'notApplied';
export type AppliedPolicyResult = 'success' | 'failure' | 'notApplied' | 'notEnabled' | 'unknown'
  | 'reportOnlySuccess' | 'reportOnlyFailure' | 'reportOnlyNotApplied' | 'reportOnlyInterrupted';

export interface AppliedConditionalAccessPolicy {
  id: string;
  displayName: string;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  result: AppliedPolicyResult;
  /** Monban extra: which conditions matched or did not, and what was missing. */
  analysisReasons?: string;
}

export interface AuthenticationDetail {
  authenticationStepDateTime: string;
  authenticationMethod: string;
  authenticationMethodDetail?: string | null;
  succeeded: boolean;
  authenticationStepRequirement: string;
  authenticationStepResultDetail: string;
}

export interface SignInRecord {
  id: string;
  createdDateTime: string;
  correlationId: string;
  userId: string | null;
  userPrincipalName: string | null;
  userDisplayName: string | null;
  appId: string | null;
  appDisplayName: string | null;
  resourceId: string | null;
  resourceDisplayName: string | null;
  servicePrincipalId: string | null;
  ipAddress: string | null;
  clientAppUsed: string;
  isInteractive: boolean;
  signInEventTypes: string[];
  authenticationProtocol: string;
  incomingTokenType: string;
  originalTransferMethod: string;
  authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  authenticationRequirementPolicies: { requirementProvider: string; detail: string }[];
  conditionalAccessStatus: ConditionalAccessStatus;
  appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
  authenticationDetails: AuthenticationDetail[];
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  deviceDetail: { deviceId: string; displayName: string; operatingSystem: string; browser: string; isCompliant: boolean; isManaged: boolean; trustType: string };
  /** Monban extra: the grant type or page that produced the attempt, and the internal reason code. */
  monban?: { flow: string; reason?: string; tokenFamily?: string };
}
