// Table shapes shared by SQLite and PostgreSQL. Only portable column types are used
// (text, integer, bigint as number): timestamps are ISO-8601 text so range filters compare
// as strings on both engines, flags are 0/1 integers, structured values are JSON text.
import type { Generated } from 'kysely';

export interface TenantTable {
  id: string;
  display_name: string;
  default_domain: string;
  settings: string;
  created_at: string;
}

export interface KeptKeyTable {
  kid: string;
  kind: string; // 'signing' | 'cookie'
  alg: string;
  encrypted_jwk: string; // compact JWE under the master key
  status: string; // 'current' | 'previous' | 'retired'
  created_at: string;
}

export interface UserTable {
  id: string;
  user_principal_name: string;
  upn_lower: string;
  display_name: string;
  mail: string | null;
  given_name: string | null;
  surname: string | null;
  account_enabled: number;
  user_type: string;
  password_hash: string | null;
  password_last_changed: string | null;
  created_at: string;
}

export interface GroupTable {
  id: string;
  display_name: string;
  description: string | null;
  mail_nickname: string;
  security_enabled: number;
  created_at: string;
}

export interface GroupMemberTable {
  group_id: string;
  member_id: string;
  member_type: string; // 'user' | 'group' | 'servicePrincipal'
}

export interface RoleAssignmentTable {
  id: string;
  role_template_id: string;
  principal_id: string;
  created_at: string;
}

export interface ApplicationTable {
  id: string;
  app_id: string;
  display_name: string;
  public_client: number;
  redirect_uris: string; // JSON string[]
  app_roles: string; // JSON appRole[]
  scopes: string; // JSON permissionScope[]
  identifier_uris: string; // JSON string[]
  token_alg: string; // 'ES256' | 'RS256'
  created_at: string;
}

export interface AppSecretTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  hint: string;
  secret_hash: string;
  start_at: string;
  end_at: string;
}

export interface AppCertificateTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  public_jwk: string;
  thumbprint: string;
  start_at: string;
  end_at: string;
}

export interface ServicePrincipalTable {
  id: string;
  app_id: string;
  display_name: string;
  account_enabled: number;
  built_in: number;
  created_at: string;
}

export interface AppRoleAssignmentTable {
  id: string;
  principal_id: string; // service principal (client) or user
  resource_id: string; // resource service principal id
  app_role_id: string;
  created_at: string;
}

export interface NamedLocationTable {
  id: string;
  display_name: string;
  body: string; // Graph JSON
  created_at: string;
  modified_at: string;
}

export interface OidcPayloadTable {
  model: string;
  id: string; // SHA-256 of the token value for secret-bearing models
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null; // epoch seconds
  consumed_at: number | null;
}

export interface SignInTable {
  id: string;
  created_at: string;
  user_id: string | null;
  app_id: string | null;
  error_code: number;
  correlation_id: string;
  record: string; // Graph signIn JSON; with policy_list set, appliedConditionalAccessPolicies is null here
  seq: Generated<number>;
  policy_list: string | null; // sign_in_policy_lists.hash (migration 0005)
}

export interface SignInPolicyListTable {
  hash: string; // SHA-256 (hex) of entries
  entries: string; // JSON array of appliedConditionalAccessPolicy, exactly as the records had it
  created_at: string;
  seen_at: string; // last confirmed by a writer; retention keeps lists confirmed within the period
}

export interface LockoutTable {
  subject: string; // 'user:<id>' or 'user:<id>|ip:<addr>'
  failures: number;
  locked_until: number; // epoch ms
  lockouts: number;
  last_failure: number;
}

export interface CaPolicyTable {
  id: string;
  display_name: string;
  state: string;
  body: string; // Graph conditionalAccessPolicy JSON
  created_at: string;
  modified_at: string;
}

export interface AuthStrengthTable {
  id: string;
  body: string; // Graph authenticationStrengthPolicy JSON
  created_at: string;
  modified_at: string;
}

export interface PermissionGrantTable {
  id: string;
  client_app_id: string;
  resource: string; // resource indicator as requested (e.g. https://graph.microsoft.com)
  scope: string; // space-separated full scope names
  consent_type: string; // 'AllPrincipals' | 'Principal'
  principal_id: string | null;
  created_at: string;
}

export interface Database {
  permission_grants: PermissionGrantTable;
  ca_policies: CaPolicyTable;
  auth_strengths: AuthStrengthTable;
  tenant: TenantTable;
  kept_keys: KeptKeyTable;
  users: UserTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  role_assignments: RoleAssignmentTable;
  applications: ApplicationTable;
  app_secrets: AppSecretTable;
  app_certificates: AppCertificateTable;
  service_principals: ServicePrincipalTable;
  app_role_assignments: AppRoleAssignmentTable;
  named_locations: NamedLocationTable;
  oidc_payloads: OidcPayloadTable;
  sign_ins: SignInTable;
  sign_in_policy_lists: SignInPolicyListTable;
  lockouts: LockoutTable;
}
