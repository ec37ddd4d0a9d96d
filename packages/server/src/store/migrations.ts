// One ordered list of migrations for both engines. Never edit a shipped migration:
// append a new one.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const initial = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';
    await db.schema.createTable('tenant')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('default_domain', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('kept_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('encrypted_jwk', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_principal_name', 'text', (c) => c.notNull())
      .addColumn('upn_lower', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('mail', 'text')
      .addColumn('given_name', 'text')
      .addColumn('surname', 'text')
      .addColumn('account_enabled', 'integer', (c) => c.notNull())
      .addColumn('user_type', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('password_last_changed', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('mail_nickname', 'text', (c) => c.notNull())
      .addColumn('security_enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('group_members')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('member_type', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema.createIndex('group_members_member').on('group_members').column('member_id').execute();
    await db.schema.createTable('role_assignments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('role_template_id', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('role_assignments_unique', ['role_template_id', 'principal_id'])
      .execute();
    await db.schema.createTable('applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('public_client', 'integer', (c) => c.notNull())
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('app_roles', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('identifier_uris', 'text', (c) => c.notNull())
      .addColumn('token_alg', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('app_secrets')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('start_at', 'text', (c) => c.notNull())
      .addColumn('end_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('app_certificates')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('thumbprint', 'text', (c) => c.notNull())
      .addColumn('start_at', 'text', (c) => c.notNull())
      .addColumn('end_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('service_principals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('account_enabled', 'integer', (c) => c.notNull())
      .addColumn('built_in', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('app_role_assignments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('resource_id', 'text', (c) => c.notNull())
      .addColumn('app_role_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('app_role_assignments_unique', ['principal_id', 'resource_id', 'app_role_id'])
      .execute();
    await db.schema.createTable('named_locations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('modified_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('oidc_payloads')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('user_code', 'text')
      .addColumn('uid', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('consumed_at', 'bigint')
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
      .execute();
    await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
    await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
    await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').column('user_code').execute();
    await db.schema.createTable('sign_ins')
      .addColumn('seq', sql.raw(autoId), (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('app_id', 'text')
      .addColumn('error_code', 'integer', (c) => c.notNull())
      .addColumn('correlation_id', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sign_ins_created').on('sign_ins').column('created_at').execute();
    await db.schema.createTable('lockouts')
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('lockouts', 'integer', (c) => c.notNull())
      .addColumn('last_failure', 'bigint', (c) => c.notNull())
      .execute();
  },
});

// Conditional access: policies and custom authentication strengths, stored in Graph JSON.
const conditionalAccess: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('ca_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('modified_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createTable('auth_strengths')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('modified_at', 'text', (c) => c.notNull())
      .execute();
  },
};

// Delegated permission grants (Graph oauth2PermissionGrant): admin consent for everyone.
const permissionGrants: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('permission_grants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_app_id', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('consent_type', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('permission_grants_client').on('permission_grants').column('client_app_id').execute();
  },
};

// Refresh tokens, codes, access tokens and grants have no uid or user_code, yet every one of
// their inserts added a NULL entry to both indexes (two more b-trees written per token). Only
// interactions and device codes have them; a lookup by either (uid = ?, user_code = ?) implies
// IS NOT NULL, so SQLite and PostgreSQL use the partial indexes for it.
const partialPayloadIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const column of ['uid', 'user_code'] as const) {
      await db.schema.dropIndex(`oidc_payloads_${column}`).execute();
      await sql`create index ${sql.id(`oidc_payloads_${column}`)} on oidc_payloads (${sql.id(column)}) where ${sql.id(column)} is not null`.execute(db);
    }
  },
};

// Sign-in records repeat the same list of applied conditional access policies (one entry per
// policy in the tenant, ~14 KB with 50): each distinct list is stored once, keyed by the SHA-256
// of its JSON, and a record refers to it (decision 0010). Rows written before this migration
// keep their list inline and no reference; records without policies do the same. seen_at is
// when a writer last confirmed the list stored: retention removes only unreferenced lists not
// confirmed within the retention period, so a writer may trust its confirmation for a while.
const signInPolicyLists: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('sign_in_policy_lists')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('entries', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('sign_ins').addColumn('policy_list', 'text').execute();
    await sql`create index sign_ins_policy_list on sign_ins (policy_list) where policy_list is not null`.execute(db);
  },
};

export function migrationsFor(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001_initial': initial(dialect),
      '0002_conditional_access': conditionalAccess,
      '0003_permission_grants': permissionGrants,
      '0004_oidc_payloads_partial_indexes': partialPayloadIndexes,
      '0005_sign_in_policy_lists': signInPolicyLists,
    }),
  };
}
