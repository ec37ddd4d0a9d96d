// oidc-provider storage on Kysely. Token values are never stored: the row key is the
// SHA-256 of the id, so a database leak yields no usable refresh token or code.
// `consume` is atomic, so one refresh token redeemed concurrently on two processes
// succeeds exactly once; the loser is treated as reuse.
import { sql, type Kysely } from 'kysely';
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../clock.js';
import { sha256 } from '../crypto/secrets.js';
import { slot, type Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { currentAttempt } from '../signin/attempt.js';

// Bearer credentials: their value must not be recoverable from the database.
const bearerModels = new Set(['RefreshToken', 'AuthorizationCode', 'AccessToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest', 'RegistrationAccessToken', 'InitialAccessToken']);

/** Whether the authorization code was issued by single sign-on (no password typed for it). */
export async function issuedBySingleSignOn(db: Kysely<Database>, code: string): Promise<boolean> {
  const row = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'AuthorizationCode').where('id', '=', sha256(`AuthorizationCode:${code}`)).executeTakeFirst();
  return row !== undefined && (JSON.parse(row.payload) as { monbanSingleSignOn?: unknown }).monbanSingleSignOn === true;
}

// The statements every token request runs, built once (Store.prepare). The model is a slot too,
// so one statement serves every model.
function payloadStatements(store: Store) {
  const { db } = store;
  const read = (col: 'id' | 'uid' | 'user_code') => store.prepare(db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at'])
    .where('model', '=', slot('model')).where(col, '=', slot('value')));
  const num = (name: string) => sql<number | null>`${slot(name)}`;
  return {
    byId: read('id'),
    byUid: read('uid'),
    byUserCode: read('user_code'),
    upsert: store.prepare(db.insertInto('oidc_payloads').values({
      model: slot('model'), id: slot('id'), payload: slot('payload'), grant_id: slot('grantId'), user_code: slot('userCode'), uid: slot('uid'),
      expires_at: num('expiresAt'), consumed_at: null,
    }).onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({
      payload: slot('payload'), grant_id: slot('grantId'), user_code: slot('userCode'), uid: slot('uid'), expires_at: num('expiresAt'),
    }))),
    consume: store.prepare(db.updateTable('oidc_payloads').set({ consumed_at: num('now') })
      .where('model', '=', slot('model')).where('id', '=', slot('id')).where('consumed_at', 'is', null)),
    destroy: store.prepare(db.deleteFrom('oidc_payloads').where('model', '=', slot('model')).where('id', '=', slot('id'))),
  };
}

export function kyselyAdapterFactory(store: Store, clock: Clock): (name: string) => Adapter {
  const { db } = store;
  const nowSec = (): number => Math.floor(clock.now().getTime() / 1000);
  const statements = payloadStatements(store);

  return (model: string): Adapter => {
    const key = (id: string): string => sha256(`${model}:${id}`);
    const read = async (by: 'byId' | 'byUid' | 'byUserCode', value: string, id?: string): Promise<AdapterPayload | undefined> => {
      const row = (await statements[by].execute({ model, value })).rows[0];
      if (!row) return undefined;
      if (row.expires_at !== null && row.expires_at < nowSec()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      if (id !== undefined) payload.jti = id;
      if (row.consumed_at !== null) payload.consumed = row.consumed_at;
      return payload;
    };
    return {
      async upsert(id, payload, expiresIn) {
        const stored: AdapterPayload & { monbanSingleSignOn?: boolean } = { ...payload };
        // A code issued without an interaction in this request came from browser single sign-on.
        if (model === 'AuthorizationCode' && Provider.ctx?.oidc && Provider.ctx.oidc.result === undefined) stored.monbanSingleSignOn = true;
        if (bearerModels.has(model)) delete stored.jti;
        await statements.upsert.execute({
          model,
          id: key(id),
          payload: JSON.stringify(stored),
          grantId: payload.grantId ?? null,
          userCode: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expiresAt: expiresIn ? nowSec() + expiresIn : null,
        });
      },
      find: (id) => read('byId', key(id), id),
      findByUid: (uid) => read('byUid', uid),
      findByUserCode: (userCode) => read('byUserCode', userCode),
      async consume(id) {
        const res = await statements.consume.execute({ model, id: key(id), now: nowSec() });
        if (Number(res.numAffectedRows ?? 0) === 0) {
          const row = await db.selectFrom('oidc_payloads').select('grant_id').where('model', '=', model).where('id', '=', key(id)).executeTakeFirst();
          const attempt = currentAttempt();
          if (attempt) attempt.reuseDetected = true;
          // A second redemption of a one-time credential revokes everything issued from its grant.
          // The grant itself goes too, so a token the winner of a race saves afterwards is dead on arrival.
          if (row?.grant_id) {
            await db.deleteFrom('oidc_payloads').where((eb) => eb.or([
              eb('grant_id', '=', row.grant_id),
              eb.and([eb('model', '=', 'Grant'), eb('id', '=', sha256(`Grant:${row.grant_id ?? ''}`))]),
            ])).execute();
          }
          throw new errors.InvalidGrant('refresh token already used');
        }
      },
      async destroy(id) {
        await statements.destroy.execute({ model, id: key(id) });
      },
      async revokeByGrantId(grantId) {
        await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
      },
    };
  };
}
