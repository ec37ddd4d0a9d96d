// What If (`POST /identity/conditionalAccess/evaluate`, entra-reference.md §2.6): which
// policies would apply to a described sign-in, answered in the reference's shape with
// Monban's detail beside it. Only enabled and report-only policies count; an omitted
// input does not match; nothing is proven unless the request says so (`monban.proven`).
import { z } from 'zod';
import type { DirectoryView } from '../directory.js';
import { exportPolicy, type GraphJson } from '../import/export.js';
import { toIssues } from '../schema/common.js';
import { DEVICE_PLATFORMS, type DevicePlatform, type InsiderRiskLevel, type RiskLevel } from '../schema/enums.js';
import { ok, refused, type Issue, type Result } from '../types.js';
import { compilePolicies, isCompiledPolicySet, type CompiledPolicySet } from '../evaluate/compile.js';
import type { ProvenAuthentication, SignInContext, SignInDevice, TransferMethodValue } from '../evaluate/context.js';
import type { AnalysisReason, ConditionName, Decision, Missing, PolicyResult } from '../evaluate/decision.js';
import { evaluate } from '../evaluate/evaluate.js';
import { createLocationResolver } from '../evaluate/location.js';
import type { ConditionalAccessPolicy } from '../schema/policy.js';

export type WhatIfSignInIdentity =
  | { readonly '@odata.type'?: '#microsoft.graph.userSignIn'; readonly userId: string; readonly externalTenantId?: string; readonly externalUserType?: string }
  | { readonly '@odata.type'?: '#microsoft.graph.servicePrincipalSignIn'; readonly servicePrincipalId: string };

export type WhatIfSignInContext =
  | { readonly '@odata.type'?: '#microsoft.graph.applicationContext'; readonly includeApplications: readonly string[] }
  | { readonly '@odata.type'?: '#microsoft.graph.userActionContext'; readonly userAction: 'registerSecurityInformation' | 'registerOrJoinDevices' | (string & {}) }
  | { readonly '@odata.type'?: '#microsoft.graph.authContext'; readonly authenticationContextValue: string };

export interface WhatIfSignInConditions {
  readonly devicePlatform?: string;
  readonly clientAppType?: string;
  readonly signInRiskLevel?: string;
  readonly userRiskLevel?: string;
  readonly servicePrincipalRiskLevel?: string;
  readonly insiderRiskLevel?: string;
  readonly country?: string;
  readonly ipAddress?: string;
  readonly authenticationFlow?: { readonly transferMethod?: string };
  readonly deviceInfo?: SignInDevice;
}

export interface WhatIfRequest {
  readonly signInIdentity: WhatIfSignInIdentity;
  readonly signInContext: WhatIfSignInContext;
  readonly signInConditions?: WhatIfSignInConditions;
  readonly appliedPoliciesOnly?: boolean;
  /** Monban extension: what the user has proven, to preview grant controls too. */
  readonly monban?: { readonly proven?: ProvenAuthentication; readonly now?: number | string };
}

export interface WhatIfPolicyExtras {
  readonly result: PolicyResult;
  readonly conditionsMatched: readonly ConditionName[];
  readonly conditionsNotMatched: readonly ConditionName[];
  readonly missing: Missing;
}

export interface WhatIfResult {
  readonly [key: string]: GraphJson | WhatIfPolicyExtras | undefined;
  readonly policyApplies: boolean;
  /** Comma-joined whatIfAnalysisReasons flags: `notSet` when the policy applies. */
  readonly analysisReasons: string;
  readonly monban: WhatIfPolicyExtras;
}

export interface WhatIfResponse {
  readonly '@odata.context': string;
  readonly value: readonly WhatIfResult[];
  readonly monban: {
    /** The decision for this sign-in given what `monban.proven` says was proven (nothing by default). */
    readonly decision: Pick<Decision, 'outcome' | 'errorCode' | 'explanation' | 'conditionalAccessStatus' | 'missing'>;
    readonly notes: readonly string[];
  };
}

const USER_ACTIONS: Record<string, string> = {
  registerSecurityInformation: 'urn:user:registersecurityinfo',
  registerOrJoinDevices: 'urn:user:registerdevice',
};

