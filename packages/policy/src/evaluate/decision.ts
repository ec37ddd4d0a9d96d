// The decision: what the pipeline does (grant, block, interrupt), with the per-policy
// detail the sign-in log records, in the reference system's words.
import type { Issue } from '../types.js';

/** `appliedConditionalAccessPolicies[].result` (entra-reference.md §2.5). */
export type PolicyResult =
  | 'success'
  | 'failure'
  | 'notApplied'
  | 'notEnabled'
  | 'reportOnlySuccess'
  | 'reportOnlyFailure'
  | 'reportOnlyNotApplied'
  | 'reportOnlyInterrupted';

/** Graph `whatIfAnalysisReasons` members: why a policy does not apply (`notSet` when it does). */
export type AnalysisReason =
  | 'notSet'
  | 'notEnoughInformation'
  | 'invalidCondition'
  | 'users'
  | 'workloadIdentities'
  | 'application'
  | 'userActions'
  | 'authenticationContext'
  | 'devicePlatform'
  | 'devices'
  | 'clientApps'
  | 'location'
  | 'signInRisk'
  | 'emptyPolicy'
  | 'invalidPolicy'
  | 'policyNotEnabled'
  | 'userRisk'
  | 'time'
  | 'insiderRisk'
  | 'authenticationFlow';

/** Graph `conditionalAccessConditions` members, as in the sign-in log's conditionsSatisfied. */
export type ConditionName =
  | 'users'
  | 'servicePrincipals'
  | 'application'
  | 'clientType'
  | 'devicePlatform'
  | 'location'
  | 'deviceState'
  | 'signInRisk'
  | 'userRisk'
  | 'servicePrincipalRisk'
  | 'insiderRisk'
  | 'authenticationFlows';

/** A control a policy asks for that the sign-in has not (yet) met. */
export type MissingControl =
  | 'block'
  | 'mfa'
  | 'authenticationStrength'
  | 'compliantDevice'
  | 'domainJoinedDevice'
  | 'approvedApplication'
  | 'compliantApplication'
  | 'passwordChange'
  | 'termsOfUse'
  | 'customAuthenticationFactor'
  | 'unsupportedControl';

export interface StrengthRequirement {
  readonly id: string;
  readonly displayName: string;
  /** Empty when the strength could not be resolved (then nothing satisfies it). */
  readonly allowedCombinations: readonly string[];
}

export interface Missing {
  /** Grant controls in the order they are asked (entra-reference.md §3 "Combination" 4). */
  readonly controls: readonly MissingControl[];
  readonly strengths: readonly StrengthRequirement[];
  /** `signInFrequency` when re-authentication is due. */
  readonly sessionControls: readonly 'signInFrequency'[];
}

export interface PolicyEvaluation {
  readonly id: string;
  readonly displayName: string;
  readonly state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  readonly result: PolicyResult;
  /** `['notSet']` when the policy applies; else the conditions that did not match. */
  readonly analysisReasons: readonly AnalysisReason[];
  readonly conditionsMatched: readonly ConditionName[];
  readonly conditionsNotMatched: readonly ConditionName[];
  /** Sign-in log names (`Mfa`, `Block`, `RequireCompliantDevice`...), for applied policies. */
  readonly enforcedGrantControls: readonly string[];
  readonly enforcedSessionControls: readonly string[];
  readonly missing: Missing;
  /** For invalid policies: why (the policy then fails closed). */
  readonly issues?: readonly Issue[];
}

export interface CombinedSessionControls {
  /** The strictest sign-in frequency of the applied enforced policies. */
  readonly signInFrequency?: {
    readonly frequencyInterval: 'timeBased' | 'everyTime';
    readonly authenticationType: 'primaryAndSecondaryAuthentication' | 'secondaryAuthentication';
    /** Window in seconds (300 for everyTime: its tolerance). */
    readonly seconds: number;
    readonly value?: number;
    readonly type?: 'hours' | 'days';
    readonly policyId: string;
  };
  /** `never` wins over `always`. */
  readonly persistentBrowser?: 'always' | 'never';
  readonly applicationEnforcedRestrictions?: boolean;
  readonly cloudAppSecurity?: readonly string[];
  readonly disableResilienceDefaults?: boolean;
  readonly continuousAccessEvaluation?: readonly string[];
  readonly secureSignInSession?: boolean;
}

