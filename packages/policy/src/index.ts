// @monban/policy: the pure conditional-access engine. No I/O, no clock of its own.
export * from './types.js';
export * from './schema/index.js';
export { decideAccount, type AccountFacts, type AccountVerdict } from './account/decide-account.js';
export * from './directory.js';
export * from './import/index.js';
export * from './device-filter/index.js';
export * from './evaluate/index.js';
export * from './whatif/index.js';
export * from './lint/index.js';