const requestSchema = z.looseObject({
  signInIdentity: z.union([
    z.looseObject({ userId: z.string(), externalTenantId: z.string().optional() }),
    z.looseObject({ servicePrincipalId: z.string() }),
  ]),
  signInContext: z.union([
    z.looseObject({ includeApplications: z.array(z.string()).min(1) }),
    z.looseObject({ userAction: z.string() }),
    z.looseObject({ authenticationContextValue: z.string() }),
  ]),
  signInConditions: z
    .looseObject({
      devicePlatform: z.string().optional(),
      clientAppType: z.string().optional(),
      signInRiskLevel: z.string().optional(),
      userRiskLevel: z.string().optional(),
      servicePrincipalRiskLevel: z.string().optional(),
      insiderRiskLevel: z.string().optional(),
      country: z.string().optional(),
      ipAddress: z.string().optional(),
      authenticationFlow: z.looseObject({ transferMethod: z.string().optional() }).optional(),
      deviceInfo: z.looseObject({}).optional(),
    })
    .optional(),
  appliedPoliciesOnly: z.boolean().optional(),
  monban: z
    .looseObject({
      proven: z.looseObject({ methods: z.array(z.string()), mfa: z.boolean() }).optional(),
      now: z.union([z.number(), z.string()]).optional(),
    })
    .optional(),
});

function platform(value: string | undefined): DevicePlatform | undefined {
  if (value === undefined || value === 'all' || value === 'unknownFutureValue') return undefined;
  return (DEVICE_PLATFORMS as readonly string[]).includes(value) ? (value as DevicePlatform) : undefined;
}

function clientAppType(value: string | undefined): SignInContext['clientAppType'] {
  switch (value) {
    case 'browser':
    case 'mobileAppsAndDesktopClients':
    case 'exchangeActiveSync':
    case 'other':
      return value;
    case 'easSupported':
      return 'exchangeActiveSync';
    default:
      return undefined;
  }
}

function transfer(value: string | undefined): TransferMethodValue | undefined {
  return value === 'deviceCodeFlow' || value === 'authenticationTransfer' || value === 'none' ? value : undefined;
}

/**
 * Answers a What If request. `request` is the JSON body (validated here); policies are
 * Graph JSON or a compiled set. Refuses, never throws, on a malformed request or a user
 * or service principal the given directory does not hold.
 */
