// Parser of the device filter rule language (entra-reference.md §2.4):
//   rule       := or
//   or         := and ( "-or" and )*
//   and        := unary ( "-and" unary )*           -and binds tighter than -or
//   unary      := "-not" unary | "(" or ")" | comparison
//   comparison := "device." property operator value
//   value      := "string" | [ "a", "b" ] | True | False
// Operators, keywords and property names are case-insensitive. Errors carry a code and
// the 0-based character position where the problem starts.
import {
  COLLECTION_PROPERTIES,
  DEVICE_FILTER_PROPERTIES,
  lookupOperator,
  lookupProperty,
  type DeviceFilterProperty,
  type FilterOperator,
} from './properties.js';

export const MAX_RULE_LENGTH = 3072;

export type DeviceFilterErrorCode =
  | 'empty_rule'
  | 'rule_too_long'
  | 'unexpected_character'
  | 'unterminated_string'
  | 'unknown_property'
  | 'unknown_operator'
  | 'operator_not_allowed'
  | 'expected_property'
  | 'expected_operator'
  | 'expected_value'
  | 'expected_list'
  | 'unbalanced_parenthesis'
  | 'unexpected_token';

export interface DeviceFilterError {
  readonly code: DeviceFilterErrorCode;
  /** 0-based offset into the rule. */
  readonly position: number;
  readonly message: string;
}

export type FilterValue = string | readonly string[];

