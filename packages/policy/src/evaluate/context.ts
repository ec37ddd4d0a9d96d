// The sign-in context: everything the pipeline knows about one token request, built by the
// caller (architecture.md "build context"). Time is data here: `now` and the
// authentication times come in as epoch seconds or ISO 8601 strings.
import { z } from 'zod';
import type { FilterableDevice } from '../device-filter/evaluate.js';
import type {
  AuthenticationMethodMode,
  DevicePlatform,
  GuestOrExternalUserType,
  InsiderRiskLevel,
  RiskLevel,
} from '../schema/enums.js';
import type { UnknownMember } from '../types.js';

/** Epoch seconds, or an ISO 8601 date-time string. */
export type Instant = number | string;

export interface SignInUser {
  readonly id: string;
  /** Transitive group memberships, already resolved. */
  readonly groupIds?: readonly string[];
  /** Built-in role template ids held with tenant-wide scope. */
  readonly roleTemplateIds?: readonly string[];
  readonly userType?: 'member' | 'guest';
  readonly guestOrExternalUserTypes?: readonly GuestOrExternalUserType[];
  /** Home tenant of an external user. */
  readonly externalTenantId?: string;
}

export interface SignInServicePrincipal {
  readonly id: string;
  readonly appId: string;
}

/** The device as the provider knows it (registration record + compliance), or undefined if unregistered. */
export type SignInDevice = FilterableDevice;

export type TransferMethodValue = 'none' | 'deviceCodeFlow' | 'authenticationTransfer';

export interface ProvenAuthentication {
  /** Method modes proven in this session, in allowedCombinations vocabulary (`password`, `fido2`, ...). */
  readonly methods: readonly (AuthenticationMethodMode | UnknownMember)[];
  /** The session (or the token presented) carries the MFA claim. */
  readonly mfa: boolean;
  /** Last interactive authentication (first factor). */
  readonly authTime?: Instant;
  /** When MFA was last done; defaults to authTime. */
  readonly mfaTime?: Instant;
  /** Where the MFA claim comes from, for the log's "why no prompt". */
  readonly mfaSource?: 'thisSignIn' | 'token' | 'primaryRefreshToken' | 'rememberMfa';
  /** The user changed the password in this sign-in (grant control `passwordChange`). */
  readonly passwordChanged?: boolean;
  /** Terms-of-use agreements the user has accepted. */
  readonly acceptedTermsOfUse?: readonly string[];
  /** Custom controls satisfied. */
  readonly customFactors?: readonly string[];
  /** AAGUID of the FIDO2 authenticator used, for strengths restricted by fido2CombinationConfiguration. */
  readonly fido2Aaguid?: string;
  /** Certificate used, for strengths restricted by x509CertificateCombinationConfiguration. */
  readonly certificate?: { readonly issuerSki?: string; readonly policyOids?: readonly string[] };
}

export interface SignInLocation {
  /** Named locations the IP (or GPS country) falls in. Include `00000000-0000-0000-0000-000000000000` for legacy MFA trusted IPs. */
  readonly namedLocationIds?: readonly string[];
  /** The IP is in a trusted named location (`AllTrusted`). */
  readonly isTrusted?: boolean;
  /** ISO 3166-1 alpha-2 country, if known. */
  readonly country?: string;
}

