// The OData $filter subset the Graph API documents for directory objects and sign-ins:
// eq, ne, gt, ge, lt, le, in, startswith(), and, or, not, parentheses; string, number,
// boolean, null, GUID and ISO date-time literals; dotted (a/b) property paths.
import { MonbanError } from '../errors/catalogue.js';

export type Literal = string | number | boolean | null;
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string[]; value: Literal }
  | { kind: 'in'; path: string[]; values: Literal[] }
  | { kind: 'startswith'; path: string[]; value: string };

type Token = { t: 'ident' | 'string' | 'number' | 'datetime' | 'punct'; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: 'punct', v: c, at: i }); i++; continue; }
    if (c === "'") {
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw bad(`the string starting at position ${i + 1} is not closed`);
        if (src.charAt(j) === "'") {
          if (src.charAt(j + 1) === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += src.charAt(j); j++;
      }
      out.push({ t: 'string', v: s, at: i });
      i = j + 1;
      continue;
    }
    const dt = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?/.exec(src.slice(i));
    if (dt) { out.push({ t: 'datetime', v: dt[0], at: i }); i += dt[0].length; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { out.push({ t: 'number', v: num[0], at: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_@$][A-Za-z0-9_./@$-]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'ident', v: id[0], at: i }); i += id[0].length; continue; }
    throw bad(`unexpected character "${c}" at position ${i + 1}`);
  }
  return out;
}

const bad = (why: string): MonbanError => new MonbanError('invalid_filter', `In $filter: ${why}.`);

export function parseFilter(src: string): FilterNode {
  if (src.length > 2000) throw bad('the expression is longer than 2000 characters');
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw bad('the expression ends too early');
    return t;
  };
  const expect = (v: string): void => {
    const t = next();
    if (t.v !== v) throw bad(`expected "${v}" at position ${t.at + 1} but found "${t.v}"`);
  };
  const isWord = (t: Token | undefined, w: string): boolean => t?.t === 'ident' && t.v.toLowerCase() === w;

  const literal = (): Literal => {
    const t = next();
    if (t.t === 'string' || t.t === 'datetime') return t.v;
    if (t.t === 'number') return Number(t.v);
    if (t.t === 'ident') {
      const w = t.v.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t.v)) return t.v;
    }
    throw bad(`expected a value at position ${t.at + 1} but found "${t.v}"`);
  };
  const path = (t: Token): string[] => {
    if (t.t !== 'ident') throw bad(`expected a property name at position ${t.at + 1} but found "${t.v}"`);
    return t.v.split('/');
  };

  const primary = (depth: number): FilterNode => {
    if (depth > 50) throw bad('the expression is nested too deeply');
    const t = next();
    if (t.v === '(') {
      const inner = or(depth + 1);
      expect(')');
      return inner;
    }
    if (isWord(t, 'not')) return { kind: 'not', operand: primary(depth + 1) };
    if (isWord(t, 'startswith')) {
      expect('(');
      const p = path(next());
      expect(',');
      const v = literal();
      expect(')');
      if (typeof v !== 'string') throw bad('startswith() takes a string value');
      return { kind: 'startswith', path: p, value: v };
    }
    const p = path(t);
    const opTok = next();
    const op = opTok.v.toLowerCase();
    if (op === 'in') {
      expect('(');
      const values: Literal[] = [literal()];
      while (peek()?.v === ',') { next(); values.push(literal()); }
      expect(')');
      return { kind: 'in', path: p, values };
    }
    if (op === 'eq' || op === 'ne' || op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') {
      return { kind: 'compare', op, path: p, value: literal() };
    }
    throw bad(`the operator "${opTok.v}" at position ${opTok.at + 1} is not supported (use eq, ne, gt, ge, lt, le, in, startswith)`);
  };
  const and = (depth: number): FilterNode => {
    let left = primary(depth);
    while (isWord(peek(), 'and')) { next(); left = { kind: 'and', left, right: primary(depth) }; }
    return left;
  };
  const or = (depth: number): FilterNode => {
    let left = and(depth);
    while (isWord(peek(), 'or')) { next(); left = { kind: 'or', left, right: and(depth) }; }
    return left;
  };
  const tree = or(0);
  const rest = peek();
  if (rest) throw bad(`unexpected "${rest.v}" at position ${rest.at + 1}`);
  return tree;
}

function resolve(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function compareValues(a: unknown, b: Literal): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    // Date-time values compare as instants; everything else case-insensitively as Graph does.
    const da = Date.parse(a); const db = Date.parse(b);
    if (/^\d{4}-\d{2}-\d{2}/.test(a) && /^\d{4}-\d{2}-\d{2}/.test(b) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
    const x = a.toLowerCase(); const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : 1;
  if ((a === null || a === undefined) && b === null) return 0;
  return undefined;
}

const equal = (a: unknown, b: Literal): boolean => compareValues(a, b) === 0;

export function matchesFilter(node: FilterNode, obj: unknown): boolean {
  switch (node.kind) {
    case 'and': return matchesFilter(node.left, obj) && matchesFilter(node.right, obj);
    case 'or': return matchesFilter(node.left, obj) || matchesFilter(node.right, obj);
    case 'not': return !matchesFilter(node.operand, obj);
    case 'in': {
      const v = resolve(obj, node.path);
      return node.values.some((x) => equal(v, x));
    }
    case 'startswith': {
      const v = resolve(obj, node.path);
      return typeof v === 'string' && v.toLowerCase().startsWith(node.value.toLowerCase());
    }
    case 'compare': {
      const v = resolve(obj, node.path);
      if (node.op === 'eq') return Array.isArray(v) ? v.some((x) => equal(x, node.value)) : equal(v, node.value);
      if (node.op === 'ne') return !equal(v, node.value);
      const c = compareValues(v, node.value);
      if (c === undefined) return false;
      return node.op === 'gt' ? c > 0 : node.op === 'ge' ? c >= 0 : node.op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

/** Lower and upper bounds on createdDateTime implied by the top-level AND chain (for index use). */
export function createdRange(node: FilterNode | undefined): { from?: string; to?: string } {
  const range: { from?: string; to?: string } = {};
  const visit = (n: FilterNode): void => {
    if (n.kind === 'and') { visit(n.left); visit(n.right); return; }
    if (n.kind === 'compare' && n.path.length === 1 && n.path[0] === 'createdDateTime' && typeof n.value === 'string') {
      const iso = new Date(n.value);
      if (Number.isNaN(iso.getTime())) return;
      if (n.op === 'ge' || n.op === 'gt') range.from = iso.toISOString();
      if (n.op === 'le' || n.op === 'lt') range.to = new Date(iso.getTime() + 1).toISOString();
    }
  };
  if (node) visit(node);
  return range;
}
