// Step 7: turns a finished attempt into its one sign-in record (Graph signIn shape).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory/directory.js';
import type { SignInRecord } from '../logs/sign-in-record.js';
import type { SignInLogWriter } from '../logs/writer.js';
import type { SignInAttempt } from './attempt.js';

export interface Outcome { errorCode: number; failureReason: string | null; reason?: string | undefined }

const methodNames: Record<string, string> = { pwd: 'Password', mfa: 'Multifactor authentication' };

/**
 * A GUID whose first 48 bits are the time in ms (the UUID version 7 layout, RFC 9562), the
 * rest random. Records written together then sit next to each other in the sign_ins id index,
 * so a batch dirties one index page instead of one random page per record.
 */
export function timeOrderedId(at: Date): string {
  // randomUUID draws from a buffered entropy pool: far cheaper per call than randomBytes(16).
  const random = randomUUID();
  const ms = at.getTime().toString(16).padStart(12, '0').slice(-12);
  // Time in the first 48 bits, version nibble 7; the random UUID keeps its variant bits (8-b).
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}

export class SignInRecorder {
  constructor(private readonly directory: Directory, private readonly writer: SignInLogWriter, private readonly clock: Clock) {}

  async write(attempt: SignInAttempt, outcome: Outcome): Promise<SignInRecord | undefined> {
    if (attempt.logged) return undefined;
    attempt.logged = true;
    const [user, client, resource] = await Promise.all([
      attempt.userId ? this.directory.getUser(attempt.userId) : undefined,
      attempt.clientAppId ? this.directory.getApplicationByAppId(attempt.clientAppId) : undefined,
      attempt.resource ? this.directory.findResource(attempt.resource) : undefined,
    ]);
    const clientSp = client ? await this.directory.getServicePrincipalByAppId(client.app_id) : undefined;
    const decision = attempt.decision;
    const appOnly = attempt.flow === 'client_credentials';
    const at = this.clock.now();
    const now = at.toISOString();
    const satisfiedByToken = !attempt.isInteractive && (attempt.incomingTokenType !== 'none' || attempt.singleSignOn === true);
    const record: SignInRecord = {
      id: timeOrderedId(at),
      createdDateTime: now,
      correlationId: attempt.correlationId,
      userId: appOnly ? null : (user?.id ?? attempt.userId ?? null),
      userPrincipalName: user?.user_principal_name ?? null,
      userDisplayName: user?.display_name ?? null,
      appId: attempt.clientAppId ?? null,
      appDisplayName: client?.display_name ?? null,
      resourceId: resource?.app_id ?? null,
      resourceDisplayName: resource?.display_name ?? null,
      servicePrincipalId: appOnly ? (clientSp?.id ?? null) : null,
      ipAddress: attempt.ipAddress,
      clientAppUsed: attempt.isInteractive || attempt.singleSignOn ? 'Browser' : 'Mobile Apps and Desktop clients',
      isInteractive: attempt.isInteractive,
      signInEventTypes: [appOnly ? 'servicePrincipal' : attempt.isInteractive ? 'interactiveUser' : 'nonInteractiveUser'],
      authenticationProtocol: attempt.flow === 'device_code' ? 'deviceCode' : 'oAuth2',
      incomingTokenType: attempt.incomingTokenType,
      originalTransferMethod: 'none',
      authenticationRequirement: decision?.authenticationRequirement ?? 'singleFactorAuthentication',
      authenticationRequirementPolicies: [],
      conditionalAccessStatus: decision?.conditionalAccessStatus ?? 'notApplied',
      appliedConditionalAccessPolicies: decision?.appliedConditionalAccessPolicies ?? [],
      authenticationDetails: [...attempt.authenticationMethods.filter((m) => m !== 'mfa').map((m) => ({
        authenticationStepDateTime: attempt.startedAt.toISOString(),
        authenticationMethod: satisfiedByToken ? 'Previously satisfied' : (methodNames[m] ?? m),
        succeeded: outcome.errorCode === 0,
        authenticationStepRequirement: 'Primary authentication',
        authenticationStepResultDetail: attempt.singleSignOn ? 'First factor requirement satisfied by the browser session' : satisfiedByToken ? 'First factor requirement satisfied by claim in the token' : outcome.errorCode === 0 ? 'Correct password' : (outcome.failureReason ?? 'Failed'),
      })), ...(decision?.mfaSatisfiedByDetail ? [{
        authenticationStepDateTime: attempt.startedAt.toISOString(),
        authenticationMethod: satisfiedByToken ? 'Previously satisfied' : 'Multifactor authentication',
        succeeded: true,
        authenticationStepRequirement: 'Multifactor authentication',
        authenticationStepResultDetail: decision.mfaSatisfiedByDetail,
      }] : [])],
      status: {
        errorCode: outcome.errorCode,
        failureReason: outcome.errorCode === 0 ? null : outcome.failureReason,
        additionalDetails: outcome.errorCode === 0 ? (decision?.additionalDetails ?? null) : (outcome.failureReason ?? null),
      },
      deviceDetail: { deviceId: '', displayName: '', operatingSystem: '', browser: attempt.userAgent?.slice(0, 120) ?? '', isCompliant: false, isManaged: false, trustType: '' },
      monban: { flow: attempt.singleSignOn ? 'single_sign_on' : attempt.flow, ...(outcome.reason ? { reason: outcome.reason } : {}) },
    };
    await this.writer.append(record);
    return record;
  }
}
