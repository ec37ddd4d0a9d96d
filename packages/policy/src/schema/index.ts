export * from './enums.js';
export type {
  ConditionalAccessPolicy,
  ConditionalAccessConditionSet,
  ConditionalAccessUsers,
  ConditionalAccessGuestsOrExternalUsers,
  ConditionalAccessExternalTenants,
  ConditionalAccessApplications,
  ConditionalAccessClientApplications,
  ConditionalAccessPlatforms,
  ConditionalAccessLocations,
  ConditionalAccessDevices,
  ConditionalAccessDeviceStates,
  ConditionalAccessAuthenticationFlows,
  ConditionalAccessFilter,
  ConditionalAccessGrantControls,
  ConditionalAccessSessionControls,
  SignInFrequencySessionControl,
  PersistentBrowserSessionControl,
  EnabledSessionControl,
  CloudAppSecuritySessionControl,
  ContinuousAccessEvaluationSessionControl,
} from './policy.js';
export { conditionalAccessPolicySchema } from './policy.js';
export {
  authenticationStrengthPolicySchema,
  authenticationStrengthReferenceSchema,
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  MULTIFACTOR_AUTHENTICATION_STRENGTH_ID,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  combinationModes,
  type AuthenticationStrengthPolicy,
  type AuthenticationStrengthReference,
  type AuthenticationCombinationConfiguration,
} from './strength.js';
export {
  namedLocationSchema,
  IP_NAMED_LOCATION_TYPE,
  COUNTRY_NAMED_LOCATION_TYPE,
  type NamedLocation,
  type IpNamedLocation,
  type CountryNamedLocation,
  type IpRange,
} from './named-location.js';
export { validatePolicy, validateAuthenticationStrength, validateNamedLocation, policyWarnings } from './validate.js';
export { isGuid, isPlaceholder, splitFlags } from './common.js';