export interface SignInContext {
  /** The signed-in user; exactly one of user and servicePrincipal. */
  readonly user?: SignInUser;
  /** The signed-in workload identity (client credentials). */
  readonly servicePrincipal?: SignInServicePrincipal;
  /** The resource (audience) the token is for. */
  readonly application?: { readonly appId: string };
  /** The client application asking for the token. */
  readonly clientAppId?: string;
  /** `urn:user:registersecurityinfo` or `urn:user:registerdevice`. */
  readonly userAction?: string;
  /** Authentication contexts requested (`c1`..`c99`). */
  readonly authenticationContextClassReferences?: readonly string[];
  readonly clientAppType?: 'browser' | 'mobileAppsAndDesktopClients' | 'exchangeActiveSync' | 'other';
  /** From the user agent; undefined means unknown (matched only by `all`). */
  readonly devicePlatform?: DevicePlatform;
  readonly ipAddress?: string;
  /** Resolved location; when absent it is resolved from ipAddress with the directory's named locations. */
  readonly location?: SignInLocation;
  /** Undefined for an unregistered device. */
  readonly device?: SignInDevice;
  readonly signInRiskLevel?: RiskLevel;
  readonly userRiskLevel?: RiskLevel;
  readonly servicePrincipalRiskLevel?: RiskLevel;
  readonly insiderRiskLevel?: InsiderRiskLevel;
  /** Current flow, and the protocol-tracking mark of the session (entra-reference.md §4.5). */
  readonly authenticationFlow?: { readonly transferMethod: TransferMethodValue; readonly originalTransferMethod?: TransferMethodValue };
  /** App protection facts about the client application. */
  readonly clientApp?: { readonly approvedApplication?: boolean; readonly compliantApplication?: boolean };
  /** Methods the user has registered (decides "register" versus "prove" when a strength is missing). */
  readonly registeredMethods?: readonly (AuthenticationMethodMode | UnknownMember)[];
  readonly proven: ProvenAuthentication;
  readonly now: Instant;
}

const instant = z.union([z.number().finite(), z.string()]);
const strings = z.array(z.string());

const deviceSchema = z.object({
  deviceId: z.string().nullable().optional(),
  isCompliant: z.boolean().nullable().optional(),
  trustType: z.string().nullable().optional(),
  physicalIds: strings.nullable().optional(),
  systemLabels: strings.nullable().optional(),
});

/**
 * Runtime check of a context coming from outside TypeScript (or a fuzzer). Only the verdict
 * is used (the context itself is read as given, unknown members included); plain objects
 * let zod take its compiled fast path.
 */
export const signInContextSchema = z.object({
  user: z
    .object({
      id: z.string(),
      groupIds: strings.optional(),
      roleTemplateIds: strings.optional(),
      userType: z.enum(['member', 'guest']).optional(),
      guestOrExternalUserTypes: strings.optional(),
      externalTenantId: z.string().optional(),
    })
    .optional(),
  servicePrincipal: z.object({ id: z.string(), appId: z.string() }).optional(),
  application: z.object({ appId: z.string() }).optional(),
  clientAppId: z.string().optional(),
  userAction: z.string().optional(),
  authenticationContextClassReferences: strings.optional(),
  clientAppType: z.string().optional(),
  devicePlatform: z.string().optional(),
  ipAddress: z.string().optional(),
  location: z
    .object({ namedLocationIds: strings.optional(), isTrusted: z.boolean().optional(), country: z.string().optional() })
    .optional(),
  device: deviceSchema.optional(),
  signInRiskLevel: z.string().optional(),
  userRiskLevel: z.string().optional(),
  servicePrincipalRiskLevel: z.string().optional(),
  insiderRiskLevel: z.string().optional(),
  authenticationFlow: z
    .object({ transferMethod: z.string(), originalTransferMethod: z.string().optional() })
    .optional(),
  clientApp: z.object({ approvedApplication: z.boolean().optional(), compliantApplication: z.boolean().optional() }).optional(),
  registeredMethods: strings.optional(),
  proven: z.object({
    methods: strings,
    mfa: z.boolean(),
    authTime: instant.optional(),
    mfaTime: instant.optional(),
    mfaSource: z.enum(['thisSignIn', 'token', 'primaryRefreshToken', 'rememberMfa']).optional(),
    passwordChanged: z.boolean().optional(),
    acceptedTermsOfUse: strings.optional(),
    customFactors: strings.optional(),
    fido2Aaguid: z.string().optional(),
    certificate: z.object({ issuerSki: z.string().optional(), policyOids: strings.optional() }).optional(),
  }),
  now: instant,
});

