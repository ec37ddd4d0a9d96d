export { evaluate, type EvaluateInput } from './evaluate.js';
export {
  compilePolicies,
  compileStrength,
  isCompiledPolicySet,
  type CompiledPolicySet,
  type CompiledPolicy,
  type CompiledStrength,
  type CompileOptions,
} from './compile.js';
export {
  signInContextSchema,
  toEpochSeconds,
  type SignInContext,
  type SignInUser,
  type SignInServicePrincipal,
  type SignInDevice,
  type SignInLocation,
  type ProvenAuthentication,
  type Instant,
  type TransferMethodValue,
} from './context.js';
export * from './decision.js';
export { createLocationResolver, type LocationResolver } from './location.js';
export { OFFICE365_APP_IDS, ADMIN_PORTAL_APP_IDS } from './app-groups.js';
export { parseIp, parseCidr, cidrContains, type IpAddress, type CidrRange } from './ip.js';
