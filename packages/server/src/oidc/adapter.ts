// oidc-provider storage on Kysely. Token values are never stored: the row key is the
// SHA-256 of the id, so a database leak yields no usable refresh token or code.
// `consume` is atomic, so one refresh token redeemed concurrently on two processes
// succeeds exactly once; the loser is treated as reuse.
import type { Kysely } from 'kysely';
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../clock.js';
import { sha256 } from '../crypto/secrets.js';
import type { Database } from '../store/schema.js';
import { currentAttempt } from '../signin/attempt.js';

// Bearer credentials: their value must not be recoverable from the database.
const bearerModels = new Set(['RefreshToken', 'AuthorizationCode', 'AccessToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest', 'RegistrationAccessToken', 'InitialAccessToken']);

/** Whether the authorization code was issued by single sign-on (no password typed for it). */
export async function issuedBySingleSignOn(db: Kysely<Database>, code: string): Promise<boolean> {
  const row = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'AuthorizationCode').where('id', '=', sha256(`AuthorizationCode:${code}`)).executeTakeFirst();
  return row !== undefined && (JSON.parse(row.payload) as { monbanSingleSignOn?: unknown }).monbanSingleSignOn === true;
}

export function kyselyAdapterFactory(db: Kysely<Database>, clock: Clock): (name: string) => Adapter {
  const nowSec = (): number => Math.floor(clock.now().getTime() / 1000);

  return (model: string): Adapter => {
    const key = (id: string): string => sha256(`${model}:${id}`);
    const read = async (where: { col: 'id' | 'uid' | 'user_code'; value: string }, id?: string): Promise<AdapterPayload | undefined> => {
      const row = await db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', model).where(where.col, '=', where.value).executeTakeFirst();
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
        const values = {
          model,
          id: key(id),
          payload: JSON.stringify(stored),
          grant_id: payload.grantId ?? null,
          user_code: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expires_at: expiresIn ? nowSec() + expiresIn : null,
          consumed_at: null,
        };
        await db.insertInto('oidc_payloads').values(values)
          .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({
            payload: values.payload, grant_id: values.grant_id, user_code: values.user_code, uid: values.uid, expires_at: values.expires_at,
          }))
          .execute();
      },
      find: (id) => read({ col: 'id', value: key(id) }, id),
      findByUid: (uid) => read({ col: 'uid', value: uid }),
      findByUserCode: (userCode) => read({ col: 'user_code', value: userCode }),
      async consume(id) {
        const res = await db.updateTable('oidc_payloads').set({ consumed_at: nowSec() })
          .where('model', '=', model).where('id', '=', key(id)).where('consumed_at', 'is', null).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) {
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
        await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', key(id)).execute();
      },
      async revokeByGrantId(grantId) {
        await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
      },
    };
  };
}