/** Epoch seconds from an Instant; undefined when it is not a valid time. */
export function toEpochSeconds(value: Instant | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

// ---------------------------------------------------------------------------------------
// The same check as signInContextSchema, written out: evaluate() runs it on every sign-in,
// where the schema costs about a fifth of an evaluation. Only its verdict is used; on a
// refusal the schema is run to say what is wrong and where. The property tests hold the
// two verdicts equal on valid, mutated and random contexts.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInstant = (v: unknown): boolean => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
function isStrings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optBoolean = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const optStrings = (v: unknown): boolean => v === undefined || isStrings(v);
const nullishString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

// Each member read by its literal name: property reads the engine can cache per site, which a
// loop over member names cannot.
function isUser(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v['id'] === 'string' &&
    optStrings(v['groupIds']) &&
    optStrings(v['roleTemplateIds']) &&
    (v['userType'] === undefined || v['userType'] === 'member' || v['userType'] === 'guest') &&
    optStrings(v['guestOrExternalUserTypes']) &&
    optString(v['externalTenantId'])
  );
}

function isDevice(v: unknown): boolean {
  return (
    isObject(v) &&
    nullishString(v['deviceId']) &&
    (v['isCompliant'] === undefined || v['isCompliant'] === null || typeof v['isCompliant'] === 'boolean') &&
    nullishString(v['trustType']) &&
    (v['physicalIds'] === undefined || v['physicalIds'] === null || isStrings(v['physicalIds'])) &&
    (v['systemLabels'] === undefined || v['systemLabels'] === null || isStrings(v['systemLabels']))
  );
}

const MFA_SOURCES: readonly unknown[] = ['thisSignIn', 'token', 'primaryRefreshToken', 'rememberMfa'];

function isProven(v: unknown): boolean {
  if (!isObject(v)) return false;
  const certificate = v['certificate'];
  return (
    isStrings(v['methods']) &&
    typeof v['mfa'] === 'boolean' &&
    (v['authTime'] === undefined || isInstant(v['authTime'])) &&
    (v['mfaTime'] === undefined || isInstant(v['mfaTime'])) &&
    (v['mfaSource'] === undefined || MFA_SOURCES.includes(v['mfaSource'])) &&
    optBoolean(v['passwordChanged']) &&
    optStrings(v['acceptedTermsOfUse']) &&
    optStrings(v['customFactors']) &&
    optString(v['fido2Aaguid']) &&
    (certificate === undefined || (isObject(certificate) && optString(certificate['issuerSki']) && optStrings(certificate['policyOids'])))
  );
}

function isContext(v: unknown): boolean {
  if (!isObject(v)) return false;
  const sp = v['servicePrincipal'];
  const app = v['application'];
  const location = v['location'];
  const flow = v['authenticationFlow'];
  const clientApp = v['clientApp'];
  return (
    (v['user'] === undefined || isUser(v['user'])) &&
    (sp === undefined || (isObject(sp) && typeof sp['id'] === 'string' && typeof sp['appId'] === 'string')) &&
    (app === undefined || (isObject(app) && typeof app['appId'] === 'string')) &&
    optString(v['clientAppId']) &&
    optString(v['userAction']) &&
    optStrings(v['authenticationContextClassReferences']) &&
    optString(v['clientAppType']) &&
    optString(v['devicePlatform']) &&
    optString(v['ipAddress']) &&
    (location === undefined || (isObject(location) && optStrings(location['namedLocationIds']) && optBoolean(location['isTrusted']) && optString(location['country']))) &&
    (v['device'] === undefined || isDevice(v['device'])) &&
    optString(v['signInRiskLevel']) &&
    optString(v['userRiskLevel']) &&
    optString(v['servicePrincipalRiskLevel']) &&
    optString(v['insiderRiskLevel']) &&
    (flow === undefined || (isObject(flow) && typeof flow['transferMethod'] === 'string' && optString(flow['originalTransferMethod']))) &&
    (clientApp === undefined || (isObject(clientApp) && optBoolean(clientApp['approvedApplication']) && optBoolean(clientApp['compliantApplication']))) &&
    optStrings(v['registeredMethods']) &&
    isProven(v['proven']) &&
    isInstant(v['now'])
  );
}

/** True exactly when signInContextSchema accepts the value. */
export function isSignInContext(value: unknown): value is SignInContext {
  return isContext(value);
}
