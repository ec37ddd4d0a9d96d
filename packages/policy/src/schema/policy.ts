// Graph `conditionalAccessPolicy` (entra-reference.md §2.1): TypeScript types and the zod
// schema that checks them. Objects are loose: properties this version does not know
// (`times`, `agents`, `partialEnablementStrategy`, beta additions) are kept as they are so
// that export(import(x)) gives x back. Null and missing are both kept as given.
import { z } from 'zod';
import type { UnknownMember } from '../types.js';
import {
  closedEnum,
  flagsEnum,
  graphEnum,
  idList,
  nullableOptional,
  stringList,
} from './common.js';
import {
  APPLICATION_KEYWORDS,
  BUILT_IN_CONTROLS,
  CLIENT_APP_TYPES,
  CLOUD_APP_SECURITY_TYPES,
  DEVICE_PLATFORMS,
  FILTER_MODES,
  GRANT_OPERATORS,
  GUEST_OR_EXTERNAL_USER_TYPES,
  INSIDER_RISK_LEVELS,
  LOCATION_KEYWORDS,
  MEMBERSHIP_KINDS,
  PERSISTENT_BROWSER_MODES,
  POLICY_STATES,
  RISK_LEVELS,
  SERVICE_PRINCIPAL_KEYWORDS,
  SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES,
  SIGN_IN_FREQUENCY_INTERVALS,
  SIGN_IN_FREQUENCY_TYPES,
  TRANSFER_METHODS,
  USER_KEYWORDS,
  type BuiltInControl,
  type ClientAppType,
  type DevicePlatformValue,
  type FilterMode,
  type GrantOperator,
  type PersistentBrowserMode,
  type PolicyState,
  type RiskLevel,
  type SignInFrequencyAuthenticationType,
  type SignInFrequencyInterval,
} from './enums.js';
import { authenticationStrengthReferenceSchema, type AuthenticationStrengthReference } from './strength.js';

type List<T = string> = readonly T[] | null;

export interface ConditionalAccessFilter {
  mode: FilterMode;
  rule: string;
}

export interface ConditionalAccessExternalTenants {
  membershipKind?: 'all' | 'enumerated' | UnknownMember | null;
  /** Present on `conditionalAccessEnumeratedExternalTenants`. */
  members?: List;
}

export interface ConditionalAccessGuestsOrExternalUsers {
  /** Flags, comma-joined: `b2bCollaborationGuest,serviceProvider`. */
  guestOrExternalUserTypes?: string | null;
  externalTenants?: ConditionalAccessExternalTenants | null;
}

export interface ConditionalAccessUsers {
  includeUsers?: List;
  excludeUsers?: List;
  includeGroups?: List;
  excludeGroups?: List;
  includeRoles?: List;
  excludeRoles?: List;
  includeGuestsOrExternalUsers?: ConditionalAccessGuestsOrExternalUsers | null;
  excludeGuestsOrExternalUsers?: ConditionalAccessGuestsOrExternalUsers | null;
}

export interface ConditionalAccessApplications {
  includeApplications?: List;
  excludeApplications?: List;
  includeUserActions?: List;
  includeAuthenticationContextClassReferences?: List;
  applicationFilter?: ConditionalAccessFilter | null;
}

export interface ConditionalAccessClientApplications {
  includeServicePrincipals?: List;
  excludeServicePrincipals?: List;
  servicePrincipalFilter?: ConditionalAccessFilter | null;
}

export interface ConditionalAccessPlatforms {
  includePlatforms?: List<DevicePlatformValue | UnknownMember>;
  excludePlatforms?: List<DevicePlatformValue | UnknownMember>;
}

export interface ConditionalAccessLocations {
  includeLocations?: List;
  excludeLocations?: List;
}

export interface ConditionalAccessDevices {
  /** Legacy: `All`, or device states such as `Compliant`, `DomainJoined`. */
  includeDevices?: List;
  excludeDevices?: List;
  deviceFilter?: ConditionalAccessFilter | null;
}

/** Deprecated `deviceStates` condition, still found in old exports. */
export interface ConditionalAccessDeviceStates {
  includeStates?: List;
  excludeStates?: List;
}

export interface ConditionalAccessAuthenticationFlows {
  /** Flags, comma-joined: `deviceCodeFlow,authenticationTransfer`. */
  transferMethods?: string | null;
}