export function whatIf(
  request: unknown,
  policies: readonly ConditionalAccessPolicy[] | CompiledPolicySet,
  directory: DirectoryView = {},
): Result<WhatIfResponse> {
  try {
    const parsed = requestSchema.safeParse(request, { reportInput: true });
    if (!parsed.success) return refused(toIssues(parsed.error));
    const req = request as WhatIfRequest;
    const notes: string[] = [];
    const errors: Issue[] = [];
    const conditions = req.signInConditions ?? {};

    let identity: Pick<SignInContext, 'user' | 'servicePrincipal'>;
    if ('userId' in req.signInIdentity) {
      const userId = req.signInIdentity.userId;
      const found = directory.users?.find((u) => u.id.toLowerCase() === userId.toLowerCase());
      if (directory.users !== undefined && found === undefined) {
        errors.push({ code: 'unknown_user', path: 'signInIdentity.userId', message: `user '${userId}' is not in the directory` });
      }
      if (directory.users === undefined) notes.push('No users in the directory view: the user is evaluated without groups or roles.');
      identity = {
        user: {
          id: userId,
          ...(found?.groupIds ? { groupIds: found.groupIds } : {}),
          ...(found?.roleTemplateIds ? { roleTemplateIds: found.roleTemplateIds } : {}),
          ...(found?.userType ? { userType: found.userType } : {}),
          ...(found?.guestOrExternalUserTypes ? { guestOrExternalUserTypes: found.guestOrExternalUserTypes } : {}),
          ...(found?.externalTenantId ? { externalTenantId: found.externalTenantId } : {}),
        },
      };
    } else {
      const spId = req.signInIdentity.servicePrincipalId;
      const found = directory.servicePrincipals?.find((s) => s.id.toLowerCase() === spId.toLowerCase());
      if (directory.servicePrincipals !== undefined && found === undefined) {
        errors.push({ code: 'unknown_service_principal', path: 'signInIdentity.servicePrincipalId', message: `service principal '${spId}' is not in the directory` });
      }
      identity = { servicePrincipal: { id: spId, appId: found?.appId ?? '' } };
    }
    if (errors.length > 0) return refused(errors);

    const sc = req.signInContext;
    const targets: Array<Pick<SignInContext, 'application' | 'userAction' | 'authenticationContextClassReferences'>> = [];
    if ('includeApplications' in sc) {
      for (const appId of sc.includeApplications) targets.push({ application: { appId } });
    } else if ('userAction' in sc) {
      const action = USER_ACTIONS[sc.userAction] ?? sc.userAction;
      targets.push({ userAction: action });
    } else {
      targets.push({ authenticationContextClassReferences: [sc.authenticationContextValue] });
    }

    const location =
      directory.namedLocations !== undefined && (conditions.ipAddress !== undefined || conditions.country !== undefined)
        ? createLocationResolver(directory.namedLocations).resolve(conditions.ipAddress, conditions.country)
        : conditions.country !== undefined
          ? { country: conditions.country }
          : undefined;
    const flow = transfer(conditions.authenticationFlow?.transferMethod);
    const devicePlatform = platform(conditions.devicePlatform);
    const appType = clientAppType(conditions.clientAppType);
    const base: SignInContext = {
      ...identity,
      ...(appType ? { clientAppType: appType } : {}),
      ...(devicePlatform ? { devicePlatform } : {}),
      ...(conditions.ipAddress !== undefined ? { ipAddress: conditions.ipAddress } : {}),
      ...(location ? { location } : {}),
      ...(conditions.deviceInfo ? { device: conditions.deviceInfo } : {}),
      ...(conditions.signInRiskLevel ? { signInRiskLevel: conditions.signInRiskLevel as RiskLevel } : {}),
      ...(conditions.userRiskLevel ? { userRiskLevel: conditions.userRiskLevel as RiskLevel } : {}),
      ...(conditions.servicePrincipalRiskLevel ? { servicePrincipalRiskLevel: conditions.servicePrincipalRiskLevel as RiskLevel } : {}),
      ...(conditions.insiderRiskLevel ? { insiderRiskLevel: conditions.insiderRiskLevel as InsiderRiskLevel } : {}),
      ...(flow ? { authenticationFlow: { transferMethod: flow } } : {}),
      proven: req.monban?.proven ?? { methods: [], mfa: false },
      now: req.monban?.now ?? 0,
    };

    const set = isCompiledPolicySet(policies)
      ? policies
      : compilePolicies(policies, {
          ...(directory.authenticationStrengths ? { strengths: directory.authenticationStrengths } : {}),
          ...(directory.applicationGroups ? { applicationGroups: directory.applicationGroups } : {}),
        });
    const decisions = targets.map((t) => evaluate({ policies: set, context: { ...base, ...t }, directory: {} }));
    const failedDecision = decisions.find((d) => d.error !== undefined);
    if (failedDecision?.error) return refused([failedDecision.error]);

    const value: WhatIfResult[] = [];
    set.policies.forEach((cp, i) => {
      const evaluations = decisions.map((d) => d.policies[i]).filter((e) => e !== undefined);
      const first = evaluations[0];
      if (first === undefined) return;
      const applying = evaluations.find((e) => e.analysisReasons.includes('notSet'));
      const chosen = applying ?? first;
      const policyApplies = cp.state !== 'disabled' && applying !== undefined;
      if (req.appliedPoliciesOnly === true && !policyApplies) return;
      const reasons: AnalysisReason[] = policyApplies ? ['notSet'] : [...new Set(evaluations.flatMap((e) => e.analysisReasons))];
      const graph = cp.source ? exportPolicy(cp.source) : { id: cp.id, displayName: cp.displayName, state: cp.state };
      value.push({
        ...graph,
        policyApplies,
        analysisReasons: reasons.join(','),
        monban: {
          result: chosen.result,
          conditionsMatched: chosen.conditionsMatched,
          conditionsNotMatched: chosen.conditionsNotMatched,
          missing: chosen.missing,
        },
      });
    });

    const decision = decisions[0];
    if (req.monban?.proven === undefined) notes.push('Nothing is proven in a What If request: grant controls are shown as missing.');
    return ok({
      '@odata.context': 'https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)',
      value,
      monban: {
        decision: decision
          ? {
              outcome: decision.outcome,
              errorCode: decision.errorCode,
              explanation: decision.explanation,
              conditionalAccessStatus: decision.conditionalAccessStatus,
              missing: decision.missing,
            }
          : { outcome: 'block', errorCode: 53003, explanation: 'No target in the request.', conditionalAccessStatus: 'failure', missing: { controls: [], strengths: [], sessionControls: [] } },
        notes,
      },
    });
  } catch (error) {
    return refused([{ code: 'internal_error', path: '', message: `What If failed: ${String(error)}` }]);
  }
}
