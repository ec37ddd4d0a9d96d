// Table-driven evaluation cases. Each row names the rule it checks (entra-reference.md §3,
// model.md, scenarios.md) and states the expected decision.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePolicies,
  evaluate,
  type AnalysisReason,
  type AuthenticationStrengthPolicy,
  type ConditionalAccessPolicy,
  type Decision,
  type DirectoryView,
  type MissingControl,
  type PolicyResult,
  type SignInContext,
} from '../src/index.js';
import {
  APP_R,
  APP_X,
  AZURE_PORTAL,
  DRS,
  EXCHANGE,
  G_EXCLUDED,
  G_STAFF,
  HOUR,
  LOC_BLOCKED_COUNTRIES,
  LOC_HQ,
  MFA_STRENGTH,
  NOW,
  PASSWORDLESS,
  PHISHING_RESISTANT,
  ROLE_GA,
  ROLE_HELPDESK,
  SHAREPOINT,
  SP1,
  SP2,
  TENANT_X,
  TENANT_Y,
  TOU,
  U1,
  U2,
  block,
  context,
  helloPrt,
  passwordAndSms,
  passwordOnly,
  policy,
  strength,
} from './fixtures.js';

interface Expect {
  readonly outcome?: Decision['outcome'];
  readonly errorCode?: number;
  readonly results?: readonly PolicyResult[];
  readonly reasons?: readonly (readonly AnalysisReason[])[];
  readonly status?: Decision['conditionalAccessStatus'];
  readonly requirement?: Decision['authenticationRequirement'];
  readonly missing?: readonly MissingControl[];
  readonly missingStrengths?: readonly string[];
  readonly reauthentication?: boolean;
  readonly mfaSatisfiedBy?: Decision['mfaSatisfiedBy'] | null;
  readonly session?: Partial<Decision['sessionControls']>;
  readonly explanationIncludes?: string;
  readonly errorCodeName?: string;
}

interface Case {
  readonly rule: string;
  readonly name: string;
  readonly policies: readonly ConditionalAccessPolicy[];
  readonly context: SignInContext;
  readonly strengths?: readonly AuthenticationStrengthPolicy[];
  readonly directory?: DirectoryView;
  readonly expect: Expect;
}

function check(d: Decision, e: Expect): void {
  if (e.outcome !== undefined) assert.equal(d.outcome, e.outcome, d.explanation);
  if (e.errorCode !== undefined) assert.equal(d.errorCode, e.errorCode, d.explanation);
  if (e.results !== undefined) assert.deepEqual(d.policies.map((p) => p.result), e.results, d.explanation);
  if (e.reasons !== undefined) assert.deepEqual(d.policies.map((p) => p.analysisReasons), e.reasons, d.explanation);
  if (e.status !== undefined) assert.equal(d.conditionalAccessStatus, e.status);
  if (e.requirement !== undefined) assert.equal(d.authenticationRequirement, e.requirement);
  if (e.missing !== undefined) assert.deepEqual(d.missing.controls, e.missing, d.explanation);
  if (e.missingStrengths !== undefined) assert.deepEqual(d.missing.strengths.map((s) => s.id), e.missingStrengths);
  if (e.reauthentication !== undefined) assert.equal(d.missing.sessionControls.includes('signInFrequency'), e.reauthentication, d.explanation);
  if (e.mfaSatisfiedBy !== undefined) assert.equal(d.mfaSatisfiedBy, e.mfaSatisfiedBy === null ? undefined : e.mfaSatisfiedBy);
  if (e.session !== undefined) {
    for (const [k, v] of Object.entries(e.session)) assert.deepEqual((d.sessionControls as Record<string, unknown>)[k], v, `sessionControls.${k}`);
  }
  if (e.explanationIncludes !== undefined) assert.ok(d.explanation.includes(e.explanationIncludes), d.explanation);
  // Invariants of every decision.
  assert.equal(d.outcome === 'grant', d.errorCode === 0);
  assert.ok(d.explanation.length > 0);
}

const cases: Case[] = [];
const add = (c: Case): void => {
  cases.push(c);
};

