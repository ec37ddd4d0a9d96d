// Graph `namedLocation` (entra-reference.md §2.3). `@odata.type` is kept here because it
// is what tells an IP location from a country location.
import { z } from 'zod';
import { graphEnum, nullableOptional } from './common.js';
import { COUNTRY_LOOKUP_METHODS } from './enums.js';
import { parseCidr } from '../evaluate/ip.js';

export const IP_NAMED_LOCATION_TYPE = '#microsoft.graph.ipNamedLocation';
export const COUNTRY_NAMED_LOCATION_TYPE = '#microsoft.graph.countryNamedLocation';

export interface IpRange {
  '@odata.type'?: string;
  cidrAddress: string;
}

export interface IpNamedLocation {
  '@odata.type': typeof IP_NAMED_LOCATION_TYPE;
  id?: string;
  displayName: string;
  isTrusted?: boolean | null;
  ipRanges: IpRange[];
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
}

export interface CountryNamedLocation {
  '@odata.type': typeof COUNTRY_NAMED_LOCATION_TYPE;
  id?: string;
  displayName: string;
  /** ISO 3166-1 alpha-2 codes. */
  countriesAndRegions: string[];
  includeUnknownCountriesAndRegions?: boolean | null;
  countryLookupMethod?: 'clientIpAddress' | 'authenticatorAppGps' | (string & {}) | null;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
}

export type NamedLocation = IpNamedLocation | CountryNamedLocation;

const ipRangeSchema = z.looseObject({
  '@odata.type': z.string().optional(),
  cidrAddress: z.string().superRefine((value, ctx) => {
    if (parseCidr(value) === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not an IPv4 or IPv6 CIDR range`, params: { code: 'invalid_cidr' } });
    }
  }),
});

const ipNamedLocationSchema = z.looseObject({
  '@odata.type': z.literal(IP_NAMED_LOCATION_TYPE),
  id: z.string().optional(),
  displayName: z.string(),
  isTrusted: nullableOptional(z.boolean()),
  ipRanges: z.array(ipRangeSchema),
  createdDateTime: nullableOptional(z.string()),
  modifiedDateTime: nullableOptional(z.string()),
});

const countryNamedLocationSchema = z.looseObject({
  '@odata.type': z.literal(COUNTRY_NAMED_LOCATION_TYPE),
  id: z.string().optional(),
  displayName: z.string(),
  countriesAndRegions: z.array(
    z.string().regex(/^[A-Za-z]{2}$/, { message: 'expected an ISO 3166-1 alpha-2 country code' }),
  ),
  includeUnknownCountriesAndRegions: nullableOptional(z.boolean()),
  countryLookupMethod: nullableOptional(graphEnum(COUNTRY_LOOKUP_METHODS, 'country lookup method')),
  createdDateTime: nullableOptional(z.string()),
  modifiedDateTime: nullableOptional(z.string()),
});

export const namedLocationSchema: z.ZodType<NamedLocation> = z.discriminatedUnion('@odata.type', [
  ipNamedLocationSchema,
  countryNamedLocationSchema,
]);
