// Application groups a policy can target by keyword. The reference does not publish the
// member lists; these are Monban's defaults (docs/decisions/0105-policy-application-groups.md),
// and a directory can replace them (DirectoryView.applicationGroups), for example to add
// Monban's own admin web to MicrosoftAdminPortals.

/** `Office365`: Microsoft 365 resources. */
export const OFFICE365_APP_IDS: readonly string[] = [
  '00000002-0000-0ff1-ce00-000000000000', // Office 365 Exchange Online
  '00000003-0000-0ff1-ce00-000000000000', // Office 365 SharePoint Online
  '00000004-0000-0ff1-ce00-000000000000', // Skype for Business Online
  '00000005-0000-0ff1-ce00-000000000000', // Yammer
  'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe', // Microsoft Teams Services
  '4765445b-32c6-49b0-83e6-1d93765276ca', // OfficeHome
  '66a88757-258c-4c72-893c-3e8bed4d6899', // Office 365 Search Service
  '905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba', // Sway
  'c9a559d2-7aab-4f13-a6ed-e7e9c52aec87', // Microsoft Forms
  '09abbdfd-ed23-44ee-a2d9-a627aa1c90f3', // Planner (ProjectWorkManagement)
  '94c63fef-13a3-47bc-8074-75af8c65887a', // Office Delve
  'cf53fce8-def6-4aeb-8d30-b158e7b1cf83', // Microsoft Stream Portal
  '2d4d3d8e-2be3-4bef-9f87-7875a61c29de', // OneNote
];

/** `MicrosoftAdminPortals`: Azure portal and admin centres. */
export const ADMIN_PORTAL_APP_IDS: readonly string[] = [
  'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', // Azure portal
  '00000006-0000-0ff1-ce00-000000000000', // Microsoft 365 admin center (Office 365 portal)
  '497effe9-df71-4043-a8bb-14cf78c4b63b', // Exchange admin center
  '80ccca67-54bd-44ab-8625-4b79c4dc7775', // Microsoft 365 Security and Compliance Center
];
