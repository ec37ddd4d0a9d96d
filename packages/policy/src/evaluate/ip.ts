// IPv4/IPv6 addresses and CIDR ranges, parsed by hand (no node:net: the package is pure
// and runs anywhere).

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface CidrRange {
  readonly version: 4 | 6;
  /** Network address with host bits cleared. */
  readonly network: bigint;
  readonly prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) text = text.slice(0, text.indexOf('%')); // zone id
  let groups: string[];
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1) {
    if (text.indexOf('::', doubleColon + 1) !== -1) return undefined;
    const head = text.slice(0, doubleColon);
    const tail = text.slice(doubleColon + 2);
    const headParts = head === '' ? [] : head.split(':');
    const tailParts = tail === '' ? [] : tail.split(':');
    const embedded = expandEmbeddedIpv4(tailParts);
    if (embedded === undefined) return undefined;
    const missing = 8 - headParts.length - embedded.length;
    if (missing < 1) return undefined;
    groups = [...headParts, ...new Array<string>(missing).fill('0'), ...embedded];
  } else {
    const parts = expandEmbeddedIpv4(text.split(':'));
    if (parts === undefined) return undefined;
    groups = parts;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** `::ffff:192.0.2.1`: the last group may be a dotted IPv4 address, worth two groups. */
function expandEmbeddedIpv4(parts: string[]): string[] | undefined {
  const last = parts[parts.length - 1];
  if (last === undefined || !last.includes('.')) return parts;
  const v4 = parseIpv4(last);
  if (v4 === undefined) return undefined;
  return [...parts.slice(0, -1), ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16)];
}

export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { version: 4, value };
}

export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (address === undefined) return undefined;
  const bits = address.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const hostBits = BigInt(bits - prefix);
  const network = (address.value >> hostBits) << hostBits;
  return { version: address.version, network, prefix };
}

export function cidrContains(range: CidrRange, address: IpAddress): boolean {
  if (range.version !== address.version) return false;
  const bits = range.version === 4 ? 32 : 128;
  const hostBits = BigInt(bits - range.prefix);
  return (address.value >> hostBits) << hostBits === range.network;
}
