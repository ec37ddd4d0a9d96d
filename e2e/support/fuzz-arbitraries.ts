// fast-check arbitraries for hostile input: mostly plausible values (so requests reach deep
// into the server) mixed with text no client should send (control characters, NUL, lone
// surrogates, percent garbage, very long values).
import { Buffer } from 'node:buffer';
import fc from 'fast-check';

/** Text a client should not send, and a few values that often break parsers. */
export const nastyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('%', 'a', '0', 'F', 'z', '&', '=', '+', ' ', '\u0000', '\n', "'", '"', '\\', '/', '.', ':', '@'), maxLength: 30 }),
  fc.constantFrom('', ' ', '%', '%zz', '%E0%A4%A', '%00', '\u0000', '\ud800', 'null', 'undefined', '[]', '{}', 'true', '-1', '0', '1e309', 'NaN', '__proto__', 'constructor', '../../etc/passwd', '<script>x</script>', "' or 1=1 --"),
  fc.integer({ min: 1000, max: 12_000 }).map((n) => 'a'.repeat(n)),
);

export const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** Something shaped like a JWT: base64url JSON parts (random claims) and a random signature. */
export const fakeJwt = (subjects: readonly string[]): fc.Arbitrary<string> => fc.tuple(
  fc.oneof(fc.constant({ alg: 'RS256', typ: 'JWT' }), fc.constant({ alg: 'none' }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
  fc.record({
    sub: fc.oneof(fc.constantFrom(...subjects), fc.jsonValue({ maxDepth: 1 })),
    iss: fc.oneof(fc.constantFrom(...subjects), fc.string({ maxLength: 20 })),
    aud: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
    exp: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
    jti: fc.string({ maxLength: 20 }),
  }, { requiredKeys: [] }),
  fc.oneof(fc.base64String({ maxLength: 40 }), fc.constant(''), nastyText),
).map(([h, p, sig]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}.${sig}`);

export const pkceVerifier = fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/);

/** Pairs of [name, value], so parameters can repeat, in a random order. */
export function paramPairs(known: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<[string, string][]> {
  const names = Object.keys(known);
  const chosen = fc.record(known, { requiredKeys: [] }).map((r) => Object.entries(r).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 })), nastyText), { maxLength: 3 });
  return fc.tuple(chosen, extra, fc.boolean()).map(([a, b, reverse]) => {
    const all = [...a, ...b];
    return reverse ? all.reverse() : all;
  });
}

export type FuzzBody =
  | { kind: 'form'; pairs: [string, string][] }
  | { kind: 'typed'; contentType: string; pairs: [string, string][] }
  | { kind: 'json'; value: unknown }
  | { kind: 'bytes'; contentType: string; bytes: Uint8Array }
  | { kind: 'raw'; contentType: string; text: string }
  | { kind: 'oversized'; size: number };

export const contentTypes = fc.oneof(
  fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/x-www-form-urlencoded; charset=utf-16',
    'application/x-www-form-urlencoded;;;', 'application/octet-stream', '*/*', ''),
  // Header values a client can send at all: printable ASCII, no surrounding spaces.
  fc.string({ unit: 'binary-ascii', maxLength: 30 }).filter((s) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(s)),
);

/** A token request body in any encoding, from sensible to garbage to oversized. */
export function tokenBody(pairs: fc.Arbitrary<[string, string][]>): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { weight: 6, arbitrary: pairs.map((p): FuzzBody => ({ kind: 'form', pairs: p })) },
    { weight: 2, arbitrary: fc.tuple(contentTypes, pairs).map(([contentType, p]): FuzzBody => ({ kind: 'typed', contentType, pairs: p })) },
    { weight: 1, arbitrary: pairs.map((p): FuzzBody => ({ kind: 'json', value: Object.fromEntries(p) })) },
    { weight: 1, arbitrary: fc.tuple(contentTypes, fc.uint8Array({ maxLength: 2000 })).map(([contentType, bytes]): FuzzBody => ({ kind: 'bytes', contentType, bytes })) },
    { weight: 1, arbitrary: fc.tuple(contentTypes, fc.string({ unit: fc.constantFrom('%', '&', '=', 'a', 'E', '0', '9', '+', ';', '\u00ff', '\ud83d\ude00'), maxLength: 60 })).map(([contentType, text]): FuzzBody => ({ kind: 'raw', contentType, text })) },
    { weight: 1, arbitrary: fc.integer({ min: 57 * 1024, max: 300 * 1024 }).map((size): FuzzBody => ({ kind: 'oversized', size })) },
  );
}

export function encodeBody(body: FuzzBody): { body: string | Uint8Array; contentType: string | undefined } {
  switch (body.kind) {
    case 'form': return { body: new URLSearchParams(body.pairs).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'typed': return { body: new URLSearchParams(body.pairs).toString(), contentType: body.contentType || undefined };
    case 'json': return { body: JSON.stringify(body.value), contentType: 'application/json' };
    case 'bytes': return { body: body.bytes, contentType: body.contentType || undefined };
    case 'raw': return { body: body.text, contentType: body.contentType || undefined };
    case 'oversized': return { body: `grant_type=client_credentials&scope=${'x'.repeat(body.size)}`, contentType: 'application/x-www-form-urlencoded' };
  }
}

/** Any JSON value, including deep and wide ones. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2, withNullPrototype: false }).map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown));

/** A value for a string-typed field: usually a string, sometimes not. */
export const fieldValue = (good: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 5, arbitrary: good },
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 2 })) },
);

/** Text that is not JSON (or is truncated JSON), sent as application/json. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)).filter((s) => s.length > 1).map((s) => s.slice(0, Math.max(1, s.length - 1))).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
  fc.constantFrom('{', '{"a":', '{"displayName": "x",}', "{'displayName': 'x'}", '[1,2', '\u0000', '{"a":1}{"b":2}', 'NaN', '{"x": 1e99999}', '\ufeff{"displayName":"bom"}'),
);

/** A string in a URL path segment: an id, a name, or garbage, percent-encoded. */
export const pathSegment = (ids: () => readonly string[]): fc.Arbitrary<string> => fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((n) => ids()[n % Math.max(1, ids().length)] ?? '00000000-0000-0000-0000-000000000000') },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: nastyText.filter((s) => s.length > 0 && s.length < 2000).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))) },
);
