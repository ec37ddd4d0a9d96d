import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MonbanError } from '../src/errors/catalogue.js';
import { createdRange, matchesFilter, parseFilter } from '../src/odata/filter.js';

const rec = { userPrincipalName: 'Alice@monban.local', createdDateTime: '2026-11-24T10:00:00Z', status: { errorCode: 50126 }, isInteractive: true, appId: 'a1' };

test('$filter: eq, ne, startswith, in, and/or, nested paths and dates', () => {
  const cases: [string, boolean][] = [
    ["userPrincipalName eq 'alice@monban.local'", true],
    ["userPrincipalName ne 'alice@monban.local'", false],
    ["startswith(userPrincipalName,'ali')", true],
    ["appId in ('x','a1')", true],
    ['status/errorCode eq 50126', true],
    ['status/errorCode eq 0 or isInteractive eq true', true],
    ['createdDateTime ge 2026-11-24T00:00:00Z and createdDateTime lt 2026-11-25T00:00:00Z', true],
    ['createdDateTime gt 2026-11-24T10:00:00Z', false],
    ["not (appId eq 'a1')", false],
    ["(appId eq 'x' or appId eq 'a1') and isInteractive eq false", false],
  ];
  for (const [expr, expected] of cases) assert.equal(matchesFilter(parseFilter(expr), rec), expected, expr);
});

test('$filter: malformed expressions are refused with invalid_filter and a position', () => {
  for (const expr of ["userPrincipalName eq 'open", 'appId like 3', '(appId eq 1', 'eq eq eq', "appId eq 'a' extra"]) {
    assert.throws(() => parseFilter(expr), (e: unknown) => e instanceof MonbanError && e.code === 'invalid_filter' && /\$filter/.test(e.message), expr);
  }
});

test('$filter: createdDateTime bounds are found for index use', () => {
  assert.deepEqual(createdRange(parseFilter("createdDateTime ge 2026-11-01T00:00:00Z and appId eq 'a'")), { from: '2026-11-01T00:00:00.000Z' });
});