export type MfaSatisfiedBy = 'claimInTheToken' | 'rememberedMfa' | 'thisSignIn';

export interface Decision {
  readonly outcome: 'grant' | 'block' | 'interrupt';
  /** 0 on grant, else the AADSTS number (see ERROR_CODES). */
  readonly errorCode: number;
  readonly policies: readonly PolicyEvaluation[];
  /** Union of what the failed enforced policies miss. */
  readonly missing: Missing;
  readonly conditionalAccessStatus: 'success' | 'failure' | 'notApplied';
  readonly authenticationRequirement: 'singleFactorAuthentication' | 'multiFactorAuthentication';
  /** Why MFA was not prompted although required. */
  readonly mfaSatisfiedBy?: MfaSatisfiedBy;
  readonly sessionControls: CombinedSessionControls;
  /** One or two sentences for the sign-in log. */
  readonly explanation: string;
  /** Set when evaluation itself failed (bad context, broken policy): the outcome is then never grant. */
  readonly error?: Issue;
}

/** AADSTS codes used by decisions, with their log sentence (entra-reference.md §5). */
export const ERROR_CODES = {
  granted: { code: 0, sentence: 'Granted.' },
  blocked: { code: 53003, sentence: 'Access has been blocked by Conditional Access policies.' },
  mfaRequired: { code: 50076, sentence: 'Multi-factor authentication is required; retry interactively.' },
  mfaExpiredByPolicy: { code: 50078, sentence: 'The multi-factor authentication presented has expired under a sign-in frequency policy.' },
  mustEnrolSecondFactor: { code: 50072, sentence: 'The user must enrol a second factor.' },
  mustRegisterSecurityInfo: { code: 50079, sentence: 'The user must register security information that satisfies the required authentication strength.' },
  deviceNotCompliant: { code: 53000, sentence: 'The device is not compliant.' },
  deviceNotHybridJoined: { code: 53001, sentence: 'The device is not hybrid joined.' },
  appNotApproved: { code: 53002, sentence: 'The client application is not approved or not protected by an app protection policy.' },
  passwordChangeRequired: { code: 50142, sentence: 'A password change is required by Conditional Access.' },
  customControlRequired: { code: 50158, sentence: 'A terms-of-use or custom control must be satisfied.' },
  reauthenticationRequired: { code: 70043, sentence: 'Sign-in frequency has elapsed; fresh authentication is required.' },
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;

/** `authenticationStepResultDetail` / `additionalDetails` sentences for MFA that was not prompted. */
export const MFA_SATISFIED_BY_DETAIL: Record<MfaSatisfiedBy, string> = {
  claimInTheToken: 'MFA requirement satisfied by claim in the token',
  rememberedMfa: 'MFA requirement skipped due to remembered device',
  thisSignIn: 'MFA requirement satisfied by strong authentication',
};

/** Sign-in log names of grant controls [D: observed `Mfa`, `Block`, `RequireCompliantDevice`]. */
export const GRANT_CONTROL_LOG_NAMES: Record<string, string> = {
  block: 'Block',
  mfa: 'Mfa',
  compliantDevice: 'RequireCompliantDevice',
  domainJoinedDevice: 'RequireDomainJoinedDevice',
  approvedApplication: 'RequireApprovedApp',
  compliantApplication: 'RequireCompliantApp',
  passwordChange: 'RequirePasswordChange',
  authenticationStrength: 'RequireAuthenticationStrength',
  termsOfUse: 'RequireTermsOfUse',
  customAuthenticationFactor: 'RequireCustomControl',
};

export const SESSION_CONTROL_LOG_NAMES = {
  signInFrequency: 'SignInFrequency',
  persistentBrowser: 'PersistentBrowserSessionMode',
  applicationEnforcedRestrictions: 'AppEnforcedRestrictions',
  cloudAppSecurity: 'CloudAppSecurity',
  disableResilienceDefaults: 'DisableResilienceDefaults',
  continuousAccessEvaluation: 'ContinuousAccessEvaluation',
  secureSignInSession: 'SecureSignInSession',
} as const;
