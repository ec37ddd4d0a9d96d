export {
  parseDeviceFilter,
  MAX_RULE_LENGTH,
  type DeviceFilterError,
  type DeviceFilterErrorCode,
  type DeviceFilterParseResult,
  type FilterExpression,
  type FilterValue,
} from './parser.js';
export { compileDeviceFilter, evaluateDeviceFilter, type DevicePredicate, type FilterableDevice } from './evaluate.js';
export { DEVICE_FILTER_PROPERTIES, FILTER_OPERATORS, type DeviceFilterProperty, type FilterOperator } from './properties.js';
