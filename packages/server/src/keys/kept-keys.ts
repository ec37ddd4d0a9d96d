// Signing keys (ES256 default, RS256 for applications that ask for it) and cookie keys,
// stored encrypted under the master key so every process on one database shares them.
// Rotation keeps the previous key published so tokens it signed stay verifiable.
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { MasterKey } from '../crypto/master-key.js';
import type { Database } from '../store/schema.js';

export interface SigningKeys { jwks: JWK[]; cookieKeys: string[] }

async function newSigningJwk(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg, use: 'sig' };
}

export class KeptKeys {
  constructor(private readonly db: Kysely<Database>, private readonly master: MasterKey, private readonly clock: Clock) {}

  async #insert(kind: string, alg: string, kid: string, material: string): Promise<void> {
    await this.db.insertInto('kept_keys').values({
      kid, kind, alg, encrypted_jwk: await this.master.seal(material), status: 'current', created_at: this.clock.now().toISOString(),
    }).execute();
  }

  /** Creates the first keys if none exist. Safe to call from several processes at once. */
  async ensure(): Promise<void> {
    const existing = await this.db.selectFrom('kept_keys').select(['kind', 'alg']).where('status', '=', 'current').execute();
    const has = (kind: string, alg: string): boolean => existing.some((k) => k.kind === kind && k.alg === alg);
    // Both key pairs are made at once (thread pool): an RSA key alone can take most of a second.
    const missing = (['ES256', 'RS256'] as const).filter((alg) => !has('signing', alg));
    const made = await Promise.all(missing.map(async (alg) => ({ alg, jwk: await newSigningJwk(alg) })));
    for (const { alg, jwk } of made) await this.#insert('signing', alg, jwk.kid ?? randomUUID(), JSON.stringify(jwk));
    if (!has('cookie', 'HS256')) await this.#insert('cookie', 'HS256', randomUUID(), randomBytes(32).toString('base64url'));
  }

  async load(): Promise<SigningKeys> {
    const rows = await this.db.selectFrom('kept_keys').selectAll().where('status', 'in', ['current', 'previous']).orderBy('created_at', 'desc').execute();
    const jwks: JWK[] = [];
    const cookieKeys: string[] = [];
    // Current keys first: oidc-provider signs with the first key of a matching algorithm.
    for (const status of ['current', 'previous']) {
      for (const row of rows.filter((r) => r.status === status)) {
        const material = await this.master.open(row.encrypted_jwk);
        if (row.kind === 'signing') jwks.push(JSON.parse(material) as JWK);
        else cookieKeys.push(material);
      }
    }
    return { jwks, cookieKeys };
  }

  /** New current signing keys; the old ones stay published as 'previous', older ones retire. */
  async rotate(): Promise<string[]> {
    const created: string[] = [];
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('kept_keys').set({ status: 'retired' }).where('kind', '=', 'signing').where('status', '=', 'previous').execute();
      await tx.updateTable('kept_keys').set({ status: 'previous' }).where('kind', '=', 'signing').where('status', '=', 'current').execute();
      for (const alg of ['ES256', 'RS256'] as const) {
        const jwk = await newSigningJwk(alg);
        const kid = jwk.kid ?? randomUUID();
        await tx.insertInto('kept_keys').values({
          kid, kind: 'signing', alg, encrypted_jwk: await this.master.seal(JSON.stringify(jwk)), status: 'current', created_at: this.clock.now().toISOString(),
        }).execute();
        created.push(kid);
      }
    });
    return created;
  }
}
