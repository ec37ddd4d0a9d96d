// A kept signing key handed to oidc-provider as an ExternalSigningKey, so each token is signed
// with node:crypto's synchronous sign() on a KeyObject made once. Given a private JWK instead,
// oidc-provider signs through jose and WebCrypto, which queues every signature on libuv's
// thread pool: on a server pinned to one core that hand-over (and the thread pool's queue,
// shared with the sign-in log's fdatasync) cost more than the signature itself
// (docs/decisions/0011-synchronous-token-signing.md).
import { createPrivateKey, createPublicKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';

export type SigningAlg = 'ES256' | 'RS256';

const isSigningAlg = (alg: unknown): alg is SigningAlg => alg === 'ES256' || alg === 'RS256';

export class KeptSigningKey extends ExternalSigningKey {
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #alg: SigningAlg;
  readonly #kid: string;

  constructor(jwk: JWK) {
    super();
    const alg = jwk.alg;
    if (!isSigningAlg(alg)) throw new Error(`kept signing key ${jwk.kid ?? '?'}: unsupported alg ${alg ?? '(none)'}`);
    this.#alg = alg;
    if (!jwk.kid) throw new Error('kept signing key without a kid');
    this.#kid = jwk.kid;
    this.#private = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    this.#public = createPublicKey(this.#private);
  }

  override get kid(): string {
    return this.#kid;
  }

  override get alg(): SigningAlg {
    return this.#alg;
  }

  override keyObject(): KeyObject {
    return this.#public;
  }

  // ES256 signatures in JWS are r||s (IEEE P1363), not DER; RS256 is PKCS#1 v1.5, node's default.
  override sign(data: Uint8Array): Uint8Array {
    return this.#alg === 'ES256'
      ? sign('sha256', data, { key: this.#private, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', data, this.#private);
  }
}
