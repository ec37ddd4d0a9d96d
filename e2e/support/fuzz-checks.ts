// What every answer to hostile input must look like: never a 5xx, never a stack trace or a
// source path, and every error a stable code with a sentence (style.md §2), in the shape of
// the endpoint that answered (token endpoint: the reference's AADSTS body; admin API: Graph
// error; authorize: a redirect carrying `error` or an HTML page with a human message).
import assert from 'node:assert/strict';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Reads a fetch response fully (no body is left unread on the connection). */
export async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const leaks: { re: RegExp; what: string }[] = [
  { re: /\n\s+at \S/, what: 'a stack trace line' },
  { re: /\.(?:ts|js|mjs|cjs):\d+/, what: 'a source file position' },
  { re: /node_modules|\/work\/|packages\/server/, what: 'a server file path' },
  { re: /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError|SqliteError|DatabaseError)\b/, what: 'an internal exception name' },
];

/** The part of an answer that may leak internals: its body and its Location. */
export function assertNoLeak(answer: Answer, context: string): void {
  for (const part of [answer.text, answer.headers.get('location') ?? '']) {
    for (const { re, what } of leaks) assert.doesNotMatch(part, re, `${context}: the answer contains ${what}: ${part.slice(0, 600)}`);
  }
}

export function assertNot5xx(answer: Answer, context: string): void {
  assert.ok(answer.status < 500, `${context}: status ${answer.status}: ${answer.text.slice(0, 600)}`);
}

/**
 * Node's HTTP parser refuses a request line and headers over 16 KB before any route runs; the
 * server's clientError handler answers 431 with a Graph-shaped sentence, whatever the endpoint.
 * That transport limit is checked here and then exempt from the endpoint's own shape checks.
 */
export function isTransportRefusal(answer: Answer): boolean {
  if (answer.status !== 431) return false;
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(body.error?.code, 'BadRequest');
  assert.ok(typeof body.error?.message === 'string' && body.error.message.length > 20, 'the 431 says why');
  return true;
}

const parseJson = (answer: Answer, context: string): unknown => {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    return assert.fail(`${context}: status ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 300)}`);
  }
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A token endpoint answer: 200 with an access token, or the reference's error body. */
export function assertTokenAnswer(answer: Answer, context: string): Record<string, unknown> {
  assertNot5xx(answer, context);
  if (isTransportRefusal(answer)) return {};
  assertNoLeak(answer, context);
  const body = parseJson(answer, context);
  assert.ok(isRecord(body), `${context}: the body is not a JSON object: ${answer.text.slice(0, 300)}`);
  if (answer.status === 200) {
    assert.equal(typeof body.access_token, 'string', `${context}: 200 without an access token`);
    return body;
  }
  assert.ok(answer.status >= 400, `${context}: unexpected status ${answer.status}`);
  assert.equal(typeof body.error, 'string', `${context}: no error code: ${answer.text.slice(0, 300)}`);
  assert.match(String(body.error), /^[a-z_]+$/, `${context}: the error code is not an OAuth error code`);
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  const m = /^AADSTS(\d+): (\S.*)/.exec(description);
  assert.ok(m, `${context}: error_description does not start with "AADSTS<digits>: ": ${description.slice(0, 300)}`);
  assert.ok(/[A-Za-z]{2,}/.test(m[2] ?? ''), `${context}: error_description has no sentence: ${description.slice(0, 300)}`);
  assert.ok(Array.isArray(body.error_codes) && body.error_codes.every((c) => typeof c === 'number'), `${context}: error_codes is not a list of numbers`);
  assert.equal(body.error_codes[0], Number(m[1]), `${context}: error_codes[0] is not the AADSTS code of the description`);
  assert.equal(typeof body.correlation_id, 'string', `${context}: no correlation_id`);
  return body;
}

/** A Graph error body: {error:{code,message,innerError}} with a non-empty message. */
export function assertGraphError(answer: Answer, context: string): { code: string; message: string } {
  assertNoLeak(answer, context);
  const body = parseJson(answer, context);
  assert.ok(isRecord(body) && isRecord(body.error), `${context}: status ${answer.status} without a Graph error object: ${answer.text.slice(0, 300)}`);
  const { code, message, innerError } = body.error;
  assert.ok(typeof code === 'string' && /^[A-Za-z_]+$/.test(code), `${context}: the Graph error code is missing or malformed: ${String(code)}`);
  assert.ok(typeof message === 'string' && /[A-Za-z]{2,}.*\s/.test(message), `${context}: the Graph error message is not a sentence: ${String(message)}`);
  assert.ok(isRecord(innerError) && typeof innerError['request-id'] === 'string' && typeof innerError.date === 'string', `${context}: innerError lacks request-id and date`);
  return { code, message };
}

