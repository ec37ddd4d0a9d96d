// One sign-in attempt = one HTTP request to a token-issuing endpoint (or one interactive
// sign-in). Every step of the pipeline adds what it learned to the attempt; the log step
// turns it into exactly one sign-in record. AsyncLocalStorage carries it through
// oidc-provider's callbacks, which do not receive our context.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Decision } from './decision.js';

export interface SignInAttempt {
  readonly correlationId: string;
  readonly startedAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  flow: 'authorization_code' | 'refresh_token' | 'client_credentials' | 'interactive' | 'device_code' | 'other';
  isInteractive: boolean;
  clientAppId?: string | undefined;
  /** How the caller authenticated the client on this request (read from the request). */
  presentedAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | undefined;
  /** The protocol error oidc-provider raised, if any. */
  error?: { error: string; detail: string | undefined; aadsts: number | undefined } | undefined;
  resource?: string | undefined;
  userId?: string | undefined;
  decision?: Decision | undefined;
  reuseDetected: boolean;
  /** The browser session proved the user earlier; nothing was typed for this sign-in. */
  singleSignOn?: boolean;
  incomingTokenType: 'none' | 'refreshToken' | 'primaryRefreshToken';
  authenticationMethods: string[];
  /** Set once a record for this attempt has been written. */
  logged: boolean;
}

const storage = new AsyncLocalStorage<SignInAttempt>();

export const currentAttempt = (): SignInAttempt | undefined => storage.getStore();

export function runInAttempt<T>(attempt: SignInAttempt, fn: () => Promise<T>): Promise<T> {
  return storage.run(attempt, fn);
}