export interface ConditionalAccessConditionSet {
  users?: ConditionalAccessUsers | null;
  applications?: ConditionalAccessApplications | null;
  clientApplications?: ConditionalAccessClientApplications | null;
  clientAppTypes?: List<ClientAppType | UnknownMember>;
  platforms?: ConditionalAccessPlatforms | null;
  locations?: ConditionalAccessLocations | null;
  devices?: ConditionalAccessDevices | null;
  deviceStates?: ConditionalAccessDeviceStates | null;
  signInRiskLevels?: List<RiskLevel | UnknownMember>;
  userRiskLevels?: List<RiskLevel | UnknownMember>;
  servicePrincipalRiskLevels?: List<RiskLevel | UnknownMember>;
  /** Flags, comma-joined: `minor,moderate`. */
  insiderRiskLevels?: string | null;
  authenticationFlows?: ConditionalAccessAuthenticationFlows | null;
}

export interface ConditionalAccessGrantControls {
  /** `AND` when absent. */
  operator?: GrantOperator | null;
  builtInControls?: List<BuiltInControl | UnknownMember>;
  customAuthenticationFactors?: List;
  termsOfUse?: List;
  authenticationStrength?: AuthenticationStrengthReference | null;
}

export interface SignInFrequencySessionControl {
  value?: number | null;
  type?: 'days' | 'hours' | null;
  isEnabled?: boolean | null;
  authenticationType?: SignInFrequencyAuthenticationType | UnknownMember | null;
  frequencyInterval?: SignInFrequencyInterval | UnknownMember | null;
}

export interface PersistentBrowserSessionControl {
  mode?: PersistentBrowserMode | null;
  isEnabled?: boolean | null;
}

export interface EnabledSessionControl {
  isEnabled?: boolean | null;
}

export interface CloudAppSecuritySessionControl {
  cloudAppSecurityType?: string | null;
  isEnabled?: boolean | null;
}

export interface ContinuousAccessEvaluationSessionControl {
  mode?: string | null;
}

export interface ConditionalAccessSessionControls {
  signInFrequency?: SignInFrequencySessionControl | null;
  persistentBrowser?: PersistentBrowserSessionControl | null;
  applicationEnforcedRestrictions?: EnabledSessionControl | null;
  cloudAppSecurity?: CloudAppSecuritySessionControl | null;
  disableResilienceDefaults?: boolean | null;
  continuousAccessEvaluation?: ContinuousAccessEvaluationSessionControl | null;
  secureSignInSession?: EnabledSessionControl | null;
}

export interface ConditionalAccessPolicy {
  id?: string;
  displayName?: string | null;
  description?: string | null;
  state: PolicyState;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
  templateId?: string | null;
  conditions: ConditionalAccessConditionSet;
  grantControls?: ConditionalAccessGrantControls | null;
  sessionControls?: ConditionalAccessSessionControls | null;
}

// ---------------------------------------------------------------------------------------
// zod schema

const filterSchema = z.looseObject({
  mode: closedEnum(FILTER_MODES, 'filter mode'),
  rule: z.string(),
});

const guestsSchema = z.looseObject({
  guestOrExternalUserTypes: nullableOptional(flagsEnum(GUEST_OR_EXTERNAL_USER_TYPES, 'guestOrExternalUserType')),
  externalTenants: nullableOptional(
    z.looseObject({
      membershipKind: nullableOptional(graphEnum(MEMBERSHIP_KINDS, 'membershipKind')),
      members: nullableOptional(idList([], 'tenant')),
    }),
  ),
});

const usersSchema = z.looseObject({
  includeUsers: nullableOptional(idList(USER_KEYWORDS, 'user')),
  excludeUsers: nullableOptional(idList(USER_KEYWORDS, 'user')),
  includeGroups: nullableOptional(idList([], 'group')),
  excludeGroups: nullableOptional(idList([], 'group')),
  includeRoles: nullableOptional(idList([], 'directory role template')),
  excludeRoles: nullableOptional(idList([], 'directory role template')),
  includeGuestsOrExternalUsers: nullableOptional(guestsSchema),
  excludeGuestsOrExternalUsers: nullableOptional(guestsSchema),
});

const applicationsSchema = z.looseObject({
  includeApplications: nullableOptional(idList(APPLICATION_KEYWORDS, 'application')),
  excludeApplications: nullableOptional(idList(APPLICATION_KEYWORDS, 'application')),
  includeUserActions: nullableOptional(stringList),
  includeAuthenticationContextClassReferences: nullableOptional(stringList),
  applicationFilter: nullableOptional(filterSchema),
});

const clientApplicationsSchema = z.looseObject({
  includeServicePrincipals: nullableOptional(idList(SERVICE_PRINCIPAL_KEYWORDS, 'service principal')),
  excludeServicePrincipals: nullableOptional(idList(SERVICE_PRINCIPAL_KEYWORDS, 'service principal')),
  servicePrincipalFilter: nullableOptional(filterSchema),
});

const platformList = z.array(graphEnum(DEVICE_PLATFORMS, 'device platform'));
const riskList = z.array(graphEnum(RISK_LEVELS, 'risk level'));

