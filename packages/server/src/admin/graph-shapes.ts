// Directory rows as Graph JSON.
import { keyCredentialJson, type StoredCertificate } from '../directory/certificates.js';
import type { ApplicationRow, GroupRow, ServicePrincipalRow, UserRow, SecretInfo } from '../directory/directory.js';

export const userJson = (u: UserRow) => ({
  id: u.id, userPrincipalName: u.user_principal_name, displayName: u.display_name, mail: u.mail, givenName: u.given_name,
  surname: u.surname, accountEnabled: u.account_enabled === 1, userType: u.user_type, createdDateTime: u.created_at,
  lastPasswordChangeDateTime: u.password_last_changed,
});

export const groupJson = (g: GroupRow) => ({
  id: g.id, displayName: g.display_name, description: g.description, mailNickname: g.mail_nickname,
  securityEnabled: g.security_enabled === 1, mailEnabled: false, groupTypes: [], createdDateTime: g.created_at,
});

export const applicationJson = (a: ApplicationRow, secrets: SecretInfo[] = [], certificates: StoredCertificate[] = []) => ({
  id: a.id, appId: a.app_id, displayName: a.display_name, createdDateTime: a.created_at,
  isFallbackPublicClient: a.public_client === 1,
  identifierUris: JSON.parse(a.identifier_uris) as string[],
  appRoles: JSON.parse(a.app_roles) as unknown[],
  api: { oauth2PermissionScopes: JSON.parse(a.scopes) as unknown[] },
  web: { redirectUris: (JSON.parse(a.redirect_uris) as string[]).filter((u) => u.startsWith('https://')) },
  publicClient: { redirectUris: (JSON.parse(a.redirect_uris) as string[]).filter((u) => !u.startsWith('https://')) },
  passwordCredentials: secrets.map((s) => ({ keyId: s.keyId, displayName: s.displayName, hint: s.hint, startDateTime: s.startDateTime, endDateTime: s.endDateTime, secretText: null })),
  keyCredentials: certificates.map(keyCredentialJson),
  tokenSigningAlgorithm: a.token_alg,
});

export const servicePrincipalJson = (s: ServicePrincipalRow) => ({
  id: s.id, appId: s.app_id, displayName: s.display_name, accountEnabled: s.account_enabled === 1,
  servicePrincipalType: 'Application', appOwnerOrganizationId: s.built_in ? 'f8cdef31-a31e-4b4a-93e4-5f571e91255a' : null,
  createdDateTime: s.created_at,
});
