export { type Clock, systemClock, ManualClock } from './clock.js';
export { MonbanError, errorCatalogue, type ErrorCode } from './errors/catalogue.js';
