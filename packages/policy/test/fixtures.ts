// Builders shared by the evaluation tests.
import type { ConditionalAccessPolicy, SignInContext } from '../src/index.js';

export const NOW = 1_750_000_000; // epoch seconds
export const HOUR = 3600;

export const U1 = 'aaaaaaaa-0000-0000-0000-000000000001';
export const U2 = 'aaaaaaaa-0000-0000-0000-000000000002';
export const BREAK_GLASS = 'aaaaaaaa-0000-0000-0000-0000000000bb';
export const G_STAFF = 'bbbbbbbb-0000-0000-0000-000000000001';
export const G_EXCLUDED = 'bbbbbbbb-0000-0000-0000-000000000002';
export const ROLE_GA = '62e90394-69f5-4237-9190-012177145e10';
export const ROLE_HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
export const APP_R = 'cccccccc-0000-0000-0000-000000000001';
export const APP_X = 'cccccccc-0000-0000-0000-000000000002';
export const EXCHANGE = '00000002-0000-0ff1-ce00-000000000000';
export const SHAREPOINT = '00000003-0000-0ff1-ce00-000000000000';
export const AZURE_PORTAL = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';
export const DRS = '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9';
export const LOC_HQ = 'dddddddd-0000-0000-0000-000000000001';
export const LOC_BLOCKED_COUNTRIES = 'dddddddd-0000-0000-0000-000000000002';
export const SP1 = 'eeeeeeee-0000-0000-0000-000000000001';
export const SP2 = 'eeeeeeee-0000-0000-0000-000000000002';
export const TENANT_X = 'ffffffff-0000-0000-0000-000000000001';
export const TENANT_Y = 'ffffffff-0000-0000-0000-000000000002';
export const TOU = '99999999-0000-0000-0000-000000000001';
export const MFA_STRENGTH = '00000000-0000-0000-0000-000000000002';
export const PASSWORDLESS = '00000000-0000-0000-0000-000000000003';
export const PHISHING_RESISTANT = '00000000-0000-0000-0000-000000000004';

type Conditions = ConditionalAccessPolicy['conditions'];

export interface PolicyOverrides {
  readonly id?: string;
  readonly displayName?: string;
  readonly state?: ConditionalAccessPolicy['state'];
  readonly conditions?: Partial<Conditions>;
  readonly grantControls?: ConditionalAccessPolicy['grantControls'];
  readonly sessionControls?: ConditionalAccessPolicy['sessionControls'];
}

let counter = 0;

/** All users, all resources, all client apps, require MFA, on; override any part. */
export function policy(o: PolicyOverrides = {}): ConditionalAccessPolicy {
  counter++;
  const p: ConditionalAccessPolicy = {
    id: o.id ?? `p${counter}`,
    displayName: o.displayName ?? o.id ?? `Policy ${counter}`,
    state: o.state ?? 'enabled',
    conditions: {
      users: { includeUsers: ['All'] },
      applications: { includeApplications: ['All'] },
      clientAppTypes: ['all'],
      ...o.conditions,
    },
    grantControls: o.grantControls === undefined ? { operator: 'OR', builtInControls: ['mfa'] } : o.grantControls,
  };
  return o.sessionControls === undefined ? p : { ...p, sessionControls: o.sessionControls };
}

type Grant = NonNullable<ConditionalAccessPolicy['grantControls']>;
export const block: Grant = { operator: 'OR', builtInControls: ['block'] };
export const requireMfa: Grant = { operator: 'OR', builtInControls: ['mfa'] };
export const strength = (id: string): NonNullable<ConditionalAccessPolicy['grantControls']> => ({ operator: 'OR', authenticationStrength: { id } });

export type ContextOverrides = { -readonly [K in keyof SignInContext]?: SignInContext[K] };

/** A member user on Windows in a browser, password only, signing in to APP_R now. */
export function context(o: ContextOverrides = {}): SignInContext {
  return {
    user: { id: U1, groupIds: [G_STAFF], roleTemplateIds: [], userType: 'member' },
    application: { appId: APP_R },
    clientAppType: 'browser',
    devicePlatform: 'windows',
    location: { namedLocationIds: [], isTrusted: false, country: 'BE' },
    proven: { methods: ['password'], mfa: false, authTime: NOW - 60 },
    now: NOW,
    ...o,
  };
}

/** Proven-authentication shorthands. */
export const passwordOnly = { methods: ['password'], mfa: false, authTime: NOW - 60 } as const;
export const passwordAndSms = { methods: ['password', 'sms'], mfa: true, authTime: NOW - 60, mfaSource: 'thisSignIn' } as const;
export const helloPrt = { methods: ['windowsHelloForBusiness'], mfa: true, authTime: NOW - HOUR, mfaSource: 'primaryRefreshToken' } as const;
