// Fifty enabled conditional access policies for the "with policies" measurements: a tenant's
// realistic set (shapes and names after the exports in /work/shared/corpus, e.g. the
// Cloudshield and j0eyv baselines), built so that the benchmark's own requests still succeed:
// every policy that would need MFA, a compliant device or a block does not apply to the bench
// user's refresh or to the admin app's client credentials (trusted location, platform, client
// app type, risk, group, role, guest, user action, application, authentication flow), while the
// session-control policies (sign-in frequency, persistent browser, ...) do apply and are met by
// the password sign-in the refresh tokens carry. Created through the admin API like any tenant's.
import type { HttpsClient } from './http.js';

/** Graph calls with the bootstrap admin app's token. */
export type Graph = <T>(method: string, path: string, json?: unknown) => Promise<T>;

export function adminGraph(http: HttpsClient, origin: string, token: string): Graph {
  return async <T>(method: string, path: string, json?: unknown): Promise<T> => {
    const r = await http.json<T>(`${origin}/v1.0${path}`, { method, headers: { authorization: `Bearer ${token}` }, json });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
}

/** The directory objects the policies refer to; made before any measurement, so both phases see the same directory. */
export interface PolicyDirectory {
  /** Groups: the bench users are in `engineering`, which is nested in `allStaff`; the others are empty. */
  groups: { allStaff: string; engineering: string; finance: string; admins: string; serviceAccounts: string; breakGlass: string; sifExclude: string; mfaExclude: string };
  locations: { trusted: string; partner: string; highRisk: string; allowedCountries: string };
  /** The admin app's service principal (client credentials). */
  adminServicePrincipalId: string;
}

export async function preparePolicyDirectory(graph: Graph, adminAppId: string): Promise<PolicyDirectory> {
  const group = async (displayName: string, description: string): Promise<string> =>
    (await graph<{ id: string }>('POST', '/groups', { displayName, description, mailNickname: displayName.replace(/[^A-Za-z0-9]/g, ''), securityEnabled: true, mailEnabled: false })).id;
  const groups = {
    allStaff: await group('SG-CA-All-Staff', 'Every employee; target of the staff policies'),
    engineering: await group('SG-CA-Engineering', 'Engineering department (nested in All Staff)'),
    finance: await group('SG-CA-Finance', 'Finance department'),
    admins: await group('SG-CA-Admins', 'Privileged administrators'),
    serviceAccounts: await group('SG-CA-ServiceAccounts', 'User accounts used by services'),
    breakGlass: await group('SG-CA-BreakGlassAccounts', 'Emergency access accounts, excluded from every policy'),
    sifExclude: await group('SG-CA020-SigninFrequency-Exclude', 'Exclusions from the sign-in frequency policy'),
    mfaExclude: await group('SG-CA000-MFA-Exclude', 'Exclusions from the global MFA policy'),
  };
  await graph('POST', `/groups/${groups.allStaff}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${groups.engineering}` });
  const location = async (body: Record<string, unknown>): Promise<string> => (await graph<{ id: string }>('POST', '/identity/conditionalAccess/namedLocations', body)).id;
  const locations = {
    trusted: await location({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Corporate networks and datacenter (trusted)', isTrusted: true,
      ipRanges: [
        { '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '127.0.0.0/8' },
        { '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '10.0.0.0/8' },
        { '@odata.type': '#microsoft.graph.iPv6CidrRange', cidrAddress: '::1/128' },
      ] }),
    partner: await location({ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Partner network', isTrusted: false,
      ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '203.0.113.0/24' }] }),
    highRisk: await location({ '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'HIGH RISK COUNTRIES', countriesAndRegions: ['KP', 'IR', 'SY', 'CU', 'BY'], includeUnknownCountriesAndRegions: false, countryLookupMethod: 'clientIpAddress' }),
    allowedCountries: await location({ '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'ALLOWED COUNTRIES', countriesAndRegions: ['NL', 'BE', 'DE', 'FR', 'GB', 'US'], includeUnknownCountriesAndRegions: false, countryLookupMethod: 'clientIpAddress' }),
  };
  const sps = await graph<{ value: { id: string; appId: string }[] }>('GET', '/servicePrincipals');
  const adminServicePrincipalId = sps.value.find((s) => s.appId === adminAppId)?.id;
  if (!adminServicePrincipalId) throw new Error(`no service principal for the admin app ${adminAppId}`);
  return { groups, locations, adminServicePrincipalId };
}

const GRAPH = '00000003-0000-0000-c000-000000000000';
const AZURE_MANAGEMENT = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
const EXCHANGE = '00000002-0000-0ff1-ce00-000000000000';
const SHAREPOINT = '00000003-0000-0ff1-ce00-000000000000';
const STRENGTH_MFA = '00000000-0000-0000-0000-000000000002';
const STRENGTH_PHISHING_RESISTANT = '00000000-0000-0000-0000-000000000004';
// Directory role templates: Global, Security, Conditional Access, Exchange, SharePoint, User, Application administrator.
const ADMIN_ROLES = ['62e90394-69f5-4237-9190-012177145e10', '194ae4cb-b126-40b2-bd5b-6091b380977d', 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', '29232cdf-9323-42fd-ade2-1d097af3e4de', 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'fe930be7-5e62-47db-91af-98c3a49a38b1', '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3'];
const PLATFORMS = ['android', 'iOS', 'windows', 'macOS', 'linux'];

interface Users { includeUsers?: string[]; excludeUsers?: string[]; includeGroups?: string[]; excludeGroups?: string[]; includeRoles?: string[]; excludeRoles?: string[]; includeGuestsOrExternalUsers?: unknown }

/**
 * The 50 policies. What decides that each one leaves the benchmark's requests alone is in its
 * `why` (not sent): "applies, met" policies are the ones the sign-in log must show as success.
 */
export function benchPolicies(d: PolicyDirectory): { why: string; body: Record<string, unknown> }[] {
  const g = d.groups;
  const l = d.locations;
  const out: { why: string; body: Record<string, unknown> }[] = [];
  const users = (u: Users): Users => ({ includeUsers: [], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [], ...u });
  const apps = (include: string[], exclude: string[] = [], userActions: string[] = []): Record<string, unknown> => ({ includeApplications: include, excludeApplications: exclude, includeUserActions: userActions, includeAuthenticationContextClassReferences: [] });
  const grant = (controls: string[], operator: 'AND' | 'OR' = 'OR', strength?: string): Record<string, unknown> => ({ operator, builtInControls: controls, customAuthenticationFactors: [], termsOfUse: [], ...(strength ? { authenticationStrength: { id: strength } } : {}) });
  const add = (why: string, displayName: string, conditions: Record<string, unknown>, grantControls: Record<string, unknown> | null, sessionControls: Record<string, unknown> | null = null): void => {
    out.push({ why, body: { displayName, state: 'enabled', conditions: { clientAppTypes: ['all'], signInRiskLevels: [], userRiskLevels: [], ...conditions }, grantControls, sessionControls } });
  };
  const everyone = users({ includeUsers: ['All'], excludeGroups: [g.breakGlass] });
  const outsideTrusted = { includeLocations: ['All'], excludeLocations: ['AllTrusted'] };
  const sif = (value: number, type: 'hours' | 'days'): Record<string, unknown> => ({ signInFrequency: { value, type, authenticationType: 'primaryAndSecondaryAuthentication', frequencyInterval: 'timeBased', isEnabled: true } });

  // Global baseline (CA0xx).
  add('trusted location: loopback is excluded', 'CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA-OutsideTrustedLocations', { users: users({ includeUsers: ['All'], excludeGroups: [g.breakGlass, g.mfaExclude] }), applications: apps(['All']), locations: outsideTrusted }, grant([], 'OR', STRENGTH_MFA));
  add('user action, not a resource', 'CA001-Global-IdentityProtection-RegisterSecurityInfo-AnyPlatform-MFA', { users: everyone, applications: apps([], [], ['urn:user:registersecurityinfo']) }, grant(['mfa']));
  add('user risk: none', 'CA002-Global-IdentityProtection-AnyApp-AnyPlatform-HighUserRisk-PasswordChange', { users: everyone, applications: apps(['All']), userRiskLevels: ['high'] }, grant(['mfa', 'passwordChange'], 'AND'));
  add('sign-in risk: none', 'CA003-Global-IdentityProtection-AnyApp-AnyPlatform-HighSignInRisk-BLOCK', { users: everyone, applications: apps(['All']), signInRiskLevels: ['high'] }, grant(['block']));
  add('admin portals, not Graph', 'CA004-Global-IdentityProtection-AdminPortals-AnyPlatform-StrengthMFA', { users: everyone, applications: apps(['MicrosoftAdminPortals']) }, grant([], 'OR', STRENGTH_MFA));
  add('Azure management, not Graph', 'CA005-Global-IdentityProtection-AzureManagement-AnyPlatform-MFA', { users: everyone, applications: apps([AZURE_MANAGEMENT]) }, grant(['mfa']));
  add('applies, met: session control only, within 12 h of the password sign-in', 'CA020-Global-SessionProtection-AnyApp-AnyPlatform-SigninFrequency', { users: users({ includeUsers: ['All'], excludeGroups: [g.breakGlass, g.sifExclude] }), applications: apps(['All']) }, null, sif(12, 'hours'));
  add('applies, met: session control only', 'CA021-Global-SessionProtection-AnyApp-AnyPlatform-PersistentBrowser-Never', { users: users({ includeUsers: ['All'], excludeGroups: [g.breakGlass] }), applications: apps(['All']) }, null, { persistentBrowser: { mode: 'never', isEnabled: true } });
  add('client app type: legacy only', 'CA030-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-LegacyAuthentication-BLOCK', { users: everyone, applications: apps(['All']), clientAppTypes: ['exchangeActiveSync', 'other'] }, grant(['block']));
  add('authentication flow: transfer only', 'CA031-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-AuthenticationTransfer-BLOCK', { users: everyone, applications: apps(['All']), authenticationFlows: { transferMethods: 'authenticationTransfer' } }, grant(['block']));
  add('authentication flow: device code only', 'CA032-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-DeviceCodeFlow-BLOCK', { users: everyone, applications: apps(['All']), authenticationFlows: { transferMethods: 'deviceCodeFlow' } }, grant(['block']));
  add('trusted location: loopback is excluded', 'CA033-Global-AttackSurfaceReduction-AnyApp-UnknownPlatforms-BLOCK', { users: everyone, applications: apps(['All']), platforms: { includePlatforms: ['all'], excludePlatforms: PLATFORMS }, locations: outsideTrusted }, grant(['block']));
  add('location: high-risk countries only', 'CA034-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-HighRiskCountries-BLOCK', { users: everyone, applications: apps(['All']), locations: { includeLocations: [l.highRisk], excludeLocations: [] } }, grant(['block']));
  add('trusted location: excluded', 'CA035-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-NotAllowedCountries-BLOCK', { users: everyone, applications: apps(['All']), locations: { includeLocations: ['All'], excludeLocations: [l.allowedCountries, l.trusted] } }, grant(['block']));
  add('user action, not a resource', 'CA050-Global-DeviceProtection-RegisterOrJoin-AnyPlatform-MFA', { users: everyone, applications: apps([], [], ['urn:user:registerdevice']) }, grant(['mfa']));
  add('client app type: mobile and desktop only; Office 365 only', 'CA060-Global-DataProtection-Office365-AnyPlatform-MobileDesktop-AppEnforcedRestrictions', { users: everyone, applications: apps(['Office365']), clientAppTypes: ['mobileAppsAndDesktopClients'] }, null, { applicationEnforcedRestrictions: { isEnabled: true } });
  add('applies, met: session control only (browser)', 'CA061-Global-DataProtection-AnyApp-AnyPlatform-Browser-SigninFrequency-1Day', { users: everyone, applications: apps(['All']), clientAppTypes: ['browser'] }, null, sif(1, 'days'));

  // Administrators (CA1xx): by directory role and by group.
  add('role: the bench user has none', 'CA100-Admins-IdentityProtection-AnyApp-AnyPlatform-PhishingResistantMFA', { users: users({ includeRoles: ADMIN_ROLES, excludeGroups: [g.breakGlass] }), applications: apps(['All']) }, grant([], 'OR', STRENGTH_PHISHING_RESISTANT));
  add('role: none', 'CA101-Admins-IdentityProtection-RegisterSecurityInfo-PhishingResistantMFA', { users: users({ includeRoles: ADMIN_ROLES }), applications: apps([], [], ['urn:user:registersecurityinfo']) }, grant([], 'OR', STRENGTH_PHISHING_RESISTANT));
  add('role: none', 'CA120-Admins-SessionProtection-AnyApp-AnyPlatform-SigninFrequency-4h', { users: users({ includeRoles: ADMIN_ROLES }), applications: apps(['All']) }, null, sif(4, 'hours'));
  add('role: none', 'CA121-Admins-SessionProtection-AnyApp-AnyPlatform-PersistentBrowser-Never', { users: users({ includeRoles: ADMIN_ROLES }), applications: apps(['All']) }, null, { persistentBrowser: { mode: 'never', isEnabled: true } });
  add('group: bench user not a member', 'CA122-Admins-IdentityProtection-AnyApp-AnyPlatform-CompliantDevice', { users: users({ includeGroups: [g.admins], excludeGroups: [g.breakGlass] }), applications: apps(['All']) }, grant(['compliantDevice']));
  add('group: not a member', 'CA123-Admins-AttackSurfaceReduction-AnyApp-AnyPlatform-UntrustedLocations-BLOCK', { users: users({ includeGroups: [g.admins] }), applications: apps(['All']), locations: outsideTrusted }, grant(['block']));

  // Staff (CA2xx): groups the bench user is in (nested), narrowed by platform, application, location.
  add('platform: unknown to Windows-only', 'CA250-Users-DeviceProtection-AnyApp-Windows-RequireCompliantDevice', { users: users({ includeGroups: [g.allStaff], excludeGroups: [g.breakGlass] }), applications: apps(['All']), platforms: { includePlatforms: ['windows'], excludePlatforms: [] } }, grant(['compliantDevice', 'domainJoinedDevice']));
  add('platform', 'CA251-Users-DeviceProtection-AnyApp-MacOS-RequireCompliantDevice', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), platforms: { includePlatforms: ['macOS'], excludePlatforms: [] } }, grant(['compliantDevice']));
  add('platform', 'CA252-Users-DeviceProtection-AnyApp-Android-RequireCompliantDevice', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), platforms: { includePlatforms: ['android'], excludePlatforms: [] } }, grant(['compliantDevice']));
  add('platform', 'CA253-Users-DeviceProtection-AnyApp-iOS-RequireCompliantDevice', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), platforms: { includePlatforms: ['iOS'], excludePlatforms: [] } }, grant(['compliantDevice']));
  add('platform', 'CA260-Users-DataProtection-AnyApp-Android-Unmanaged-AppProtection', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), platforms: { includePlatforms: ['android'], excludePlatforms: [] }, clientAppTypes: ['mobileAppsAndDesktopClients'] }, grant(['approvedApplication', 'compliantApplication']));
  add('platform', 'CA261-Users-DataProtection-AnyApp-iOS-Unmanaged-AppProtection', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), platforms: { includePlatforms: ['iOS'], excludePlatforms: [] }, clientAppTypes: ['mobileAppsAndDesktopClients'] }, grant(['approvedApplication', 'compliantApplication']));
  add('platform', 'CA262-Users-DeviceProtection-Office365-Linux-MFA', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['Office365']), platforms: { includePlatforms: ['linux'], excludePlatforms: [] } }, grant(['mfa']));
  add('applies, met: nested group member, Graph, session control only', 'CA270-Engineering-SessionProtection-Graph-AnyPlatform-SigninFrequency-8h', { users: users({ includeGroups: [g.engineering], excludeGroups: [g.breakGlass] }), applications: apps([GRAPH]) }, null, sif(8, 'hours'));
  add('application: Azure management, not Graph', 'CA271-Engineering-IdentityProtection-AzureManagement-AnyPlatform-MFA', { users: users({ includeGroups: [g.engineering] }), applications: apps([AZURE_MANAGEMENT]) }, grant(['mfa']));
  add('location: partner network only', 'CA272-Staff-IdentityProtection-AnyApp-AnyPlatform-PartnerNetwork-MFA', { users: users({ includeGroups: [g.allStaff] }), applications: apps(['All']), locations: { includeLocations: [l.partner], excludeLocations: [] } }, grant(['mfa']));
  add('applies, met: group member (transitive), session control only', 'CA273-Staff-SessionProtection-AnyApp-AnyPlatform-SigninFrequency-1Day', { users: users({ includeGroups: [g.allStaff], excludeGroups: [g.breakGlass] }), applications: apps(['All'], [AZURE_MANAGEMENT]) }, null, sif(1, 'days'));
  add('group: bench user excluded (All users except staff = contractors)', 'CA274-Contractors-IdentityProtection-AnyApp-AnyPlatform-MFA', { users: users({ includeUsers: ['All'], excludeGroups: [g.allStaff, g.breakGlass] }), applications: apps(['All']) }, grant(['mfa']));
  add('group: not a member', 'CA280-Finance-DeviceProtection-AnyApp-AnyPlatform-CompliantDevice', { users: users({ includeGroups: [g.finance] }), applications: apps(['All']) }, grant(['compliantDevice', 'domainJoinedDevice'], 'OR'));
  add('group: not a member', 'CA281-Finance-SessionProtection-Office365-AnyPlatform-SigninFrequency-2h', { users: users({ includeGroups: [g.finance] }), applications: apps(['Office365', EXCHANGE, SHAREPOINT]) }, null, sif(2, 'hours'));

  // Guests (CA3xx): the bench users are members.
  const guests = users({ includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider', externalTenants: { membershipKind: 'all' } }, excludeGroups: [g.breakGlass] });
  add('guests only', 'CA300-Guests-IdentityProtection-AnyApp-AnyPlatform-StrengthMFA', { users: guests, applications: apps(['All']) }, grant([], 'OR', STRENGTH_MFA));
  add('guests only', 'CA301-Guests-IdentityProtection-AnyApp-AnyPlatform-HighUserRisk-BLOCK', { users: guests, applications: apps(['All']), userRiskLevels: ['high'] }, grant(['block']));
  add('guests only', 'CA320-Guests-SessionProtection-AnyApp-AnyPlatform-SigninFrequency', { users: guests, applications: apps(['All']) }, null, sif(1, 'hours'));
  add('guests only', 'CA321-Guests-SessionProtection-AnyApp-AnyPlatform-PersistentBrowser', { users: guests, applications: apps(['All']) }, null, { persistentBrowser: { mode: 'never', isEnabled: true } });
  add('guests only', 'CA330-Guests-AttackSurfaceReduction-NonGuestApps-BLOCK', { users: guests, applications: apps(['All'], ['Office365']) }, grant(['block']));
  add('guests only', 'CA331-Guests-AttackSurfaceReduction-AdminPortals-AnyPlatform-BLOCK', { users: guests, applications: apps(['MicrosoftAdminPortals']) }, grant(['block']));

  // Break glass and service accounts (CA4xx, CA5xx): groups the bench user is not in.
  add('group: not a member', 'CA400-BreakGlass-IdentityProtection-AnyApp-AnyPlatform-PhishingResistantMFA', { users: users({ includeGroups: [g.breakGlass] }), applications: apps(['All']) }, grant([], 'OR', STRENGTH_PHISHING_RESISTANT));
  add('group: not a member', 'CA500-ServiceAccounts-IdentityProtection-AnyApp-AnyPlatform-MFA', { users: users({ includeGroups: [g.serviceAccounts] }), applications: apps(['All']) }, grant(['mfa']));
  add('group: not a member', 'CA530-ServiceAccounts-AttackSurfaceReduction-AnyApp-AnyPlatform-UntrustedLocations-BLOCK', { users: users({ includeGroups: [g.serviceAccounts] }), applications: apps(['All']), locations: { includeLocations: ['All'], excludeLocations: [l.trusted] } }, grant(['block']));

  // Workload identities (CA6xx): they target client credentials; requests from the trusted network are excluded.
  add('workload identities: trusted location excluded', 'CA600-WorkloadIdentities-AttackSurfaceReduction-AnyApp-UntrustedLocations-BLOCK', { users: users({ includeUsers: ['None'] }), clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [] }, applications: apps(['All']), locations: { includeLocations: ['All'], excludeLocations: [l.trusted] } }, grant(['block']));
  add('workload identities: the admin app, trusted location excluded', 'CA601-WorkloadIdentities-MonbanAdmin-AnyApp-OutsideDatacenter-BLOCK', { users: users({ includeUsers: ['None'] }), clientApplications: { includeServicePrincipals: [d.adminServicePrincipalId], excludeServicePrincipals: [] }, applications: apps(['All']), locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } }, grant(['block']));
  add('workload identities: risk none', 'CA602-WorkloadIdentities-IdentityProtection-AnyApp-HighRisk-BLOCK', { users: users({ includeUsers: ['None'] }), clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [] }, applications: apps(['All']), servicePrincipalRiskLevels: ['high', 'medium'] }, grant(['block']));
  add('workload identities: the admin app is excluded; high-risk countries only', 'CA603-WorkloadIdentities-AttackSurfaceReduction-HighRiskCountries-BLOCK', { users: users({ includeUsers: ['None'] }), clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [d.adminServicePrincipalId] }, applications: apps(['All']), locations: { includeLocations: [l.highRisk], excludeLocations: [] } }, grant(['block']));
  if (out.length !== 50) throw new Error(`the bench policy set has ${out.length} policies, not 50`);
  return out;
}

/** Creates the policies; returns their ids. */
export async function installPolicies(graph: Graph, d: PolicyDirectory): Promise<string[]> {
  const ids: string[] = [];
  for (const p of benchPolicies(d)) ids.push((await graph<{ id: string }>('POST', '/identity/conditionalAccess/policies', p.body)).id);
  return ids;
}

export async function removePolicies(graph: Graph, ids: readonly string[]): Promise<void> {
  for (const id of ids) await graph('DELETE', `/identity/conditionalAccess/policies/${id}`);
}
