// Resolving an IP address and country to the named locations that contain them.
import type { NamedLocation } from '../schema/named-location.js';
import type { SignInLocation } from './context.js';
import { cidrContains, parseCidr, parseIp, type CidrRange } from './ip.js';

interface CompiledLocation {
  readonly id: string | undefined;
  readonly trusted: boolean;
  readonly ranges: readonly CidrRange[];
  readonly countries: ReadonlySet<string> | undefined;
  readonly includeUnknownCountries: boolean;
}

export interface LocationResolver {
  resolve(ipAddress: string | undefined, country: string | undefined): SignInLocation;
}

/**
 * Builds a resolver over named locations. IP locations match by CIDR; country locations
 * by the country given (the caller does the IP-to-country lookup, or passes the
 * authenticator's GPS country for `authenticatorAppGps` locations). Countries cannot be
 * trusted (entra-reference.md §2.3).
 */
export function createLocationResolver(locations: readonly NamedLocation[]): LocationResolver {
  const compiled: CompiledLocation[] = locations.map((l) => {
    if (l['@odata.type'] === '#microsoft.graph.ipNamedLocation') {
      return {
        id: l.id,
        trusted: l.isTrusted === true,
        ranges: l.ipRanges.flatMap((r) => {
          const c = parseCidr(r.cidrAddress);
          return c === undefined ? [] : [c];
        }),
        countries: undefined,
        includeUnknownCountries: false,
      };
    }
    return {
      id: l.id,
      trusted: false,
      ranges: [],
      countries: new Set(l.countriesAndRegions.map((c) => c.toUpperCase())),
      includeUnknownCountries: l.includeUnknownCountriesAndRegions === true,
    };
  });
  // Sign-ins come from the same addresses again and again: answers kept by address and
  // country (bounded; the resolver lives as long as its set of named locations).
  const known = new Map<string, SignInLocation>();
  const KEPT = 1024;
  return {
    resolve(ipAddress, country) {
      const key = `${ipAddress ?? ''}|${country ?? ''}`;
      const seen = known.get(key);
      if (seen !== undefined) return seen;
      const answer = Object.freeze(resolveNow(ipAddress, country));
      if (known.size >= KEPT) known.clear();
      known.set(key, answer);
      return answer;
    },
  };

  function resolveNow(ipAddress: string | undefined, country: string | undefined): SignInLocation {
    const ip = ipAddress === undefined ? undefined : parseIp(ipAddress);
    const upper = country?.toUpperCase();
    const ids: string[] = [];
    let trusted = false;
    for (const l of compiled) {
      let hit = false;
      if (l.countries !== undefined) {
        hit = upper === undefined || upper === '' || upper === 'XX' ? l.includeUnknownCountries : l.countries.has(upper);
      } else if (ip !== undefined) {
        hit = l.ranges.some((r) => cidrContains(r, ip));
      }
      if (hit) {
        if (l.id !== undefined) ids.push(l.id);
        if (l.trusted) trusted = true;
      }
    }
    return country === undefined ? { namedLocationIds: ids, isTrusted: trusted } : { namedLocationIds: ids, isTrusted: trusted, country };
  }
}