// ---------------------------------------------------------------------------------------
// Users
add({ rule: 'includeUsers All applies to every user', name: 'All', policies: [policy()], context: context(), expect: { outcome: 'interrupt', errorCode: 50076, results: ['failure'] } });
add({ rule: 'includeUsers by id', name: 'listed user', policies: [policy({ conditions: { users: { includeUsers: [U1] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'includeUsers by id', name: 'other user not applied', policies: [policy({ conditions: { users: { includeUsers: [U2] } } })], context: context(), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['users']] } });
add({ rule: 'ids compare case-insensitively', name: 'upper-case user id', policies: [policy({ conditions: { users: { includeUsers: [U1.toUpperCase()] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'None matches nobody', name: 'includeUsers None', policies: [policy({ conditions: { users: { includeUsers: ['None'] } } })], context: context(), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['users']] } });
add({ rule: 'excludes beat includes', name: 'user included by All and excluded by id', policies: [policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: [U1] } } })], context: context(), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['users']] } });
add({ rule: 'excludes beat includes', name: 'included by id, excluded by group', policies: [policy({ conditions: { users: { includeUsers: [U1], excludeGroups: [G_STAFF] } } })], context: context(), expect: { results: ['notApplied'] } });
add({ rule: 'excludes beat includes', name: 'included by role, excluded by id', policies: [policy({ conditions: { users: { includeRoles: [ROLE_GA], excludeUsers: [U1] } } })], context: context({ user: { id: U1, roleTemplateIds: [ROLE_GA] } }), expect: { results: ['notApplied'] } });
add({ rule: 'excluded role', name: 'All minus Global Administrators', policies: [policy({ conditions: { users: { includeUsers: ['All'], excludeRoles: [ROLE_GA] } } })], context: context({ user: { id: U1, roleTemplateIds: [ROLE_GA] } }), expect: { results: ['notApplied'] } });
add({ rule: 'includeGroups with transitive memberships', name: 'member of included group', policies: [policy({ conditions: { users: { includeGroups: [G_STAFF] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'includeGroups with transitive memberships', name: 'not a member', policies: [policy({ conditions: { users: { includeGroups: [G_EXCLUDED] } } })], context: context(), expect: { results: ['notApplied'], reasons: [['users']] } });
add({ rule: 'includeRoles by template id', name: 'helpdesk admin included', policies: [policy({ conditions: { users: { includeRoles: [ROLE_GA, ROLE_HELPDESK] } } })], context: context({ user: { id: U1, roleTemplateIds: [ROLE_HELPDESK] } }), expect: { results: ['failure'] } });
add({ rule: 'includeRoles by template id', name: 'no role, not applied', policies: [policy({ conditions: { users: { includeRoles: [ROLE_GA] } } })], context: context(), expect: { results: ['notApplied'] } });
add({ rule: 'GuestsOrExternalUsers keyword', name: 'guest included', policies: [policy({ conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } } })], context: context({ user: { id: U2, userType: 'guest' } }), expect: { results: ['failure'] } });
add({ rule: 'GuestsOrExternalUsers keyword', name: 'member not included', policies: [policy({ conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } } })], context: context(), expect: { results: ['notApplied'] } });
add({ rule: 'GuestsOrExternalUsers keyword', name: 'guests excluded from All', policies: [policy({ conditions: { users: { includeUsers: ['All'], excludeUsers: ['GuestsOrExternalUsers'] } } })], context: context({ user: { id: U2, userType: 'guest' } }), expect: { results: ['notApplied'] } });
add({ rule: 'GuestsOrExternalUsers keyword', name: 'external member type counts as external', policies: [policy({ conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } } })], context: context({ user: { id: U2, userType: 'member', guestOrExternalUserTypes: ['b2bCollaborationMember'] } }), expect: { results: ['failure'] } });
add({ rule: 'includeGuestsOrExternalUsers types', name: 'b2b guest type listed', policies: [policy({ conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest,serviceProvider', externalTenants: { membershipKind: 'all' } } } } })], context: context({ user: { id: U2, userType: 'guest', guestOrExternalUserTypes: ['b2bCollaborationGuest'] } }), expect: { results: ['failure'] } });
add({ rule: 'includeGuestsOrExternalUsers types', name: 'direct-connect type not listed', policies: [policy({ conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest', externalTenants: { membershipKind: 'all' } } } } })], context: context({ user: { id: U2, userType: 'guest', guestOrExternalUserTypes: ['b2bDirectConnectUser'] } }), expect: { results: ['notApplied'] } });
add({ rule: 'externalTenants enumerated', name: 'listed tenant', policies: [policy({ conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest', externalTenants: { membershipKind: 'enumerated', members: [TENANT_X] } } } } })], context: context({ user: { id: U2, userType: 'guest', guestOrExternalUserTypes: ['b2bCollaborationGuest'], externalTenantId: TENANT_X } }), expect: { results: ['failure'] } });
add({ rule: 'externalTenants enumerated', name: 'other tenant', policies: [policy({ conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'b2bCollaborationGuest', externalTenants: { membershipKind: 'enumerated', members: [TENANT_X] } } } } })], context: context({ user: { id: U2, userType: 'guest', guestOrExternalUserTypes: ['b2bCollaborationGuest'], externalTenantId: TENANT_Y } }), expect: { results: ['notApplied'] } });
add({ rule: 'excludeGuestsOrExternalUsers', name: 'service provider excluded', policies: [policy({ conditions: { users: { includeUsers: ['All'], excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'serviceProvider', externalTenants: { membershipKind: 'all' } } } } })], context: context({ user: { id: U2, userType: 'guest', guestOrExternalUserTypes: ['serviceProvider'] } }), expect: { results: ['notApplied'] } });

// Workload identities
const spPolicy = (o: Partial<ConditionalAccessPolicy['conditions']> = {}): ConditionalAccessPolicy =>
  policy({ conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'] }, ...o }, grantControls: block });
const spContext = (o: Partial<SignInContext> = {}): SignInContext => {
  const { user: _user, ...rest } = context();
  void _user;
  return { ...rest, servicePrincipal: { id: SP1, appId: APP_X }, clientAppType: 'other', devicePlatform: undefined, ...o } as SignInContext;
};
add({ rule: 'workload identities are targeted by clientApplications', name: 'ServicePrincipalsInMyTenant blocks SP', policies: [spPolicy()], context: spContext({ clientAppType: undefined }), expect: { outcome: 'block', errorCode: 53003, results: ['failure'] } });
add({ rule: 'workload identities are targeted by clientApplications', name: 'excluded SP', policies: [spPolicy({ clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [SP1] } })], context: spContext({ clientAppType: undefined }), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['workloadIdentities']] } });
add({ rule: 'workload identities are targeted by clientApplications', name: 'user policy does not apply to a SP', policies: [policy()], context: spContext({ clientAppType: undefined }), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['workloadIdentities']] } });
add({ rule: 'workload identities are targeted by clientApplications', name: 'SP policy does not apply to a user', policies: [spPolicy()], context: context(), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['users']] } });
add({ rule: 'service principal risk', name: 'high SP risk matches', policies: [spPolicy({ servicePrincipalRiskLevels: ['high'] })], context: spContext({ clientAppType: undefined, servicePrincipalRiskLevel: 'high' }), expect: { outcome: 'block' } });
add({ rule: 'service principal risk', name: 'low SP risk does not match', policies: [spPolicy({ servicePrincipalRiskLevels: ['high'] })], context: spContext({ clientAppType: undefined, servicePrincipalRiskLevel: 'low' }), expect: { outcome: 'grant', reasons: [['workloadIdentities']] } });
add({ rule: 'workload identities are targeted by clientApplications', name: 'specific SP id listed', policies: [spPolicy({ clientApplications: { includeServicePrincipals: [SP2] } })], context: spContext({ clientAppType: undefined }), expect: { outcome: 'grant', results: ['notApplied'] } });

// ---------------------------------------------------------------------------------------
// Applications, user actions, authentication contexts
add({ rule: 'includeApplications All', name: 'any resource', policies: [policy()], context: context({ application: { appId: APP_X } }), expect: { results: ['failure'] } });
add({ rule: 'includeApplications by app id', name: 'listed app', policies: [policy({ conditions: { applications: { includeApplications: [APP_R] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'includeApplications by app id', name: 'other app', policies: [policy({ conditions: { applications: { includeApplications: [APP_X] } } })], context: context(), expect: { results: ['notApplied'], reasons: [['application']] } });
add({ rule: 'excludes beat includes', name: 'All resources minus this app', policies: [policy({ conditions: { applications: { includeApplications: ['All'], excludeApplications: [APP_R] } } })], context: context(), expect: { outcome: 'grant', results: ['notApplied'], reasons: [['application']] } });
add({ rule: 'None matches nothing', name: 'includeApplications None', policies: [policy({ conditions: { applications: { includeApplications: ['None'] } } })], context: context(), expect: { results: ['notApplied'] } });
add({ rule: 'Office365 groups Microsoft 365 apps', name: 'Exchange is in Office365', policies: [policy({ conditions: { applications: { includeApplications: ['Office365'] } } })], context: context({ application: { appId: EXCHANGE } }), expect: { results: ['failure'] } });
add({ rule: 'Office365 groups Microsoft 365 apps', name: 'a custom app is not', policies: [policy({ conditions: { applications: { includeApplications: ['Office365'] } } })], context: context(), expect: { results: ['notApplied'] } });
add({ rule: 'Office365 groups Microsoft 365 apps', name: 'exclude Office365 removes SharePoint', policies: [policy({ conditions: { applications: { includeApplications: ['All'], excludeApplications: ['Office365'] } } })], context: context({ application: { appId: SHAREPOINT } }), expect: { results: ['notApplied'] } });
add({ rule: 'MicrosoftAdminPortals groups admin portals', name: 'Azure portal', policies: [policy({ conditions: { applications: { includeApplications: ['MicrosoftAdminPortals'] } } })], context: context({ application: { appId: AZURE_PORTAL } }), expect: { results: ['failure'] } });
add({ rule: 'MicrosoftAdminPortals groups admin portals', name: 'directory override adds Monban admin web', policies: [policy({ conditions: { applications: { includeApplications: ['MicrosoftAdminPortals'] } } })], context: context(), directory: { applicationGroups: { MicrosoftAdminPortals: [APP_R] } }, expect: { results: ['failure'] } });
add({ rule: 'user actions match only policies listing them', name: 'register security info policy applies', policies: [policy({ conditions: { applications: { includeUserActions: ['urn:user:registersecurityinfo'] } } })], context: context({ userAction: 'urn:user:registersecurityinfo' }), expect: { results: ['failure'] } });
add({ rule: 'user actions match only policies listing them', name: 'not for an ordinary token request', policies: [policy({ conditions: { applications: { includeUserActions: ['urn:user:registersecurityinfo'] } } })], context: context(), expect: { results: ['notApplied'], reasons: [['application']] } });
add({ rule: 'user actions match only policies listing them', name: 'register device policy not for security info', policies: [policy({ conditions: { applications: { includeUserActions: ['urn:user:registerdevice'] } } })], context: context({ userAction: 'urn:user:registersecurityinfo', application: undefined }), expect: { results: ['notApplied'], reasons: [['userActions']] } });
add({ rule: 'user action flows request tokens, so All-resources policies apply', name: 'All resources applies to a user action', policies: [policy()], context: context({ userAction: 'urn:user:registerdevice', application: undefined }), expect: { results: ['failure'] } });
add({ rule: 'user action flows request tokens, so All-resources policies apply', name: 'specific-app policy does not', policies: [policy({ conditions: { applications: { includeApplications: [APP_R] } } })], context: context({ userAction: 'urn:user:registerdevice', application: undefined }), expect: { results: ['notApplied'], reasons: [['userActions']] } });
add({ rule: 'authentication context', name: 'policy for c1 applies when c1 is requested', policies: [policy({ conditions: { applications: { includeAuthenticationContextClassReferences: ['c1'] } } })], context: context({ authenticationContextClassReferences: ['c1'] }), expect: { results: ['failure'] } });
add({ rule: 'authentication context', name: 'not applied when no context is requested', policies: [policy({ conditions: { applications: { includeAuthenticationContextClassReferences: ['c1'] } } })], context: context(), expect: { results: ['notApplied'], reasons: [['authenticationContext']] } });
add({ rule: 'authentication context', name: 'another context', policies: [policy({ conditions: { applications: { includeAuthenticationContextClassReferences: ['c2'] } } })], context: context({ authenticationContextClassReferences: ['c1'] }), expect: { results: ['notApplied'] } });

// ---------------------------------------------------------------------------------------
// Client app types
add({ rule: 'clientAppTypes all matches every client', name: 'all', policies: [policy()], context: context({ clientAppType: 'mobileAppsAndDesktopClients' }), expect: { results: ['failure'] } });
add({ rule: 'clientAppTypes', name: 'browser policy, desktop client', policies: [policy({ conditions: { clientAppTypes: ['browser'] } })], context: context({ clientAppType: 'mobileAppsAndDesktopClients' }), expect: { results: ['notApplied'], reasons: [['clientApps']] } });
add({ rule: 'clientAppTypes', name: 'browser policy, browser', policies: [policy({ conditions: { clientAppTypes: ['browser'] } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'clientAppTypes', name: 'easSupported covers Exchange ActiveSync', policies: [policy({ conditions: { clientAppTypes: ['easSupported'] }, grantControls: block })], context: context({ clientAppType: 'exchangeActiveSync' }), expect: { outcome: 'block' } });
add({ rule: 'an omitted input does not match', name: 'unknown client type vs browser policy', policies: [policy({ conditions: { clientAppTypes: ['browser'] } })], context: context({ clientAppType: undefined }), expect: { results: ['notApplied'] } });
add({ rule: 'legacy authentication can meet no grant control', name: 'EAS under require MFA is blocked', policies: [policy()], context: context({ clientAppType: 'exchangeActiveSync', proven: passwordAndSms }), expect: { outcome: 'block', errorCode: 53003, explanationIncludes: 'Legacy authentication' } });
add({ rule: 'block legacy authentication', name: 'other clients blocked', policies: [policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] }, grantControls: block })], context: context({ clientAppType: 'other' }), expect: { outcome: 'block', errorCode: 53003 } });
add({ rule: 'block legacy authentication', name: 'browser unaffected', policies: [policy({ conditions: { clientAppTypes: ['exchangeActiveSync', 'other'] }, grantControls: block })], context: context(), expect: { outcome: 'grant' } });

// ---------------------------------------------------------------------------------------
// Device platforms
const allButKnown = { includePlatforms: ['all'], excludePlatforms: ['android', 'iOS', 'windows', 'macOS'] };
add({ rule: 'device platform', name: 'windows policy, windows', policies: [policy({ conditions: { platforms: { includePlatforms: ['windows'] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'device platform', name: 'windows policy, iOS', policies: [policy({ conditions: { platforms: { includePlatforms: ['windows'] } } })], context: context({ devicePlatform: 'iOS' }), expect: { results: ['notApplied'], reasons: [['devicePlatform']] } });
add({ rule: 'an unknown platform matches only all', name: 'all matches unknown', policies: [policy({ conditions: { platforms: { includePlatforms: ['all'] } } })], context: context({ devicePlatform: undefined }), expect: { results: ['failure'] } });
add({ rule: 'an unknown platform matches only all', name: 'a list does not match unknown', policies: [policy({ conditions: { platforms: { includePlatforms: ['windows', 'macOS'] } } })], context: context({ devicePlatform: undefined }), expect: { results: ['notApplied'] } });
add({ rule: 'an unknown platform matches only all', name: 'all minus the four known catches unknown', policies: [policy({ conditions: { platforms: allButKnown }, grantControls: block })], context: context({ devicePlatform: undefined }), expect: { outcome: 'block' } });
add({ rule: 'an unknown platform matches only all', name: 'all minus the four known catches linux', policies: [policy({ conditions: { platforms: allButKnown }, grantControls: block })], context: context({ devicePlatform: 'linux' }), expect: { outcome: 'block' } });
add({ rule: 'excludes beat includes', name: 'all minus the four known spares windows', policies: [policy({ conditions: { platforms: allButKnown }, grantControls: block })], context: context(), expect: { outcome: 'grant', reasons: [['devicePlatform']] } });
add({ rule: 'platforms object without includePlatforms is unconfigured', name: 'empty platforms', policies: [policy({ conditions: { platforms: { includePlatforms: [], excludePlatforms: [] } } })], context: context({ devicePlatform: 'android' }), expect: { results: ['failure'] } });

// ---------------------------------------------------------------------------------------
// Locations
const namedLocations: DirectoryView['namedLocations'] = [
  { '@odata.type': '#microsoft.graph.ipNamedLocation', id: LOC_HQ, displayName: 'HQ', isTrusted: true, ipRanges: [{ cidrAddress: '203.0.113.0/24' }, { cidrAddress: '2001:db8::/32' }] },
  { '@odata.type': '#microsoft.graph.countryNamedLocation', id: LOC_BLOCKED_COUNTRIES, displayName: 'Blocked', countriesAndRegions: ['KP', 'RU'], includeUnknownCountriesAndRegions: true },
];
add({ rule: 'locations All', name: 'All matches an unknown location', policies: [policy({ conditions: { locations: { includeLocations: ['All'] } } })], context: context({ location: undefined }), expect: { results: ['failure'] } });
add({ rule: 'locations AllTrusted', name: 'trusted IP', policies: [policy({ conditions: { locations: { includeLocations: ['AllTrusted'] } } })], context: context({ location: { namedLocationIds: [LOC_HQ], isTrusted: true } }), expect: { results: ['failure'] } });
add({ rule: 'locations AllTrusted', name: 'untrusted IP', policies: [policy({ conditions: { locations: { includeLocations: ['AllTrusted'] } } })], context: context(), expect: { results: ['notApplied'], reasons: [['location']] } });
add({ rule: 'excludes beat includes', name: 'All except trusted, at HQ', policies: [policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } } })], context: context({ location: { namedLocationIds: [LOC_HQ], isTrusted: true } }), expect: { outcome: 'grant', results: ['notApplied'] } });
add({ rule: 'excludes beat includes', name: 'All except trusted, elsewhere', policies: [policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } } })], context: context(), expect: { results: ['failure'] } });
add({ rule: 'named location by id', name: 'location listed', policies: [policy({ conditions: { locations: { includeLocations: [LOC_BLOCKED_COUNTRIES] } }, grantControls: block })], context: context({ location: { namedLocationIds: [LOC_BLOCKED_COUNTRIES] } }), expect: { outcome: 'block' } });
add({ rule: 'named locations resolved from the IP', name: 'IPv4 inside HQ range', policies: [policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: [LOC_HQ] } } })], context: context({ location: undefined, ipAddress: '203.0.113.77' }), directory: { namedLocations }, expect: { results: ['notApplied'] } });
add({ rule: 'named locations resolved from the IP', name: 'IPv6 inside HQ range', policies: [policy({ conditions: { locations: { includeLocations: ['AllTrusted'] } } })], context: context({ location: undefined, ipAddress: '2001:db8:1::5' }), directory: { namedLocations }, expect: { results: ['failure'] } });
add({ rule: 'named locations resolved from the IP', name: 'IP outside every range', policies: [policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: [LOC_HQ] } } })], context: context({ location: undefined, ipAddress: '198.51.100.1' }), directory: { namedLocations }, expect: { results: ['failure'] } });
add({ rule: 'country named locations', name: 'blocked country', policies: [policy({ conditions: { locations: { includeLocations: [LOC_BLOCKED_COUNTRIES] } }, grantControls: block })], context: context({ location: { country: 'RU' } }), directory: { namedLocations }, expect: { outcome: 'block' } });
add({ rule: 'country named locations', name: 'unknown country included by includeUnknownCountriesAndRegions', policies: [policy({ conditions: { locations: { includeLocations: [LOC_BLOCKED_COUNTRIES] } }, grantControls: block })], context: context({ location: { country: 'XX' } }), directory: { namedLocations }, expect: { outcome: 'block' } });
add({ rule: 'country named locations', name: 'allowed country', policies: [policy({ conditions: { locations: { includeLocations: [LOC_BLOCKED_COUNTRIES] } }, grantControls: block })], context: context({ location: { country: 'BE' } }), directory: { namedLocations }, expect: { outcome: 'grant' } });
add({ rule: 'legacy MFA trusted IPs location id', name: '00000000-… listed by the caller', policies: [policy({ conditions: { locations: { includeLocations: ['All'], excludeLocations: ['00000000-0000-0000-0000-000000000000'] } } })], context: context({ location: { namedLocationIds: ['00000000-0000-0000-0000-000000000000'], isTrusted: true } }), expect: { results: ['notApplied'] } });

