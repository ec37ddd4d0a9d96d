// Device filter attributes and the operators each accepts (entra-reference.md §2.4).

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'contains',
  'notContains',
  'in',
  'notIn',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Operators that are true for a device that lacks the attribute. */
export const NEGATIVE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['ne', 'notStartsWith', 'notEndsWith', 'notContains', 'notIn']);

const ID_OPS: readonly FilterOperator[] = ['eq', 'ne', 'in', 'notIn'];
const STRING_OPS: readonly FilterOperator[] = FILTER_OPERATORS;
const ENUM_OPS: readonly FilterOperator[] = ['eq', 'ne'];
const COLLECTION_OPS: readonly FilterOperator[] = ['contains', 'notContains'];

const EXTENSION_ATTRIBUTES = [
  'extensionAttribute1',
  'extensionAttribute2',
  'extensionAttribute3',
  'extensionAttribute4',
  'extensionAttribute5',
  'extensionAttribute6',
  'extensionAttribute7',
  'extensionAttribute8',
  'extensionAttribute9',
  'extensionAttribute10',
  'extensionAttribute11',
  'extensionAttribute12',
  'extensionAttribute13',
  'extensionAttribute14',
  'extensionAttribute15',
] as const;

export const DEVICE_FILTER_PROPERTIES = {
  deviceId: ID_OPS,
  mdmAppId: ID_OPS,
  displayName: STRING_OPS,
  enrollmentProfileName: STRING_OPS,
  manufacturer: STRING_OPS,
  model: STRING_OPS,
  operatingSystem: STRING_OPS,
  operatingSystemVersion: STRING_OPS,
  ...Object.fromEntries(EXTENSION_ATTRIBUTES.map((a) => [a, STRING_OPS])),
  deviceOwnership: ENUM_OPS,
  isCompliant: ENUM_OPS,
  profileType: ENUM_OPS,
  trustType: ENUM_OPS,
  physicalIds: COLLECTION_OPS,
  systemLabels: COLLECTION_OPS,
} as Record<DeviceFilterProperty, readonly FilterOperator[]>;

export type ExtensionAttributeName = (typeof EXTENSION_ATTRIBUTES)[number];

export type DeviceFilterProperty =
  | 'deviceId'
  | 'mdmAppId'
  | 'displayName'
  | 'enrollmentProfileName'
  | 'manufacturer'
  | 'model'
  | 'operatingSystem'
  | 'operatingSystemVersion'
  | ExtensionAttributeName
  | 'deviceOwnership'
  | 'isCompliant'
  | 'profileType'
  | 'trustType'
  | 'physicalIds'
  | 'systemLabels';

/** Collection-valued attributes: `-contains` matches a whole element. */
export const COLLECTION_PROPERTIES: ReadonlySet<DeviceFilterProperty> = new Set(['physicalIds', 'systemLabels']);

const BY_LOWER = new Map<string, DeviceFilterProperty>(
  (Object.keys(DEVICE_FILTER_PROPERTIES) as DeviceFilterProperty[]).map((p) => [p.toLowerCase(), p]),
);

export function lookupProperty(name: string): DeviceFilterProperty | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

const OPERATORS_BY_LOWER = new Map<string, FilterOperator>(FILTER_OPERATORS.map((o) => [o.toLowerCase(), o]));

export function lookupOperator(name: string): FilterOperator | undefined {
  return OPERATORS_BY_LOWER.get(name.toLowerCase());
}
