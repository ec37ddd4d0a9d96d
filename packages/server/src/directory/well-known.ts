// Ids the reference system uses everywhere, so exported policies and Graph clients mean the
// same thing here.
export const graphAppId = '00000003-0000-0000-c000-000000000000';
export const graphResource = 'https://graph.microsoft.com';

export interface PermissionDef { readonly id: string; readonly value: string; readonly description: string }

/** Microsoft Graph application permissions Monban's admin API understands (real Graph ids). */
export const graphAppRoles: readonly PermissionDef[] = [
  { id: '741f803b-c850-494e-b5df-cde7c675a1ca', value: 'User.ReadWrite.All', description: 'Read and write all users' },
  { id: '62a82d76-70ea-41e2-9197-370581804d09', value: 'Group.ReadWrite.All', description: 'Read and write all groups' },
  { id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', value: 'Application.ReadWrite.All', description: 'Read and write all applications' },
  { id: '246dd0d5-5bd0-4def-940b-0421030a5b68', value: 'Policy.Read.All', description: 'Read your organization\'s policies' },
  { id: '01c0a623-fc9b-48e9-b794-0756f8e8f067', value: 'Policy.ReadWrite.ConditionalAccess', description: 'Read and write conditional access policies' },
  { id: 'b0afded3-3588-46d8-8b3d-9842eff778da', value: 'AuditLog.Read.All', description: 'Read all audit log data' },
  { id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', value: 'Directory.Read.All', description: 'Read directory data' },
];

/** Delegated scopes of Microsoft Graph (the same names, acting for a signed-in admin). */
export const graphScopes: readonly PermissionDef[] = [
  { id: '204e0828-b5ca-4ad8-b9f3-f32a958e7cc4', value: 'User.ReadWrite.All', description: 'Read and write all users\' full profiles' },
  { id: '4e46008b-f24c-477d-8fff-7bb4ec7aafe0', value: 'Group.ReadWrite.All', description: 'Read and write all groups' },
  { id: 'bdfbf15f-ee85-4955-8675-146e8e5296b5', value: 'Application.ReadWrite.All', description: 'Read and write all applications' },
  { id: '572fea84-0151-49b2-9301-11cb16974376', value: 'Policy.Read.All', description: 'Read your organization\'s policies' },
  { id: 'ad902697-1014-4ef5-81ef-2b4301988e8c', value: 'Policy.ReadWrite.ConditionalAccess', description: 'Read and write conditional access policies' },
  { id: 'e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20', value: 'AuditLog.Read.All', description: 'Read audit log data' },
  { id: '06da0dbc-49e2-44d2-8312-53f166ab848a', value: 'Directory.Read.All', description: 'Read directory data' },
  { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', value: 'User.Read', description: 'Sign in and read user profile' },
];

export interface BuiltInResource {
  readonly appId: string;
  readonly displayName: string;
  readonly identifierUri: string;
  readonly appRoles: readonly PermissionDef[];
  readonly scopes: readonly PermissionDef[];
}

const userImpersonation = (id: string): PermissionDef => ({ id, value: 'user_impersonation', description: 'Access the resource as the signed-in user' });

export const builtInResources: readonly BuiltInResource[] = [
  { appId: graphAppId, displayName: 'Microsoft Graph', identifierUri: graphResource, appRoles: graphAppRoles, scopes: graphScopes },
  { appId: '00000003-0000-0ff1-ce00-000000000000', displayName: 'Office 365 SharePoint Online', identifierUri: 'https://microsoft.sharepoint-df.com', appRoles: [], scopes: [userImpersonation('56680e0d-d2a3-4ae1-80d8-3c4f2100e3d0'), { id: '4e0d77b0-96ba-4398-af14-3baa780278f4', value: 'AllSites.Read', description: 'Read items in all site collections' }] },
  { appId: '00000002-0000-0ff1-ce00-000000000000', displayName: 'Office 365 Exchange Online', identifierUri: 'https://outlook.office365.com', appRoles: [], scopes: [userImpersonation('3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5'), { id: '9ff7295e-131b-4d94-90e1-69fde507ac11', value: 'Mail.Read', description: 'Read user mail' }] },
  { appId: '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9', displayName: 'Device Registration Service', identifierUri: 'urn:ms-drs:enterpriseregistration.windows.net', appRoles: [], scopes: [userImpersonation('9a7f1a7c-52e6-4bd1-a52f-b3b31e7f8b88')] },
];

/** Built-in directory role templates (real template ids). */
export const directoryRoles = [
  { id: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator' },
  { id: 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', displayName: 'Conditional Access Administrator' },
  { id: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader' },
  { id: '194ae4cb-b126-40b2-bd5b-6091b380977d', displayName: 'Security Administrator' },
  { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' },
  { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
  { id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', displayName: 'Application Administrator' },
] as const;

export const globalAdministratorRoleId = '62e90394-69f5-4237-9190-012177145e10';

/** Which directory roles carry which Graph permissions when an admin acts through a delegated token. */
export const rolePermissions: Record<string, readonly string[]> = {
  '62e90394-69f5-4237-9190-012177145e10': graphAppRoles.map((r) => r.value),
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9': ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'Directory.Read.All'],
  '5d6b6bb7-de71-4623-b4af-96380a352509': ['Policy.Read.All', 'AuditLog.Read.All', 'Directory.Read.All'],
  '194ae4cb-b126-40b2-bd5b-6091b380977d': ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess', 'AuditLog.Read.All', 'Directory.Read.All'],
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': ['Policy.Read.All', 'AuditLog.Read.All', 'Directory.Read.All'],
  'fe930be7-5e62-47db-91af-98c3a49a38b1': ['User.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All'],
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': ['Application.ReadWrite.All', 'Directory.Read.All'],
};