export type FilterExpression =
  | { readonly kind: 'and'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  | {
      readonly kind: 'compare';
      readonly property: DeviceFilterProperty;
      readonly operator: FilterOperator;
      readonly value: FilterValue;
      readonly position: number;
    };

export type DeviceFilterParseResult =
  | { readonly ok: true; readonly expression: FilterExpression }
  | { readonly ok: false; readonly error: DeviceFilterError };

type TokenKind = 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'string' | 'dash' | 'word' | 'eof';

interface Token {
  readonly kind: TokenKind;
  /** Text of a word or dash-word (without the dash), or the unescaped string. */
  readonly text: string;
  readonly position: number;
}

class ParseError extends Error {
  constructor(readonly detail: DeviceFilterError) {
    super(detail.message);
  }
}

function fail(code: DeviceFilterErrorCode, position: number, message: string): never {
  throw new ParseError({ code, position, message });
}

const WORD_CHAR = /[A-Za-z0-9_.]/;

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const ch = rule.charAt(i);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const single: Partial<Record<string, TokenKind>> = { '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket', ',': 'comma' };
    const kind = single[ch];
    if (kind !== undefined) {
      tokens.push({ kind, text: ch, position: i });
      i++;
      continue;
    }
    if (ch === '"' || ch === '\u201c' || ch === '\u201d') {
      // Straight quotes; curly quotes pasted from documents are accepted too.
      const start = i;
      i++;
      let text = '';
      let closed = false;
      while (i < rule.length) {
        const c = rule.charAt(i);
        if (c === '\\' && i + 1 < rule.length && rule.charAt(i + 1) === '"') {
          text += '"';
          i += 2;
          continue;
        }
        if (c === '"' || c === '\u201c' || c === '\u201d') {
          closed = true;
          i++;
          break;
        }
        text += c;
        i++;
      }
      if (!closed) fail('unterminated_string', start, `the string starting at ${start} is not closed by a double quote`);
      tokens.push({ kind: 'string', text, position: start });
      continue;
    }
    if (ch === '-') {
      const start = i;
      i++;
      let text = '';
      while (i < rule.length && /[A-Za-z]/.test(rule.charAt(i))) text += rule.charAt(i++);
      if (text === '') fail('unexpected_character', start, `'-' at ${start} must start an operator such as -eq`);
      tokens.push({ kind: 'dash', text, position: start });
      continue;
    }
    if (WORD_CHAR.test(ch)) {
      const start = i;
      let text = '';
      while (i < rule.length && WORD_CHAR.test(rule.charAt(i))) text += rule.charAt(i++);
      tokens.push({ kind: 'word', text, position: start });
      continue;
    }
    fail('unexpected_character', i, `unexpected character '${ch}' at ${i}`);
  }
  tokens.push({ kind: 'eof', text: '', position: rule.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length) this.index++;
    return t;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'dash' && token.text.toLowerCase() === keyword;
  }

  parseRule(): FilterExpression {
    const expression = this.parseOr();
    const t = this.peek();
    if (t.kind === 'rparen') fail('unbalanced_parenthesis', t.position, `')' at ${t.position} has no matching '('`);
    if (t.kind !== 'eof') fail('unexpected_token', t.position, `unexpected '${t.kind === 'dash' ? '-' + t.text : t.text}' at ${t.position}; expected -and, -or or the end of the rule`);
    return expression;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    const t = this.peek();
    if (this.isKeyword(t, 'not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    if (t.kind === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'rparen') fail('unbalanced_parenthesis', t.position, `'(' at ${t.position} is not closed`);
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterExpression {
    const t = this.next();
    if (t.kind !== 'word') {
      if (t.kind === 'eof') fail('expected_property', t.position, `the rule ends where a device property was expected`);
      fail('expected_property', t.position, `expected a device property such as device.isCompliant at ${t.position}`);
    }
    const dot = t.text.indexOf('.');
    if (dot === -1 || t.text.slice(0, dot).toLowerCase() !== 'device') {
      fail('expected_property', t.position, `'${t.text}' at ${t.position} is not a device property; write device.<property>`);
    }
    const name = t.text.slice(dot + 1);
    const property = lookupProperty(name);
    if (property === undefined) fail('unknown_property', t.position + dot + 1, `'${name}' is not a device filter property`);

    const opToken = this.next();
    if (opToken.kind !== 'dash') fail('expected_operator', opToken.position, `expected an operator such as -eq after device.${property} at ${opToken.position}`);
    const operator = lookupOperator(opToken.text);
    if (operator === undefined) fail('unknown_operator', opToken.position, `'-${opToken.text}' is not a device filter operator`);
    const allowed = DEVICE_FILTER_PROPERTIES[property];
    if (!allowed.includes(operator)) {
      fail('operator_not_allowed', opToken.position, `device.${property} does not accept -${operator}; it accepts ${allowed.map((o) => '-' + o).join(' ')}`);
    }

    const value = this.parseValue(operator, property);
    return { kind: 'compare', property, operator, value, position: t.position };
  }

  private parseValue(operator: FilterOperator, property: DeviceFilterProperty): FilterValue {
    const t = this.next();
    const wantsList = operator === 'in' || operator === 'notIn';
    if (wantsList) {
      if (t.kind !== 'lbracket') fail('expected_list', t.position, `-${operator} takes a list such as ["a","b"] at ${t.position}`);
      const items: string[] = [];
      let item = this.next();
      if (item.kind === 'rbracket') return items;
      for (;;) {
        if (item.kind !== 'string') fail('expected_value', item.position, `expected a double-quoted string in the list at ${item.position}`);
        items.push(item.text);
        const sep = this.next();
        if (sep.kind === 'rbracket') return items;
        if (sep.kind !== 'comma') fail('expected_list', sep.position, `expected ',' or ']' at ${sep.position}`);
        item = this.next();
      }
    }
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word' && (t.text.toLowerCase() === 'true' || t.text.toLowerCase() === 'false')) {
      // `device.isCompliant -eq True` is written without quotes in real policies.
      return t.text.toLowerCase() === 'true' ? 'True' : 'False';
    }
    if (t.kind === 'lbracket') fail('expected_value', t.position, `-${operator} takes one value, not a list, at ${t.position}`);
    fail('expected_value', t.position, `expected a double-quoted value for device.${property} -${operator} at ${t.position}`);
  }
}

/** Parses a device filter rule. Never throws. */
export function parseDeviceFilter(rule: string): DeviceFilterParseResult {
  if (typeof rule !== 'string' || rule.trim() === '') {
    return { ok: false, error: { code: 'empty_rule', position: 0, message: 'the device filter rule is empty' } };
  }
  if (rule.length > MAX_RULE_LENGTH) {
    return {
      ok: false,
      error: { code: 'rule_too_long', position: MAX_RULE_LENGTH, message: `a device filter rule has at most ${MAX_RULE_LENGTH} characters; this one has ${rule.length}` },
    };
  }
  try {
    const expression = new Parser(tokenize(rule)).parseRule();
    return { ok: true, expression };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, error: error.detail };
    if (error instanceof RangeError) {
      // Nesting deep enough to exhaust the stack is not a rule anyone wrote by hand.
      return { ok: false, error: { code: 'unexpected_token', position: 0, message: 'the rule is nested too deeply' } };
    }
    return { ok: false, error: { code: 'unexpected_token', position: 0, message: `the rule could not be parsed: ${String(error)}` } };
  }
}

export function isCollectionProperty(property: DeviceFilterProperty): boolean {
  return COLLECTION_PROPERTIES.has(property);
}