/** Any admin API answer: a 2xx (JSON or empty) or a Graph error, never a 5xx. */
export function assertGraphAnswer(answer: Answer, context: string, allowed: readonly number[]): unknown {
  assertNot5xx(answer, context);
  if (isTransportRefusal(answer)) return undefined;
  assert.ok(allowed.includes(answer.status), `${context}: status ${answer.status} is not one of ${allowed.join(', ')}: ${answer.text.slice(0, 300)}`);
  if (answer.status >= 400) { assertGraphError(answer, context); return undefined; }
  assertNoLeak(answer, context);
  return answer.text ? parseJson(answer, context) : undefined;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeEntities = (s: string): string => s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
  e.startsWith('#x') || e.startsWith('#X') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : entities[e] ?? m);
const textOf = (html: string): string => decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

const loopback = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A registered redirect URI matches exactly, except that native loopback URIs take any port (RFC 8252 §7.3). */
function sameRedirect(registered: string, target: URL): boolean {
  const r = new URL(registered);
  const port = r.protocol === 'http:' && loopback.has(r.hostname) ? target.port : r.port;
  return r.protocol === target.protocol && r.hostname === target.hostname && port === target.port && r.pathname === target.pathname;
}

/**
 * An authorize answer. `redirectUris` are the ones registered for the client the request
 * named (an error may go back only there); `loginPath` is where a sign-in starts.
 */
export function assertAuthorizeAnswer(answer: Answer, context: string, opts: { origin: string; loginPath: string; redirectUris: readonly string[] }): 'login' | 'redirected-error' | 'page' | 'too-large' {
  assertNot5xx(answer, context);
  if (isTransportRefusal(answer)) return 'too-large';
  assertNoLeak(answer, context);
  if (answer.status >= 300 && answer.status < 400) {
    const location = answer.headers.get('location');
    assert.ok(location, `${context}: redirect ${answer.status} without a Location`);
    const target = new URL(location, opts.origin);
    if (target.origin === opts.origin && target.pathname.startsWith(opts.loginPath)) return 'login';
    assert.ok(opts.redirectUris.some((u) => sameRedirect(u, target)), `${context}: redirected to an unregistered place: ${location}`);
    const params = new URLSearchParams(target.hash ? target.hash.slice(1) : target.search);
    const error = params.get('error') ?? new URLSearchParams(target.search).get('error');
    assert.ok(error && /^[a-z_]+$/.test(error), `${context}: a redirect to the client without an error code: ${location}`);
    return 'redirected-error';
  }
  const type = answer.headers.get('content-type') ?? '';
  assert.match(type, /text\/html/, `${context}: status ${answer.status} is not an HTML page (${type}): ${answer.text.slice(0, 300)}`);
  if (/<input type="hidden" name="error"/.test(answer.text)) {
    // response_mode=form_post: an auto-submitting form carrying the error to the client.
    const action = decodeEntities(/<form[^>]*action="([^"]+)"/.exec(answer.text)?.[1] ?? '');
    assert.ok(URL.canParse(action) && opts.redirectUris.some((u) => sameRedirect(u, new URL(action))), `${context}: a form_post error to an unregistered place: ${action}`);
    assert.match(answer.text, /name="error" value="[a-z_]+"/, `${context}: a form_post answer without an error code`);
    return 'redirected-error';
  }
  assert.ok(answer.status >= 400 || answer.status === 200, `${context}: unexpected status ${answer.status}`);
  const paragraph = /<p>([\s\S]*?)<\/p>/.exec(answer.text)?.[1] ?? '';
  const sentence = textOf(paragraph);
  assert.ok(/[A-Za-z]{2,}/.test(sentence) && /\s/.test(sentence), `${context}: the error page has no human message: ${textOf(answer.text).slice(0, 300)}`);
  return 'page';
}
