export { decodeText, type DecodedText, type TextEncodingName } from './decode.js';
export { normaliseGraphJson, camelCaseKey, type NormaliseOptions, type Normalised } from './normalise.js';
export {
  parsePolicyFile,
  parseNamedLocationFile,
  parseAuthenticationStrengthFile,
  sniffFile,
  detectKind,
  type ParsedPolicyFile,
  type ParsedFile,
  type FileContainer,
  type GraphObjectKind,
} from './parse.js';
export {
  exportPolicy,
  exportPolicies,
  exportNamedLocation,
  exportAuthenticationStrength,
  READ_ONLY_POLICY_PROPERTIES,
  type ExportOptions,
  type GraphJson,
} from './export.js';
export { findUnknownReferences, LEGACY_MFA_TRUSTED_IPS_LOCATION_ID, type UnknownReference } from './references.js';
