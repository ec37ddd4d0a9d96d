// Enum members of the reference system's Graph schema, in schema order
// (entra-reference.md §2). Members after `unknownFutureValue` are the ones Graph only
// returns with `Prefer: include-unknown-enum-members`.

export const POLICY_STATES = ['enabled', 'disabled', 'enabledForReportingButNotEnforced'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export const CLIENT_APP_TYPES = [
  'all',
  'browser',
  'mobileAppsAndDesktopClients',
  'exchangeActiveSync',
  'easSupported',
  'other',
  'unknownFutureValue',
] as const;
export type ClientAppType = (typeof CLIENT_APP_TYPES)[number];

export const DEVICE_PLATFORMS = [
  'android',
  'iOS',
  'windows',
  'windowsPhone',
  'macOS',
  'all',
  'unknownFutureValue',
  'linux',
] as const;
export type DevicePlatformValue = (typeof DEVICE_PLATFORMS)[number];
/** A platform a sign-in can come from (a policy value minus `all`/`unknownFutureValue`). */
export type DevicePlatform = Exclude<DevicePlatformValue, 'all' | 'unknownFutureValue'>;

export const RISK_LEVELS = ['low', 'medium', 'high', 'hidden', 'none', 'unknownFutureValue'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const INSIDER_RISK_LEVELS = ['minor', 'moderate', 'elevated', 'unknownFutureValue'] as const;
export type InsiderRiskLevel = (typeof INSIDER_RISK_LEVELS)[number];

export const TRANSFER_METHODS = ['none', 'deviceCodeFlow', 'authenticationTransfer', 'unknownFutureValue'] as const;
export type TransferMethod = (typeof TRANSFER_METHODS)[number];

export const GRANT_OPERATORS = ['AND', 'OR'] as const;
export type GrantOperator = (typeof GRANT_OPERATORS)[number];

export const BUILT_IN_CONTROLS = [
  'block',
  'mfa',
  'compliantDevice',
  'domainJoinedDevice',
  'approvedApplication',
  'compliantApplication',
  'passwordChange',
  'unknownFutureValue',
  'riskRemediation',
] as const;
export type BuiltInControl = (typeof BUILT_IN_CONTROLS)[number];

export const GUEST_OR_EXTERNAL_USER_TYPES = [
  'none',
  'internalGuest',
  'b2bCollaborationGuest',
  'b2bCollaborationMember',
  'b2bDirectConnectUser',
  'otherExternalUser',
  'serviceProvider',
  'unknownFutureValue',
] as const;
export type GuestOrExternalUserType = (typeof GUEST_OR_EXTERNAL_USER_TYPES)[number];

export const MEMBERSHIP_KINDS = ['all', 'enumerated', 'unknownFutureValue'] as const;

export const FILTER_MODES = ['include', 'exclude'] as const;
export type FilterMode = (typeof FILTER_MODES)[number];

export const SIGN_IN_FREQUENCY_TYPES = ['days', 'hours'] as const;
export const SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES = [
  'primaryAndSecondaryAuthentication',
  'secondaryAuthentication',
  'unknownFutureValue',
] as const;
export type SignInFrequencyAuthenticationType = (typeof SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES)[number];
export const SIGN_IN_FREQUENCY_INTERVALS = ['timeBased', 'everyTime', 'unknownFutureValue'] as const;
export type SignInFrequencyInterval = (typeof SIGN_IN_FREQUENCY_INTERVALS)[number];

export const PERSISTENT_BROWSER_MODES = ['always', 'never'] as const;
export type PersistentBrowserMode = (typeof PERSISTENT_BROWSER_MODES)[number];

export const CLOUD_APP_SECURITY_TYPES = ['mcasConfigured', 'monitorOnly', 'blockDownloads', 'unknownFutureValue'] as const;

export const AUTHENTICATION_METHOD_MODES = [
  'password',
  'voice',
  'hardwareOath',
  'softwareOath',
  'sms',
  'fido2',
  'windowsHelloForBusiness',
  'microsoftAuthenticatorPush',
  'deviceBasedPush',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'email',
  'x509CertificateSingleFactor',
  'x509CertificateMultiFactor',
  'federatedSingleFactor',
  'federatedMultiFactor',
  'unknownFutureValue',
  'qrCodePin',
] as const;
export type AuthenticationMethodMode = (typeof AUTHENTICATION_METHOD_MODES)[number];

export const STRENGTH_POLICY_TYPES = ['builtIn', 'custom', 'unknownFutureValue'] as const;
export const REQUIREMENTS_SATISFIED = ['none', 'mfa', 'unknownFutureValue'] as const;

export const COUNTRY_LOOKUP_METHODS = ['clientIpAddress', 'authenticatorAppGps', 'unknownFutureValue'] as const;

/** Keywords allowed in the id lists of `conditions.users` (entra-reference.md §2.1). */
export const USER_KEYWORDS = ['All', 'None', 'GuestsOrExternalUsers', 'AllAgentIdUsers'] as const;
/** Keywords allowed in `conditions.applications.*Applications`. */
export const APPLICATION_KEYWORDS = ['All', 'None', 'Office365', 'MicrosoftAdminPortals', 'AllAgentIdResources'] as const;
/** Keywords allowed in `conditions.locations.*Locations`. */
export const LOCATION_KEYWORDS = ['All', 'AllTrusted'] as const;
/** Keywords allowed in `conditions.clientApplications.*ServicePrincipals`. */
export const SERVICE_PRINCIPAL_KEYWORDS = ['All', 'None', 'ServicePrincipalsInMyTenant'] as const;

export const USER_ACTIONS = ['urn:user:registersecurityinfo', 'urn:user:registerdevice'] as const;

/** The Device Registration Service (entra-reference.md §4.3). */
export const DEVICE_REGISTRATION_SERVICE_APP_ID = '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9';

/** Role template id of Global Administrator ("Company Administrator"). */
export const GLOBAL_ADMINISTRATOR_ROLE_ID = '62e90394-69f5-4237-9190-012177145e10';
