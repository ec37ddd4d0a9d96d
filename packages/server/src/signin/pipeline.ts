// THE sign-in pipeline (architecture.md): every way of getting a token calls `run`.
// identify application -> establish proof -> build context -> decide; the entry point then
// issues or refuses, and the log step writes exactly one record for the attempt.
import type { Clock } from '../clock.js';
import type { ConditionalAccessStore } from '../conditional-access/store.js';
import type { Directory } from '../directory/directory.js';
import { currentAttempt } from './attempt.js';
import { SignInRefused, type Decision } from './decision.js';
import type { SmartLockout } from './lockout.js';
import { buildSignInContext, buildUserContext } from './steps/build-context.js';
import { decide } from './steps/decide.js';
import { establishProof } from './steps/establish-proof.js';
import { identifyApplication } from './steps/identify-application.js';

export interface SignInRequest {
  flow: 'client_credentials' | 'refresh_token' | 'authorization_code' | 'interactive';
  clientAppId: string;
  resource?: string | undefined;
  userId?: string | undefined;
  amr?: readonly string[] | undefined;
  authTime?: number | undefined;
}

export class SignInPipeline {
  constructor(private readonly directory: Directory, private readonly lockout: SmartLockout, private readonly policies: ConditionalAccessStore, private readonly clock: Clock) {}

  /** Returns the decision when access is allowed; throws SignInRefused otherwise. */
  async run(request: SignInRequest): Promise<Decision> {
    const attempt = currentAttempt();
    const app = await identifyApplication(this.directory, request.clientAppId, request.resource);
    const proof = establishProof({ amr: request.amr, authTime: request.authTime, fromRefreshToken: request.flow === 'refresh_token' });
    const context = await buildUserContext(this.directory, this.lockout, request.userId, attempt?.ipAddress ?? null);
    const now = this.clock.now();
    const appOnly = request.flow === 'client_credentials';
    const signIn = buildSignInContext({ app, user: context, proof, appOnly, interactive: request.flow === 'interactive', ipAddress: attempt?.ipAddress ?? null, userAgent: attempt?.userAgent ?? null, now });
    const decision = decide(app, context, proof, now, !appOnly, signIn, await this.policies.snapshot());
    if (attempt) {
      attempt.decision = decision;
      attempt.clientAppId = request.clientAppId;
      attempt.resource = request.resource ?? attempt.resource;
      attempt.userId = request.userId ?? attempt.userId;
      attempt.incomingTokenType = proof.incomingTokenType;
    }
    if (!decision.allowed) throw new SignInRefused(decision);
    return decision;
  }
}
