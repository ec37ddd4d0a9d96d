// Graph `authenticationStrengthPolicy` (entra-reference.md §2.2) and the three built-in
// strengths, byte for byte as the reference lists them (ids, names, allowedCombinations).
import { z } from 'zod';
import type { UnknownMember } from '../types.js';
import { graphEnum, nullableOptional, splitFlags } from './common.js';
import {
  AUTHENTICATION_METHOD_MODES,
  REQUIREMENTS_SATISFIED,
  STRENGTH_POLICY_TYPES,
  type AuthenticationMethodMode,
} from './enums.js';

/** Restrictions on one combination: allowed FIDO2 authenticators or certificate issuers/policies. */
export interface AuthenticationCombinationConfiguration {
  '@odata.type'?: string;
  id?: string;
  appliesToCombinations?: string[] | null;
  /** `fido2CombinationConfiguration` */
  allowedAAGUIDs?: string[] | null;
  /** `x509CertificateCombinationConfiguration` */
  allowedIssuerSkis?: string[] | null;
  allowedPolicyOIDs?: string[] | null;
}

export interface AuthenticationStrengthPolicy {
  id: string;
  displayName: string;
  description?: string | null;
  policyType?: 'builtIn' | 'custom' | UnknownMember | null;
  requirementsSatisfied?: 'none' | 'mfa' | UnknownMember | null;
  /** Each entry is a comma-joined set of method modes, e.g. `password,sms`. */
  allowedCombinations: string[];
  combinationConfigurations?: AuthenticationCombinationConfiguration[] | null;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
}

/** What a policy's `grantControls.authenticationStrength` holds: the full object or just `{ id }`. */
export interface AuthenticationStrengthReference {
  id: string;
  displayName?: string | null;
  description?: string | null;
  policyType?: string | null;
  requirementsSatisfied?: string | null;
  allowedCombinations?: string[] | null;
  combinationConfigurations?: AuthenticationCombinationConfiguration[] | null;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
}

const combinationSchema = z.string().superRefine((value, ctx) => {
  const modes = splitFlags(value);
  if (modes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'an allowed combination names at least one method mode', params: { code: 'invalid_value' } });
  }
  for (const mode of modes) {
    if ((AUTHENTICATION_METHOD_MODES as readonly string[]).includes(mode)) continue;
    const folded = AUTHENTICATION_METHOD_MODES.find((m) => m.toLowerCase() === mode.toLowerCase());
    if (folded !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `'${mode}' is not an authentication method mode; did you mean '${folded}'?`,
        params: { code: 'invalid_enum_case' },
      });
    } else if (!/^[a-z][A-Za-z0-9]*$/.test(mode)) {
      ctx.addIssue({ code: 'custom', message: `'${mode}' is not an authentication method mode`, params: { code: 'invalid_enum' } });
    }
  }
});

const combinationConfigurationSchema = z.looseObject({
  '@odata.type': z.string().optional(),
  id: z.string().optional(),
  appliesToCombinations: nullableOptional(z.array(z.string())),
  allowedAAGUIDs: nullableOptional(z.array(z.string())),
  allowedIssuerSkis: nullableOptional(z.array(z.string())),
  allowedPolicyOIDs: nullableOptional(z.array(z.string())),
});

export const authenticationStrengthPolicySchema: z.ZodType<AuthenticationStrengthPolicy> = z.looseObject({
  id: z.string(),
  displayName: z.string(),
  description: nullableOptional(z.string()),
  policyType: nullableOptional(graphEnum(STRENGTH_POLICY_TYPES, 'policy type')),
  requirementsSatisfied: nullableOptional(graphEnum(REQUIREMENTS_SATISFIED, 'requirementsSatisfied')),
  allowedCombinations: z.array(combinationSchema),
  combinationConfigurations: nullableOptional(z.array(combinationConfigurationSchema)),
  createdDateTime: nullableOptional(z.string()),
  modifiedDateTime: nullableOptional(z.string()),
});

export const authenticationStrengthReferenceSchema: z.ZodType<AuthenticationStrengthReference> = z.looseObject({
  id: z.string(),
  displayName: nullableOptional(z.string()),
  description: nullableOptional(z.string()),
  policyType: nullableOptional(z.string()),
  requirementsSatisfied: nullableOptional(z.string()),
  allowedCombinations: nullableOptional(z.array(combinationSchema)),
  combinationConfigurations: nullableOptional(z.array(combinationConfigurationSchema)),
  createdDateTime: nullableOptional(z.string()),
  modifiedDateTime: nullableOptional(z.string()),
});

export const MULTIFACTOR_AUTHENTICATION_STRENGTH_ID = '00000000-0000-0000-0000-000000000002';
export const PASSWORDLESS_MFA_STRENGTH_ID = '00000000-0000-0000-0000-000000000003';
export const PHISHING_RESISTANT_MFA_STRENGTH_ID = '00000000-0000-0000-0000-000000000004';

const BUILT_IN_DATE = '2021-12-01T00:00:00Z';

/** The built-in strengths of entra-reference.md §2.2, in its order. Read-only. */
export const BUILT_IN_AUTHENTICATION_STRENGTHS: readonly AuthenticationStrengthPolicy[] = Object.freeze([
  {
    id: MULTIFACTOR_AUTHENTICATION_STRENGTH_ID,
    displayName: 'Multifactor authentication',
    description: 'Combinations of methods that satisfy strong authentication, such as a password + SMS',
    policyType: 'builtIn',
    requirementsSatisfied: 'mfa',
    allowedCombinations: [
      'windowsHelloForBusiness',
      'fido2',
      'x509CertificateMultiFactor',
      'deviceBasedPush',
      'temporaryAccessPassOneTime',
      'temporaryAccessPassMultiUse',
      'password,microsoftAuthenticatorPush',
      'password,softwareOath',
      'password,hardwareOath',
      'password,x509CertificateSingleFactor',
      'password,x509CertificateMultiFactor',
      'password,sms',
      'password,voice',
      'federatedMultiFactor',
      'microsoftAuthenticatorPush,federatedSingleFactor',
      'softwareOath,federatedSingleFactor',
      'hardwareOath,federatedSingleFactor',
      'sms,federatedSingleFactor',
      'voice,federatedSingleFactor',
    ],
    combinationConfigurations: [],
    createdDateTime: BUILT_IN_DATE,
    modifiedDateTime: BUILT_IN_DATE,
  },
  {
    id: PASSWORDLESS_MFA_STRENGTH_ID,
    displayName: 'Passwordless MFA',
    description: 'Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator',
    policyType: 'builtIn',
    requirementsSatisfied: 'mfa',
    allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush'],
    combinationConfigurations: [],
    createdDateTime: BUILT_IN_DATE,
    modifiedDateTime: BUILT_IN_DATE,
  },
  {
    id: PHISHING_RESISTANT_MFA_STRENGTH_ID,
    displayName: 'Phishing-resistant MFA',
    description: 'Phishing resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key',
    policyType: 'builtIn',
    requirementsSatisfied: 'mfa',
    allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
    combinationConfigurations: [],
    createdDateTime: BUILT_IN_DATE,
    modifiedDateTime: BUILT_IN_DATE,
  },
].map((s) => Object.freeze({ ...s, allowedCombinations: Object.freeze([...s.allowedCombinations]) as string[] })));

/** Splits `password,sms` into its modes. */
export function combinationModes(combination: string): Array<AuthenticationMethodMode | UnknownMember> {
  return splitFlags(combination);
}