// ---------------------------------------------------------------------------------------
// Devices
const compliantJoined = { deviceId: 'dev1', isCompliant: true, trustType: 'AzureAd', deviceOwnership: 'Company', operatingSystem: 'Windows' };
const hybrid = { deviceId: 'dev2', isCompliant: false, trustType: 'ServerAd', operatingSystem: 'Windows' };
const personalPhone = { deviceId: 'dev3', isCompliant: false, trustType: 'Workplace', deviceOwnership: 'Personal', operatingSystem: 'Android' };
const excludeCompliant = { deviceFilter: { mode: 'exclude' as const, rule: 'device.isCompliant -eq True -and device.deviceOwnership -eq "Company"' } };
add({ rule: 'device filter exclude mode', name: 'compliant company device excluded', policies: [policy({ conditions: { devices: excludeCompliant } })], context: context({ device: compliantJoined }), expect: { results: ['notApplied'], reasons: [['devices']] } });
add({ rule: 'device filter exclude mode', name: 'personal device not excluded', policies: [policy({ conditions: { devices: excludeCompliant } })], context: context({ device: personalPhone }), expect: { results: ['failure'] } });
add({ rule: 'unregistered device has null attributes', name: 'exclude filter does not exclude it', policies: [policy({ conditions: { devices: excludeCompliant } })], context: context({ device: undefined }), expect: { results: ['failure'] } });
add({ rule: 'device filter include mode', name: 'kiosk included', policies: [policy({ conditions: { devices: { deviceFilter: { mode: 'include', rule: 'device.displayName -startsWith "KIOSK"' } } }, grantControls: block })], context: context({ device: { displayName: 'KIOSK-7' } }), expect: { outcome: 'block' } });
add({ rule: 'device filter include mode', name: 'other device not included', policies: [policy({ conditions: { devices: { deviceFilter: { mode: 'include', rule: 'device.displayName -startsWith "KIOSK"' } } }, grantControls: block })], context: context({ device: { displayName: 'LAPTOP-1' } }), expect: { outcome: 'grant', reasons: [['devices']] } });
add({ rule: 'unregistered device has null attributes', name: 'include filter with a negative operator matches it', policies: [policy({ conditions: { devices: { deviceFilter: { mode: 'include', rule: 'device.trustType -ne "AzureAD"' } } }, grantControls: block })], context: context({ device: undefined }), expect: { outcome: 'block' } });
add({ rule: 'device filter trust types', name: 'ServerAD filter matches hybrid', policies: [policy({ conditions: { devices: { deviceFilter: { mode: 'include', rule: 'device.trustType -eq "ServerAD"' } } } })], context: context({ device: hybrid }), expect: { results: ['failure'] } });
add({ rule: 'a policy that cannot be read never grants', name: 'invalid device filter rule blocks', policies: [policy({ conditions: { devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -like True' } } } })], context: context({ proven: passwordAndSms }), expect: { outcome: 'block', errorCode: 53003, results: ['failure'], reasons: [['invalidPolicy']] } });
add({ rule: 'report-only never changes the outcome', name: 'invalid device filter in report-only', policies: [policy({ state: 'enabledForReportingButNotEnforced', conditions: { devices: { deviceFilter: { mode: 'exclude', rule: '(' } } } })], context: context(), expect: { outcome: 'grant', results: ['reportOnlyFailure'] } });
add({ rule: 'legacy deviceStates condition', name: 'excludeStates Compliant', policies: [policy({ conditions: { deviceStates: { includeStates: ['All'], excludeStates: ['Compliant'] } } })], context: context({ device: compliantJoined }), expect: { results: ['notApplied'] } });
add({ rule: 'legacy deviceStates condition', name: 'non-compliant device still included', policies: [policy({ conditions: { deviceStates: { includeStates: ['All'], excludeStates: ['Compliant', 'DomainJoined'] } } })], context: context({ device: personalPhone }), expect: { results: ['failure'] } });

// ---------------------------------------------------------------------------------------
// Risk
add({ rule: 'sign-in risk levels', name: 'high matches high', policies: [policy({ conditions: { signInRiskLevels: ['high'] }, grantControls: block })], context: context({ signInRiskLevel: 'high' }), expect: { outcome: 'block' } });
add({ rule: 'sign-in risk levels', name: 'medium does not match high', policies: [policy({ conditions: { signInRiskLevels: ['high'] }, grantControls: block })], context: context({ signInRiskLevel: 'medium' }), expect: { outcome: 'grant', reasons: [['signInRisk']] } });
add({ rule: 'an omitted input does not match', name: 'no sign-in risk given', policies: [policy({ conditions: { signInRiskLevels: ['high', 'medium'] }, grantControls: block })], context: context(), expect: { outcome: 'grant' } });
add({ rule: 'user risk levels', name: 'high user risk requires MFA and password change', policies: [policy({ conditions: { userRiskLevels: ['high'] }, grantControls: { operator: 'AND', builtInControls: ['mfa', 'passwordChange'] } })], context: context({ userRiskLevel: 'high', proven: passwordAndSms }), expect: { outcome: 'interrupt', errorCode: 50142, missing: ['passwordChange'] } });
add({ rule: 'user risk levels', name: 'remediated by password change', policies: [policy({ conditions: { userRiskLevels: ['high'] }, grantControls: { operator: 'AND', builtInControls: ['mfa', 'passwordChange'] } })], context: context({ userRiskLevel: 'high', proven: { ...passwordAndSms, passwordChanged: true } }), expect: { outcome: 'grant' } });
add({ rule: 'user risk levels', name: 'low user risk not matched', policies: [policy({ conditions: { userRiskLevels: ['high'] }, grantControls: block })], context: context({ userRiskLevel: 'low' }), expect: { outcome: 'grant', reasons: [['userRisk']] } });
add({ rule: 'insider risk levels', name: 'elevated matches', policies: [policy({ conditions: { insiderRiskLevels: 'moderate,elevated' }, grantControls: block })], context: context({ insiderRiskLevel: 'elevated' }), expect: { outcome: 'block' } });
add({ rule: 'insider risk levels', name: 'minor does not', policies: [policy({ conditions: { insiderRiskLevels: 'elevated' }, grantControls: block })], context: context({ insiderRiskLevel: 'minor' }), expect: { outcome: 'grant', reasons: [['insiderRisk']] } });
add({ rule: 'conditions are AND-ed', name: 'two failing conditions are both reported', policies: [policy({ conditions: { signInRiskLevels: ['high'], platforms: { includePlatforms: ['iOS'] } } })], context: context({ signInRiskLevel: 'low' }), expect: { reasons: [['devicePlatform', 'signInRisk']] } });

// ---------------------------------------------------------------------------------------
// Authentication flows and protocol tracking
const blockDeviceCode = (o: Partial<ConditionalAccessPolicy['conditions']> = {}): ConditionalAccessPolicy =>
  policy({ conditions: { authenticationFlows: { transferMethods: 'deviceCodeFlow' }, ...o }, grantControls: block });
add({ rule: 'authentication flows', name: 'device code flow blocked', policies: [blockDeviceCode()], context: context({ authenticationFlow: { transferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'block', errorCode: 53003 } });
add({ rule: 'authentication flows', name: 'ordinary flow unaffected', policies: [blockDeviceCode()], context: context({ authenticationFlow: { transferMethod: 'none' } }), expect: { outcome: 'grant', reasons: [['authenticationFlow']] } });
add({ rule: 'authentication flows', name: 'flow not given does not match', policies: [blockDeviceCode()], context: context(), expect: { outcome: 'grant' } });
add({ rule: 'protocol tracking: the session mark counts', name: 'refresh in a device-code session is blocked', policies: [blockDeviceCode()], context: context({ authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'block' } });
add({ rule: 'S13 block device code except SharePoint', name: 'device-code sign-in to SharePoint works', policies: [blockDeviceCode({ applications: { includeApplications: ['All'], excludeApplications: [SHAREPOINT] } })], context: context({ application: { appId: SHAREPOINT }, authenticationFlow: { transferMethod: 'deviceCodeFlow', originalTransferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'grant' } });
add({ rule: 'S13 block device code except SharePoint', name: 'later refresh for Exchange is blocked', policies: [blockDeviceCode({ applications: { includeApplications: ['All'], excludeApplications: [SHAREPOINT] } })], context: context({ application: { appId: EXCHANGE }, authenticationFlow: { transferMethod: 'none', originalTransferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'block', errorCode: 53003 } });
add({ rule: 'S14 authentication transfer', name: 'transfer blocked', policies: [policy({ conditions: { authenticationFlows: { transferMethods: 'authenticationTransfer' } }, grantControls: block })], context: context({ authenticationFlow: { transferMethod: 'authenticationTransfer' } }), expect: { outcome: 'block' } });
add({ rule: 'S14 authentication transfer', name: 'comma-joined flags match either', policies: [policy({ conditions: { authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' } }, grantControls: block })], context: context({ authenticationFlow: { transferMethod: 'authenticationTransfer' } }), expect: { outcome: 'block' } });
add({ rule: 'S15 device registration service is a resource', name: 'DRS not excluded: device-code registration blocked', policies: [blockDeviceCode()], context: context({ application: { appId: DRS }, authenticationFlow: { transferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'block' } });
add({ rule: 'S15 device registration service is a resource', name: 'DRS excluded: allowed', policies: [blockDeviceCode({ applications: { includeApplications: ['All'], excludeApplications: [DRS] } })], context: context({ application: { appId: DRS }, authenticationFlow: { transferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'grant' } });

// ---------------------------------------------------------------------------------------
// Policy state
add({ rule: 'disabled policies log notEnabled', name: 'disabled block', policies: [policy({ state: 'disabled', grantControls: block })], context: context(), expect: { outcome: 'grant', results: ['notEnabled'], reasons: [['policyNotEnabled']], status: 'notApplied' } });
add({ rule: 'S16 report-only never changes the outcome', name: 'report-only block', policies: [policy({ state: 'enabledForReportingButNotEnforced', grantControls: block })], context: context(), expect: { outcome: 'grant', results: ['reportOnlyFailure'], status: 'notApplied', explanationIncludes: 'would not have been satisfied' } });
add({ rule: 'report-only results', name: 'would have needed MFA: reportOnlyInterrupted', policies: [policy({ state: 'enabledForReportingButNotEnforced' })], context: context(), expect: { outcome: 'grant', results: ['reportOnlyInterrupted'] } });
add({ rule: 'report-only results', name: 'satisfied: reportOnlySuccess', policies: [policy({ state: 'enabledForReportingButNotEnforced' })], context: context({ proven: passwordAndSms }), expect: { results: ['reportOnlySuccess'], requirement: 'singleFactorAuthentication' } });
add({ rule: 'report-only results', name: 'not applied: reportOnlyNotApplied', policies: [policy({ state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: [U2] } } })], context: context(), expect: { results: ['reportOnlyNotApplied'], reasons: [['users']] } });
add({ rule: 'report-only never changes the status', name: 'enforced success plus report-only failure', policies: [policy(), policy({ state: 'enabledForReportingButNotEnforced', grantControls: block })], context: context({ proven: passwordAndSms }), expect: { outcome: 'grant', status: 'success', results: ['success', 'reportOnlyFailure'] } });
add({ rule: 'report-only results', name: 'compliant device needed: reportOnlyFailure', policies: [policy({ state: 'enabledForReportingButNotEnforced', grantControls: { builtInControls: ['compliantDevice'] } })], context: context(), expect: { results: ['reportOnlyFailure'] } });

// ---------------------------------------------------------------------------------------
// Grant controls
add({ rule: 'block wins', name: 'block beats a satisfied MFA policy', policies: [policy(), policy({ grantControls: block })], context: context({ proven: passwordAndSms }), expect: { outcome: 'block', errorCode: 53003, results: ['success', 'failure'], status: 'failure' } });
add({ rule: 'block wins', name: 'block beats an interrupt', policies: [policy(), policy({ grantControls: block })], context: context(), expect: { outcome: 'block', errorCode: 53003, missing: ['block', 'mfa'] } });
add({ rule: 'AND needs all controls', name: 'MFA and compliant device both met', policies: [policy({ grantControls: { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] } })], context: context({ proven: passwordAndSms, device: compliantJoined }), expect: { outcome: 'grant' } });
add({ rule: 'AND needs all controls', name: 'MFA met, device not compliant: 53000', policies: [policy({ grantControls: { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] } })], context: context({ proven: passwordAndSms, device: personalPhone }), expect: { outcome: 'block', errorCode: 53000, missing: ['compliantDevice'] } });
add({ rule: 'AND needs all controls', name: 'neither met: the device cannot be fixed in this sign-in', policies: [policy({ grantControls: { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] } })], context: context({ device: personalPhone }), expect: { outcome: 'block', errorCode: 53000, missing: ['mfa', 'compliantDevice'] } });
add({ rule: 'OR needs one control', name: 'compliant device alone', policies: [policy({ grantControls: { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] } })], context: context({ device: compliantJoined }), expect: { outcome: 'grant', requirement: 'singleFactorAuthentication' } });
add({ rule: 'OR needs one control', name: 'nothing met: MFA is asked first', policies: [policy({ grantControls: { operator: 'OR', builtInControls: ['compliantDevice', 'mfa'] } })], context: context(), expect: { outcome: 'interrupt', errorCode: 50076, missing: ['mfa', 'compliantDevice'] } });
add({ rule: 'every applicable policy is satisfied on its own (no merging)', name: 'OR(mfa, compliant) + AND(mfa) with a compliant device still needs MFA', policies: [policy({ grantControls: { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] } }), policy({ grantControls: { operator: 'AND', builtInControls: ['mfa'] } })], context: context({ device: compliantJoined }), expect: { outcome: 'interrupt', errorCode: 50076, results: ['success', 'failure'] } });
add({ rule: 'every applicable policy is satisfied on its own (no merging)', name: 'two policies, both met', policies: [policy({ grantControls: { builtInControls: ['compliantDevice'] } }), policy()], context: context({ device: compliantJoined, proven: passwordAndSms }), expect: { outcome: 'grant', results: ['success', 'success'] } });
add({ rule: 'domainJoinedDevice means hybrid joined', name: 'ServerAd device', policies: [policy({ grantControls: { builtInControls: ['domainJoinedDevice'] } })], context: context({ device: hybrid }), expect: { outcome: 'grant' } });
add({ rule: 'domainJoinedDevice means hybrid joined', name: 'Entra joined only: 53001', policies: [policy({ grantControls: { builtInControls: ['domainJoinedDevice'] } })], context: context({ device: compliantJoined }), expect: { outcome: 'block', errorCode: 53001 } });
add({ rule: 'compliant or hybrid joined', name: 'hybrid satisfies OR', policies: [policy({ grantControls: { operator: 'OR', builtInControls: ['compliantDevice', 'domainJoinedDevice'] } })], context: context({ device: hybrid }), expect: { outcome: 'grant' } });
add({ rule: 'device code flow cannot meet device-state grants', name: 'compliant device over device code', policies: [policy({ grantControls: { builtInControls: ['compliantDevice'] } })], context: context({ device: compliantJoined, authenticationFlow: { transferMethod: 'deviceCodeFlow' } }), expect: { outcome: 'block', errorCode: 53000 } });
add({ rule: 'approved client app', name: 'not approved: 53002', policies: [policy({ grantControls: { builtInControls: ['approvedApplication'] } })], context: context(), expect: { outcome: 'block', errorCode: 53002 } });
add({ rule: 'app protection policy', name: 'protected app', policies: [policy({ grantControls: { operator: 'OR', builtInControls: ['approvedApplication', 'compliantApplication'] } })], context: context({ clientApp: { compliantApplication: true } }), expect: { outcome: 'grant' } });
add({ rule: 'terms of use', name: 'not accepted: interrupt', policies: [policy({ grantControls: { operator: 'AND', termsOfUse: [TOU] } })], context: context(), expect: { outcome: 'interrupt', errorCode: 50158, missing: ['termsOfUse'] } });
add({ rule: 'terms of use', name: 'accepted', policies: [policy({ grantControls: { operator: 'AND', termsOfUse: [TOU] } })], context: context({ proven: { ...passwordOnly, acceptedTermsOfUse: [TOU] } }), expect: { outcome: 'grant' } });
add({ rule: 'custom controls', name: 'custom factor satisfied', policies: [policy({ grantControls: { operator: 'AND', customAuthenticationFactors: ['duo'] } })], context: context({ proven: { ...passwordOnly, customFactors: ['duo'] } }), expect: { outcome: 'grant' } });
add({ rule: 'an unknown grant control is never met', name: 'verifiedID fails closed', policies: [policy({ grantControls: { builtInControls: ['verifiedID'] } })], context: context({ proven: passwordAndSms }), expect: { outcome: 'block', errorCode: 53003, missing: ['unsupportedControl'] } });
add({ rule: 'session-only policies grant', name: 'no grant controls', policies: [policy({ grantControls: null, sessionControls: { persistentBrowser: { isEnabled: true, mode: 'never' } } })], context: context(), expect: { outcome: 'grant', results: ['success'], session: { persistentBrowser: 'never' } } });
add({ rule: 'session-only policies grant', name: 'empty grantControls object', policies: [policy({ grantControls: {} })], context: context(), expect: { outcome: 'grant', results: ['success'] } });
add({ rule: 'mfa is satisfied by the MFA claim', name: 'claim present', policies: [policy()], context: context({ proven: { methods: ['password'], mfa: true, authTime: NOW - 60, mfaSource: 'token' } }), expect: { outcome: 'grant', mfaSatisfiedBy: 'claimInTheToken', requirement: 'multiFactorAuthentication' } });

// ---------------------------------------------------------------------------------------
// Authentication strengths
const customStrength: AuthenticationStrengthPolicy = { id: 'ffffffff-aaaa-0000-0000-000000000001', displayName: 'FIDO2 or TAP', policyType: 'custom', requirementsSatisfied: 'mfa', allowedCombinations: ['fido2', 'temporaryAccessPassOneTime'] };
const restrictedFido: AuthenticationStrengthPolicy = {
  id: 'ffffffff-aaaa-0000-0000-000000000002',
  displayName: 'YubiKeys only',
  allowedCombinations: ['fido2'],
  combinationConfigurations: [{ '@odata.type': '#microsoft.graph.fido2CombinationConfiguration', appliesToCombinations: ['fido2'], allowedAAGUIDs: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'] }],
};
add({ rule: 'strength satisfied when some combination is proven', name: 'custom strength from the strengths input', policies: [policy({ grantControls: strength(customStrength.id) })], strengths: [customStrength], context: context({ proven: { methods: ['temporaryAccessPassOneTime'], mfa: true, authTime: NOW } }), expect: { outcome: 'grant' } });
add({ rule: 'strength satisfied when some combination is proven', name: 'custom strength not met by password+SMS', policies: [policy({ grantControls: strength(customStrength.id) })], strengths: [customStrength], context: context({ proven: passwordAndSms }), expect: { outcome: 'interrupt', missingStrengths: [customStrength.id] } });
add({ rule: 'a strength embedded in the policy is used when not given separately', name: 'embedded custom strength', policies: [policy({ grantControls: { operator: 'OR', authenticationStrength: { id: 'ffffffff-aaaa-0000-0000-000000000003', displayName: 'Embedded', allowedCombinations: ['fido2'] } } })], context: context({ proven: { methods: ['fido2'], mfa: true, authTime: NOW } }), expect: { outcome: 'grant' } });
add({ rule: 'built-in strengths are keyed by id', name: 'an outdated embedded MFA list does not hide password,x509CertificateSingleFactor', policies: [policy({ grantControls: { operator: 'OR', authenticationStrength: { id: MFA_STRENGTH, allowedCombinations: ['password,sms'] } } })], context: context({ proven: { methods: ['password', 'x509CertificateSingleFactor'], mfa: true, authTime: NOW } }), expect: { outcome: 'grant' } });
add({ rule: 'an unknown strength is never met', name: 'bare id not resolvable', policies: [policy({ grantControls: strength('12345678-0000-0000-0000-000000000000') })], context: context({ proven: { methods: ['fido2'], mfa: true, authTime: NOW } }), expect: { outcome: 'block', errorCode: 53003 } });
add({ rule: 'combination configurations restrict authenticators', name: 'allowed AAGUID', policies: [policy({ grantControls: strength(restrictedFido.id) })], strengths: [restrictedFido], context: context({ proven: { methods: ['fido2'], mfa: true, authTime: NOW, fido2Aaguid: 'CB69481E-8FF7-4039-93EC-0A2729A154A8' } }), expect: { outcome: 'grant' } });
add({ rule: 'combination configurations restrict authenticators', name: 'other AAGUID', policies: [policy({ grantControls: strength(restrictedFido.id) })], strengths: [restrictedFido], context: context({ proven: { methods: ['fido2'], mfa: true, authTime: NOW, fido2Aaguid: '00000000-0000-0000-0000-000000000000' } }), expect: { outcome: 'interrupt' } });
add({ rule: 'all applicable strengths must be met', name: 'MFA strength met, phishing-resistant not', policies: [policy({ grantControls: strength(MFA_STRENGTH) }), policy({ grantControls: strength(PHISHING_RESISTANT) })], context: context({ proven: passwordAndSms }), expect: { outcome: 'interrupt', results: ['success', 'failure'], missingStrengths: [PHISHING_RESISTANT] } });
add({ rule: 'no registered method of the strength: registration interrupt', name: 'S4 SMS-only user under Passwordless MFA', policies: [policy({ grantControls: strength(PASSWORDLESS) })], context: context({ proven: passwordAndSms, registeredMethods: ['password', 'sms'] }), expect: { outcome: 'interrupt', errorCode: 50079 } });
add({ rule: 'no registered method of the strength: registration interrupt', name: 'user with passwordless phone sign-in is asked to prove it', policies: [policy({ grantControls: strength(PASSWORDLESS) })], context: context({ proven: passwordOnly, registeredMethods: ['password', 'deviceBasedPush'] }), expect: { outcome: 'interrupt', errorCode: 50076 } });
add({ rule: 'a user without a second factor must enrol one', name: '50072', policies: [policy()], context: context({ registeredMethods: ['password'] }), expect: { outcome: 'interrupt', errorCode: 50072 } });

// ---------------------------------------------------------------------------------------
// Sign-in frequency and session controls
const sif = (value: number, type: 'hours' | 'days' = 'hours') => ({ signInFrequency: { isEnabled: true, value, type, authenticationType: 'primaryAndSecondaryAuthentication', frequencyInterval: 'timeBased' } });
const prtMfa = (ageHours: number) => ({ methods: ['password', 'sms'], mfa: true, authTime: NOW - ageHours * HOUR, mfaSource: 'primaryRefreshToken' as const });
add({ rule: 'S11 sign-in frequency: MFA older than the window is re-asked', name: 'MFA 5 h ago, SIF 4 h', policies: [policy({ sessionControls: sif(4) })], context: context({ proven: prtMfa(5) }), expect: { outcome: 'interrupt', errorCode: 50078, missing: ['mfa'], reauthentication: true } });
add({ rule: 'S7 sign-in frequency: within the window stays silent', name: 'MFA 3 h ago, SIF 4 h', policies: [policy({ id: 'sif-4', sessionControls: sif(4) })], context: context({ proven: prtMfa(3) }), expect: { outcome: 'grant', mfaSatisfiedBy: 'claimInTheToken', session: { signInFrequency: { frequencyInterval: 'timeBased', authenticationType: 'primaryAndSecondaryAuthentication', seconds: 4 * HOUR, value: 4, type: 'hours', policyId: 'sif-4' } } } });
add({ rule: 'sign-in frequency without MFA: re-authentication', name: 'session policy, first factor 2 days old, SIF 1 day', policies: [policy({ grantControls: null, sessionControls: sif(1, 'days') })], context: context({ proven: { methods: ['password'], mfa: false, authTime: NOW - 48 * HOUR } }), expect: { outcome: 'interrupt', errorCode: 70043, reauthentication: true, missing: [] } });
add({ rule: 'sign-in frequency every time', name: 'authentication 10 minutes ago', policies: [policy({ sessionControls: { signInFrequency: { isEnabled: true, frequencyInterval: 'everyTime', authenticationType: 'primaryAndSecondaryAuthentication', value: null, type: null } } })], context: context({ proven: { ...prtMfa(0), authTime: NOW - 600 } }), expect: { outcome: 'interrupt', reauthentication: true } });
add({ rule: 'sign-in frequency every time', name: 'within the 5-minute tolerance', policies: [policy({ sessionControls: { signInFrequency: { isEnabled: true, frequencyInterval: 'everyTime', authenticationType: 'primaryAndSecondaryAuthentication', value: null, type: null } } })], context: context({ proven: { ...prtMfa(0), authTime: NOW - 120 } }), expect: { outcome: 'grant' } });
add({ rule: 'sign-in frequency secondaryAuthentication', name: 'old first factor, fresh MFA', policies: [policy({ sessionControls: { signInFrequency: { isEnabled: true, value: 1, type: 'hours', authenticationType: 'secondaryAuthentication', frequencyInterval: 'timeBased' } } })], context: context({ proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - 10 * HOUR, mfaTime: NOW - 600 } }), expect: { outcome: 'grant' } });
add({ rule: 'the MFA claim must be younger than any applicable SIF', name: 'SIF on another policy makes the MFA claim stale', policies: [policy(), policy({ grantControls: null, sessionControls: sif(2) })], context: context({ proven: prtMfa(3) }), expect: { outcome: 'interrupt', errorCode: 50078, results: ['failure', 'failure'] } });
add({ rule: 'report-only never changes the outcome', name: 'report-only SIF does not age the MFA claim', policies: [policy(), policy({ state: 'enabledForReportingButNotEnforced', grantControls: null, sessionControls: sif(1) })], context: context({ proven: prtMfa(3) }), expect: { outcome: 'grant', results: ['success', 'reportOnlyInterrupted'] } });
add({ rule: 'session controls combine to the strictest', name: 'shortest SIF and never over always', policies: [policy({ grantControls: null, sessionControls: { ...sif(12), persistentBrowser: { isEnabled: true, mode: 'always' } } }), policy({ id: 'short', grantControls: null, sessionControls: { ...sif(4), persistentBrowser: { isEnabled: true, mode: 'never' } } })], context: context({ proven: { ...passwordOnly, authTime: NOW - HOUR } }), expect: { outcome: 'grant', session: { persistentBrowser: 'never', signInFrequency: { frequencyInterval: 'timeBased', authenticationType: 'primaryAndSecondaryAuthentication', seconds: 4 * HOUR, value: 4, type: 'hours', policyId: 'short' } } } });
add({ rule: 'session controls', name: 'disabled SIF is ignored', policies: [policy({ grantControls: null, sessionControls: { signInFrequency: { isEnabled: false, value: 1, type: 'hours' } } })], context: context({ proven: { ...passwordOnly, authTime: NOW - 48 * HOUR } }), expect: { outcome: 'grant' } });
add({ rule: 'sign-in frequency', name: 'unknown authentication time is treated as expired', policies: [policy({ grantControls: null, sessionControls: sif(4) })], context: context({ proven: { methods: ['password'], mfa: false } }), expect: { outcome: 'interrupt', reauthentication: true } });
add({ rule: 'session controls', name: 'app enforced restrictions and MCAS are collected', policies: [policy({ grantControls: null, sessionControls: { applicationEnforcedRestrictions: { isEnabled: true }, cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'blockDownloads' } } })], context: context(), expect: { session: { applicationEnforcedRestrictions: true, cloudAppSecurity: ['blockDownloads'] } } });

// ---------------------------------------------------------------------------------------
// Why MFA was not prompted
add({ rule: 'mfaSatisfiedBy', name: 'remember-MFA cookie', policies: [policy()], context: context({ proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - HOUR, mfaSource: 'rememberMfa' } }), expect: { outcome: 'grant', mfaSatisfiedBy: 'rememberedMfa', explanationIncludes: 'remembered device' } });
add({ rule: 'mfaSatisfiedBy', name: 'MFA done in this sign-in', policies: [policy()], context: context({ proven: passwordAndSms }), expect: { outcome: 'grant', mfaSatisfiedBy: 'thisSignIn' } });
add({ rule: 'mfaSatisfiedBy', name: 'no policy requires MFA', policies: [policy({ grantControls: { builtInControls: ['compliantDevice'] } })], context: context({ device: compliantJoined, proven: helloPrt }), expect: { outcome: 'grant', mfaSatisfiedBy: null, requirement: 'singleFactorAuthentication' } });

// ---------------------------------------------------------------------------------------
// Status and errors
add({ rule: 'conditionalAccessStatus', name: 'notApplied when nothing applies', policies: [policy({ conditions: { users: { includeUsers: [U2] } } })], context: context(), expect: { status: 'notApplied', explanationIncludes: 'no enabled policy applied' } });
add({ rule: 'conditionalAccessStatus', name: 'no policies at all', policies: [], context: context(), expect: { outcome: 'grant', status: 'notApplied' } });
add({ rule: 'a policy that cannot be read never grants', name: 'malformed enabled policy', policies: [{ state: 'enabled', conditions: { users: { includeUsers: 'All' } } } as unknown as ConditionalAccessPolicy], context: context({ proven: passwordAndSms }), expect: { outcome: 'block', results: ['failure'], reasons: [['invalidPolicy']], explanationIncludes: 'could not be read' } });
add({ rule: 'a policy that cannot be read never grants', name: 'malformed but disabled policy is ignored', policies: [{ state: 'disabled', conditions: 7 } as unknown as ConditionalAccessPolicy], context: context(), expect: { outcome: 'grant', results: ['notEnabled'] } });
add({ rule: 'an error inside evaluation never grants', name: 'context without identity', policies: [], context: { ...context(), user: undefined }, expect: { outcome: 'block', errorCode: 53003 } });
add({ rule: 'an error inside evaluation never grants', name: 'invalid now', policies: [], context: context({ now: 'yesterday' }), expect: { outcome: 'block' } });
add({ rule: 'time is data', name: 'ISO 8601 times', policies: [policy({ sessionControls: sif(4) })], context: context({ now: '2025-06-15T12:00:00Z', proven: { methods: ['password', 'sms'], mfa: true, authTime: '2025-06-15T09:00:00Z' } }), expect: { outcome: 'grant' } });
add({ rule: 'time is data', name: 'ISO 8601 times, window passed', policies: [policy({ sessionControls: sif(4) })], context: context({ now: '2025-06-15T14:00:01Z', proven: { methods: ['password', 'sms'], mfa: true, authTime: '2025-06-15T10:00:00Z' } }), expect: { outcome: 'interrupt' } });

// ---------------------------------------------------------------------------------------
// Scenarios (scenarios.md). Policy A: all users, all resources, Windows, Passwordless MFA.
const policyA = policy({ id: 'policy-a', displayName: 'Policy A', conditions: { platforms: { includePlatforms: ['windows'] } }, grantControls: strength(PASSWORDLESS) });
add({ rule: 'S1 Hello PRT satisfies Policy A silently', name: 'token from the PRT', policies: [policyA], context: context({ clientAppType: 'mobileAppsAndDesktopClients', device: compliantJoined, proven: helloPrt }), expect: { outcome: 'grant', results: ['success'], mfaSatisfiedBy: 'claimInTheToken', explanationIncludes: 'MFA requirement satisfied by claim in the token' } });
add({ rule: 'S2 private window: password alone is refused', name: 'password only', policies: [policyA], context: context({ device: undefined }), expect: { outcome: 'interrupt', missingStrengths: [PASSWORDLESS], explanationIncludes: "authentication strength 'Passwordless MFA'" } });
add({ rule: 'S2 private window: a passwordless method succeeds', name: 'FIDO2 key', policies: [policyA], context: context({ device: undefined, proven: { methods: ['fido2'], mfa: true, authTime: NOW, mfaSource: 'thisSignIn' } }), expect: { outcome: 'grant' } });
add({ rule: 'S2 private window: a passwordless method succeeds', name: 'authenticator phone sign-in', policies: [policyA], context: context({ device: undefined, proven: { methods: ['deviceBasedPush'], mfa: true, authTime: NOW } }), expect: { outcome: 'grant' } });
add({ rule: 'S3 password PRT lacks a passwordless MFA claim', name: 'silent request interrupted', policies: [policyA], context: context({ clientAppType: 'mobileAppsAndDesktopClients', device: compliantJoined, proven: { methods: ['password'], mfa: false, authTime: NOW - HOUR, mfaSource: 'primaryRefreshToken' } }), expect: { outcome: 'interrupt', errorCode: 50076, results: ['failure'] } });
add({ rule: 'S4 SMS-only user cannot provision Hello under Policy A', name: 'DRS token needs the strength', policies: [policyA], context: context({ application: { appId: DRS }, proven: passwordAndSms, registeredMethods: ['password', 'sms'] }), expect: { outcome: 'interrupt', errorCode: 50079 } });
add({ rule: 'S5 passwordless phone sign-in satisfies Policy A for provisioning', name: 'DRS token', policies: [policyA], context: context({ application: { appId: DRS }, proven: { methods: ['deviceBasedPush'], mfa: true, authTime: NOW } }), expect: { outcome: 'grant' } });
add({ rule: 'S6 MFA once, then silent for the next app', name: 'app X without MFA', policies: [policy({ conditions: { applications: { includeApplications: [APP_R, APP_X] } } })], context: context({ application: { appId: APP_R }, device: hybrid, proven: { methods: ['password'], mfa: false, authTime: NOW - HOUR, mfaSource: 'primaryRefreshToken' } }), expect: { outcome: 'interrupt', errorCode: 50076 } });
add({ rule: 'S6 MFA once, then silent for the next app', name: 'app Y with the PRT MFA claim', policies: [policy({ conditions: { applications: { includeApplications: [APP_R, APP_X] } } })], context: context({ application: { appId: APP_X }, device: hybrid, proven: prtMfa(0) }), expect: { outcome: 'grant', mfaSatisfiedBy: 'claimInTheToken' } });
add({ rule: 'S12 remember MFA', name: 'same browser within N days', policies: [policy()], context: context({ proven: { methods: ['password', 'sms'], mfa: true, authTime: NOW - 12 * HOUR, mfaSource: 'rememberMfa' } }), expect: { outcome: 'grant', mfaSatisfiedBy: 'rememberedMfa' } });
add({ rule: 'S12 remember MFA', name: 'another browser has no cookie', policies: [policy()], context: context({ proven: passwordOnly }), expect: { outcome: 'interrupt', errorCode: 50076 } });
add({ rule: 'S17 FIDO2 on a shared device', name: 'key only, no phone', policies: [policyA], context: context({ device: { ...compliantJoined, profileType: 'Shared' }, proven: { methods: ['fido2'], mfa: true, authTime: NOW, mfaSource: 'thisSignIn' } }), expect: { outcome: 'grant', mfaSatisfiedBy: 'thisSignIn' } });
add({ rule: 'Policy A targets Windows only', name: 'macOS is not in scope', policies: [policyA], context: context({ devicePlatform: 'macOS' }), expect: { outcome: 'grant', reasons: [['devicePlatform']] } });

// ---------------------------------------------------------------------------------------
// What If examples of the reference docs (conditionalaccessroot-evaluate), as sign-ins.
const WI_USER = '15dc174b-f34c-4588-ac45-61d6e05dce93';
const AU1 = 'f7ca74b0-8562-4083-b66c-0476f942cfd0';
const wiOffice = policy({ id: 'df9e6f15-2b60-4e78-b990-b2da33a10886', state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'], excludeUsers: [AU1] }, applications: { includeApplications: ['Office365'] } }, grantControls: null, sessionControls: { applicationEnforcedRestrictions: { isEnabled: true } } });
const wiRisk = policy({ id: '37d51c45-8c60-4f82-98e0-6e1451cecf7c', state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'], excludeUsers: [AU1] }, userRiskLevels: ['high'] }, grantControls: { operator: 'AND', builtInControls: ['mfa', 'passwordChange'] } });
const wiAdmins = policy({ state: 'enabledForReportingButNotEnforced', conditions: { users: { includeRoles: [ROLE_GA], excludeUsers: [AU1] } } });
const wiRsInfo = policy({ state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'], excludeUsers: [AU1] }, applications: { includeUserActions: ['urn:user:registersecurityinfo'] } }, grantControls: strength(MFA_STRENGTH) });
const wiAuthContext = policy({ state: 'enabledForReportingButNotEnforced', conditions: { applications: { includeApplications: [], includeAuthenticationContextClassReferences: ['c1', 'c37'] } }, grantControls: strength(MFA_STRENGTH) });
const wiSpBlock = policy({ state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['None'] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'] }, locations: { includeLocations: ['All'] } }, grantControls: block });
const wiUser = { id: WI_USER, userType: 'member' as const, roleTemplateIds: [ROLE_GA] };
add({ rule: 'What If example 1: SharePoint on Android in a browser, high risk', name: 'Office365 and user-risk policies apply', policies: [wiOffice, wiRisk], context: context({ user: wiUser, application: { appId: SHAREPOINT }, devicePlatform: 'android', clientAppType: 'browser', signInRiskLevel: 'high', userRiskLevel: 'high', insiderRiskLevel: 'elevated', authenticationFlow: { transferMethod: 'deviceCodeFlow' }, device: { isCompliant: true } }), expect: { outcome: 'grant', results: ['reportOnlySuccess', 'reportOnlyInterrupted'], reasons: [['notSet'], ['notSet']] } });
add({ rule: 'What If example 2: authentication context c37', name: 'auth-context policy applies', policies: [wiAuthContext, wiOffice], context: context({ user: wiUser, application: undefined, authenticationContextClassReferences: ['c37'], devicePlatform: 'windows', clientAppType: 'mobileAppsAndDesktopClients', signInRiskLevel: 'medium', userRiskLevel: 'none' }), expect: { results: ['reportOnlyInterrupted', 'reportOnlyNotApplied'], reasons: [['notSet'], ['authenticationContext']] } });
add({ rule: 'What If example 3: register security information', name: 'user-action, All-resources and admin policies apply', policies: [wiRisk, wiAdmins, wiRsInfo, wiOffice], context: context({ user: wiUser, application: undefined, userAction: 'urn:user:registersecurityinfo', devicePlatform: 'macOS', signInRiskLevel: 'low', userRiskLevel: 'high', device: { trustType: 'EntraID' } }), expect: { results: ['reportOnlyInterrupted', 'reportOnlyInterrupted', 'reportOnlyInterrupted', 'reportOnlyNotApplied'], reasons: [['notSet'], ['notSet'], ['notSet'], ['userActions']] } });
add({ rule: 'What If example 4: service principal', name: 'workload identity block policies apply', policies: [wiSpBlock, wiOffice], context: spContext({ application: { appId: '00000003-0000-0000-c000-000000000000' }, servicePrincipal: { id: 'c65b94a5-0049-439a-a6fd-bce307077730', appId: APP_X }, servicePrincipalRiskLevel: 'high', clientAppType: undefined, location: { country: 'CA' } }), expect: { outcome: 'grant', results: ['reportOnlyFailure', 'reportOnlyNotApplied'], reasons: [['notSet'], ['workloadIdentities', 'application']] } });

// ---------------------------------------------------------------------------------------
// The authentication-strength method table of entra-reference.md §3: method -> MFA,
// Passwordless, Phishing-resistant.
const methodTable: Array<[string, readonly string[], boolean, boolean, boolean]> = [
  ['FIDO2 / passkey', ['fido2'], true, true, true],
  ['Windows Hello for Business', ['windowsHelloForBusiness'], true, true, true],
  ['certificate multi-factor', ['x509CertificateMultiFactor'], true, true, true],
  ['Authenticator phone sign-in', ['deviceBasedPush'], true, true, false],
  ['TAP one-time', ['temporaryAccessPassOneTime'], true, false, false],
  ['TAP multi-use', ['temporaryAccessPassMultiUse'], true, false, false],
  ['password + SMS', ['password', 'sms'], true, false, false],
  ['password + voice', ['password', 'voice'], true, false, false],
  ['password + Authenticator push', ['password', 'microsoftAuthenticatorPush'], true, false, false],
  ['password + software OATH', ['password', 'softwareOath'], true, false, false],
  ['password + hardware OATH', ['password', 'hardwareOath'], true, false, false],
  ['password + certificate single-factor', ['password', 'x509CertificateSingleFactor'], true, false, false],
  ['federated MFA', ['federatedMultiFactor'], true, false, false],
  ['federated single factor + SMS', ['federatedSingleFactor', 'sms'], true, false, false],
  ['federated single factor + push', ['federatedSingleFactor', 'microsoftAuthenticatorPush'], true, false, false],
  ['federated single factor + software OATH', ['federatedSingleFactor', 'softwareOath'], true, false, false],
  ['federated single factor + hardware OATH', ['federatedSingleFactor', 'hardwareOath'], true, false, false],
  ['federated single factor + voice', ['federatedSingleFactor', 'voice'], true, false, false],
  ['password alone', ['password'], false, false, false],
  ['SMS sign-in', ['sms'], false, false, false],
  ['certificate single-factor alone', ['x509CertificateSingleFactor'], false, false, false],
  ['federated single factor alone', ['federatedSingleFactor'], false, false, false],
];
for (const [method, methods, mfa, passwordless, phishingResistant] of methodTable) {
  for (const [id, name, expected] of [
    [MFA_STRENGTH, 'Multifactor authentication', mfa],
    [PASSWORDLESS, 'Passwordless MFA', passwordless],
    [PHISHING_RESISTANT, 'Phishing-resistant MFA', phishingResistant],
  ] as const) {
    add({
      rule: 'authentication strength method table (set membership, not levels)',
      name: `${method} ${expected ? 'satisfies' : 'does not satisfy'} ${name}`,
      policies: [policy({ grantControls: strength(id) })],
      context: context({ proven: { methods, mfa: methods.length > 1 || methods[0] !== 'password', authTime: NOW } }),
      expect: { outcome: expected ? 'grant' : 'interrupt', results: [expected ? 'success' : 'failure'] },
    });
  }
}

describe('evaluate: table', () => {
  for (const c of cases) {
    test(`${c.rule}: ${c.name}`, () => {
      const directory = c.directory;
      const d = evaluate({
        policies: c.policies,
        context: c.context,
        ...(c.strengths ? { strengths: c.strengths } : {}),
        ...(directory ? { directory } : {}),
      });
      check(d, c.expect);
      // The same answer from a compiled set.
      const compiled = compilePolicies(c.policies, {
        ...(c.strengths ? { strengths: c.strengths } : {}),
        ...(directory?.applicationGroups ? { applicationGroups: directory.applicationGroups } : {}),
      });
      assert.deepEqual(evaluate({ policies: compiled, context: c.context, ...(directory ? { directory } : {}) }), d);
    });
  }

  test('the table has at least 150 cases', () => {
    assert.ok(cases.length >= 150, `${cases.length} cases`);
  });
});