const conditionsSchema = z.looseObject({
  users: nullableOptional(usersSchema),
  applications: nullableOptional(applicationsSchema),
  clientApplications: nullableOptional(clientApplicationsSchema),
  clientAppTypes: nullableOptional(z.array(graphEnum(CLIENT_APP_TYPES, 'client app type'))),
  platforms: nullableOptional(
    z.looseObject({
      includePlatforms: nullableOptional(platformList),
      excludePlatforms: nullableOptional(platformList),
    }),
  ),
  locations: nullableOptional(
    z.looseObject({
      includeLocations: nullableOptional(idList(LOCATION_KEYWORDS, 'named location')),
      excludeLocations: nullableOptional(idList(LOCATION_KEYWORDS, 'named location')),
    }),
  ),
  devices: nullableOptional(
    z.looseObject({
      includeDevices: nullableOptional(stringList),
      excludeDevices: nullableOptional(stringList),
      deviceFilter: nullableOptional(filterSchema),
    }),
  ),
  deviceStates: nullableOptional(
    z.looseObject({
      includeStates: nullableOptional(stringList),
      excludeStates: nullableOptional(stringList),
    }),
  ),
  signInRiskLevels: nullableOptional(riskList),
  userRiskLevels: nullableOptional(riskList),
  servicePrincipalRiskLevels: nullableOptional(riskList),
  insiderRiskLevels: nullableOptional(flagsEnum(INSIDER_RISK_LEVELS, 'insider risk level')),
  authenticationFlows: nullableOptional(
    z.looseObject({
      transferMethods: nullableOptional(flagsEnum(TRANSFER_METHODS, 'transfer method')),
    }),
  ),
});

const grantControlsSchema = z.looseObject({
  operator: nullableOptional(closedEnum(GRANT_OPERATORS, 'grant operator')),
  builtInControls: nullableOptional(z.array(graphEnum(BUILT_IN_CONTROLS, 'grant control'))),
  customAuthenticationFactors: nullableOptional(stringList),
  termsOfUse: nullableOptional(idList([], 'terms of use')),
  authenticationStrength: nullableOptional(authenticationStrengthReferenceSchema),
});

const signInFrequencySchema = z
  .looseObject({
    value: nullableOptional(z.number().int()),
    type: nullableOptional(closedEnum(SIGN_IN_FREQUENCY_TYPES, 'sign-in frequency type')),
    isEnabled: nullableOptional(z.boolean()),
    authenticationType: nullableOptional(graphEnum(SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES, 'authentication type')),
    frequencyInterval: nullableOptional(graphEnum(SIGN_IN_FREQUENCY_INTERVALS, 'frequency interval')),
  })
  .superRefine((sif, ctx) => {
    // entra-reference.md §6: Graph `value` is a bare Int32; the portal offers 1-23 hours
    // and 1-365 days, and Monban accepts only those.
    if (typeof sif.value !== 'number') return;
    const max = sif.type === 'hours' ? 23 : 365;
    if (sif.value < 1 || sif.value > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `sign-in frequency ${sif.value} ${sif.type ?? ''} is out of range: 1-23 hours or 1-365 days`,
        params: { code: 'out_of_range' },
      });
    }
  });

const enabledSchema = z.looseObject({ isEnabled: nullableOptional(z.boolean()) });

const sessionControlsSchema = z.looseObject({
  signInFrequency: nullableOptional(signInFrequencySchema),
  persistentBrowser: nullableOptional(
    z.looseObject({
      mode: nullableOptional(closedEnum(PERSISTENT_BROWSER_MODES, 'persistent browser mode')),
      isEnabled: nullableOptional(z.boolean()),
    }),
  ),
  applicationEnforcedRestrictions: nullableOptional(enabledSchema),
  cloudAppSecurity: nullableOptional(
    z.looseObject({
      cloudAppSecurityType: nullableOptional(graphEnum(CLOUD_APP_SECURITY_TYPES, 'cloud app security type')),
      isEnabled: nullableOptional(z.boolean()),
    }),
  ),
  disableResilienceDefaults: nullableOptional(z.boolean()),
  continuousAccessEvaluation: nullableOptional(z.looseObject({ mode: nullableOptional(z.string()) })),
  secureSignInSession: nullableOptional(enabledSchema),
});

export const conditionalAccessPolicySchema: z.ZodType<ConditionalAccessPolicy> = z.looseObject({
  id: z.string().optional(),
  displayName: nullableOptional(z.string()),
  description: nullableOptional(z.string()),
  state: closedEnum(POLICY_STATES, 'policy state'),
  createdDateTime: nullableOptional(z.string()),
  modifiedDateTime: nullableOptional(z.string()),
  templateId: nullableOptional(z.string()),
  conditions: conditionsSchema,
  grantControls: nullableOptional(grantControlsSchema),
  sessionControls: nullableOptional(sessionControlsSchema),
});
