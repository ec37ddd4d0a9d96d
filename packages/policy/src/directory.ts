// What the engine may know about the tenant, handed in by the caller (the engine never
// looks anything up itself). Every part is optional: checks that need a missing part
// are skipped, never guessed.
import type { AuthenticationMethodMode, GuestOrExternalUserType, RiskLevel } from './schema/enums.js';
import type { NamedLocation } from './schema/named-location.js';
import type { AuthenticationStrengthPolicy } from './schema/strength.js';

export interface DirectoryUser {
  readonly id: string;
  readonly displayName?: string;
  readonly userType?: 'member' | 'guest';
  readonly guestOrExternalUserTypes?: readonly GuestOrExternalUserType[];
  /** Home tenant of an external user (for `externalTenants: enumerated`). */
  readonly externalTenantId?: string;
  /** Group memberships, transitive (nested groups already resolved). */
  readonly groupIds?: readonly string[];
  /** Template ids of the built-in directory roles the user holds (tenant-wide scope only). */
  readonly roleTemplateIds?: readonly string[];
  /** Authentication method modes the user has registered, in allowedCombinations vocabulary. */
  readonly registeredMethods?: readonly AuthenticationMethodMode[];
  readonly userRiskLevel?: RiskLevel;
}

export interface DirectoryObject {
  readonly id: string;
  readonly displayName?: string;
}

export interface DirectoryApplication {
  readonly appId: string;
  readonly displayName?: string;
}

export interface DirectoryServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName?: string;
}

export interface DirectoryView {
  readonly users?: readonly DirectoryUser[];
  readonly groups?: readonly DirectoryObject[];
  /** Directory roles by template id. */
  readonly roles?: readonly DirectoryObject[];
  readonly applications?: readonly DirectoryApplication[];
  readonly servicePrincipals?: readonly DirectoryServicePrincipal[];
  readonly namedLocations?: readonly NamedLocation[];
  /** Custom strengths; the built-in ones are always known. */
  readonly authenticationStrengths?: readonly AuthenticationStrengthPolicy[];
  readonly termsOfUse?: readonly DirectoryObject[];
  /** Authentication context class references (`c1`..`c99`) defined in the tenant. */
  readonly authenticationContexts?: readonly DirectoryObject[];
  /** Emergency-access ("break glass") accounts and groups that every policy should exclude. */
  readonly emergencyAccess?: { readonly userIds?: readonly string[]; readonly groupIds?: readonly string[] };
  /** Overrides for the application groups `Office365` and `MicrosoftAdminPortals`. */
  readonly applicationGroups?: { readonly Office365?: readonly string[]; readonly MicrosoftAdminPortals?: readonly string[] };
}
