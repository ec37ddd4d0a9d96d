// `monban policy import|export|list|lint|what-if`: the built CLI, spawned against a temp data
// directory and the test database engine; lint and what-if on files run with no store at all.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportPolicy, parsePolicyFile } from '@monban/policy';
import { createTestDatabaseUrl, dropTestDatabase } from '../packages/server/test/support/database.js';

const root = new URL('../', import.meta.url).pathname;
const main = join(root, 'packages/server/dist/bundle/monban.js');
const fixtures = join(root, 'e2e/fixtures/cli');
const corpusFile = new URL('../../shared/corpus/cisagov__ScubaGear/ProviderSettingsExport.conditional_access_policies.json', import.meta.url).pathname;
const utf16File = new URL('../../shared/corpus/j0eyv__ConditionalAccessBaseline/Config/ConditionalAccess/CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA.json', import.meta.url).pathname;
const noCorpus = existsSync(corpusFile) && existsSync(utf16File) ? false : 'the corpus (../shared/corpus) is not here';

interface Run { status: number | null; stdout: string; stderr: string }
type Json = Record<string, unknown>;
interface GraphError { error: { code: string; message: string; innerError: { 'monban-code': string; details?: { target: string; message: string }[] } } }
interface ListRow { id: string; displayName: string; state: string }
interface WhatIfAnswer { value: { displayName: string; state: string; policyApplies: boolean; analysisReasons: string }[]; monban: { decision: { outcome: string; errorCode: number } } }
interface LintAnswer { value: { code: string; severity: string; policyId: string; file?: string }[]; summary: { error: number; warning: number; info: number } }

/** The built CLI with `args`; `bin`: an executable to run instead (the linked command). */
function run(args: readonly string[], bin?: string): Promise<Run> {
  const [file, fileArgs] = bin === undefined ? [process.execPath, [main, ...args]] : [bin, [...args]];
  return new Promise((resolve) => {
    execFile(file, fileArgs, { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Ids and dates differ between tenants; everything else must survive export and import. */
function comparable(policies: readonly Json[]): Json[] {
  return policies
    .map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !['id', 'createdDateTime', 'modifiedDateTime', 'deletedDateTime', '@odata.type'].includes(k))))
    .sort((a, b) => String(a.displayName).localeCompare(String(b.displayName)));
}

function graphError(r: Run): GraphError {
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const err = JSON.parse(r.stderr) as GraphError;
  assert.equal(typeof err.error.code, 'string');
  assert.equal(typeof err.error.message, 'string');
  return err;
}

// No store may be opened: a data directory that does not exist and a database nobody listens on.
const offline = (): string[] => ['--data', join(mkdtempSync(join(tmpdir(), 'monban-offline-')), 'absent'), '--database', 'postgres://monban@127.0.0.1:1/nothing'];

describe('monban policy on files (offline)', { concurrency: true }, () => {
  test('what-if with --policies and --directory answers like POST .../evaluate, without a store', async () => {
    const args = ['policy', 'what-if', '--signin', join(fixtures, 'what-if/signin.json'), '--policies', join(fixtures, 'what-if/policies'), '--directory', join(fixtures, 'what-if/directory.json'), '--json'];
    const flags = offline();
    const r = await run([...args, ...flags]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(flags[1] ?? ''), false, 'the data directory was not created');
    const answer = JSON.parse(r.stdout) as WhatIfAnswer;
    const byName = new Map(answer.value.map((v) => [v.displayName, v]));
    assert.deepEqual([...byName.keys()].sort(), ['Block legacy authentication', 'Finance: block outside the office', 'Finance: require MFA']);
    assert.equal(byName.get('Finance: require MFA')?.policyApplies, true);
    assert.equal(byName.get('Finance: require MFA')?.analysisReasons, 'notSet');
    assert.equal(byName.get('Block legacy authentication')?.policyApplies, false);
    assert.equal(byName.get('Block legacy authentication')?.analysisReasons, 'clientApps');
    assert.equal(byName.get('Finance: block outside the office')?.policyApplies, false, 'the sign-in comes from the trusted office range');
    assert.equal(byName.get('Finance: block outside the office')?.analysisReasons, 'location');
    assert.equal(byName.get('Finance: block outside the office')?.state, 'enabledForReportingButNotEnforced', 'the PascalCase file was read');
    assert.equal(answer.monban.decision.outcome, 'interrupt');
    assert.equal(answer.monban.decision.errorCode, 50076);

    // Without the directory view the user has no groups: the Finance policies do not apply.
    const bare = await run(['policy', 'what-if', '--signin', join(fixtures, 'what-if/signin.json'), '--policies', join(fixtures, 'what-if/policies'), '--json', ...offline()]);
    assert.equal(bare.status, 0, bare.stderr);
    const mfa = (JSON.parse(bare.stdout) as WhatIfAnswer).value.find((v) => v.displayName === 'Finance: require MFA');
    assert.equal(mfa?.policyApplies, false);
    assert.equal(mfa?.analysisReasons, 'users');

    const text = await run(['policy', 'what-if', '--signin', join(fixtures, 'what-if/signin.json'), '--policies', join(fixtures, 'what-if/policies'), '--directory', join(fixtures, 'what-if/directory.json'), ...offline()]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^decision: interrupt \(AADSTS50076\)/);
    assert.match(text.stdout, /^applies .*Finance: require MFA$/m);
  });

  test('lint on files finds the device-code block without DRS (a warning: exit 0) and a lock-out (an error: exit 1)', async () => {
    const one = await run(['policy', 'lint', '--policies', join(fixtures, 'lint/device-code-without-drs.json'), '--json', ...offline()]);
    assert.equal(one.status, 0, one.stderr);
    const found = JSON.parse(one.stdout) as LintAnswer;
    const drs = found.value.find((f) => f.code === 'device_code_blocks_device_registration');
    assert.ok(drs, one.stdout);
    assert.equal(drs.severity, 'warning');
    assert.equal(drs.file, join(fixtures, 'lint/device-code-without-drs.json'));
    assert.equal(found.summary.error, 0);

    const all = await run(['policy', 'lint', '--policies', join(fixtures, 'lint'), '--json', ...offline()]);
    assert.equal(all.status, 1, 'an error finding fails the command');
    const both = JSON.parse(all.stdout) as LintAnswer;
    const lockOut = both.value.find((f) => f.code === 'locks_out_everyone');
    assert.equal(lockOut?.severity, 'error');
    assert.equal(lockOut?.file, join(fixtures, 'lint/locks-out-everyone.json'));
    assert.ok(both.value.some((f) => f.code === 'device_code_blocks_device_registration'));
    assert.equal(both.summary.error, both.value.filter((f) => f.severity === 'error').length);

    const text = await run(['policy', 'lint', '--policies', join(fixtures, 'lint'), ...offline()]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^error\s+locks_out_everyone .*locks-out-everyone\.json/m);
    assert.match(text.stdout, /^warning device_code_blocks_device_registration .*device-code-without-drs\.json/m);
  });

  test('--json errors are Graph-shaped, text errors are one code and sentence', async () => {
    const unknown = graphError(await run(['policy', 'frobnicate', '--json', ...offline()]));
    assert.equal(unknown.error.code, 'BadRequest');
    assert.equal(unknown.error.innerError['monban-code'], 'validation_failed');

    const noSignin = graphError(await run(['policy', 'what-if', '--policies', join(fixtures, 'what-if/policies'), '--json', ...offline()]));
    assert.match(noSignin.error.message, /--signin/);

    // A What If body the engine refuses: the dotted path of each problem.
    const dir = mkdtempSync(join(tmpdir(), 'monban-cli-'));
    writeFileSync(join(dir, 'bad-signin.json'), JSON.stringify({ signInIdentity: { userId: 42 }, signInContext: { includeApplications: [] } }));
    const bad = graphError(await run(['policy', 'what-if', '--signin', join(dir, 'bad-signin.json'), '--policies', join(fixtures, 'what-if/policies'), '--json', ...offline()]));
    const targets = (bad.error.innerError.details ?? []).map((d) => d.target);
    assert.ok(targets.some((t) => t.startsWith(`${join(dir, 'bad-signin.json')}: signInIdentity`)), JSON.stringify(bad));

    const text = await run(['policy', 'what-if', '--policies', join(fixtures, 'what-if/policies'), ...offline()]);
    assert.equal(text.status, 1);
    assert.match(text.stderr, /^monban: validation_failed: .*--signin/);
  });
});

describe('monban policy on the store', () => {
  let dataDir: string;
  let databaseUrl: string;
  const urls: string[] = [];
  const cli = (...args: string[]): Promise<Run> => run([...args, '--data', dataDir, '--database', databaseUrl]);
  const list = async (): Promise<ListRow[]> => {
    const r = await cli('policy', 'list', '--json');
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { value: ListRow[] }).value;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'monban-cli-policy-'));
    databaseUrl = await createTestDatabaseUrl();
    urls.push(databaseUrl);
    // A set every test can rely on, corpus or not: three policies, one of them PascalCase.
    const r = await cli('policy', 'import', join(fixtures, 'what-if/policies'), '--json');
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    for (const url of urls) await dropTestDatabase(url);
  });

  test('imports a corpus export (ScubaGear, PascalCase) and a UTF-16 file, lists them, warns about unknown ids', { skip: noCorpus }, async () => {
    const before = await list();
    const r = await cli('policy', 'import', corpusFile, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { value: (ListRow & { file: string })[]; warnings: { file: string; code: string; path: string }[] };
    const expected = parsePolicyFile(readFileSync(corpusFile));
    assert.ok(expected.ok);
    assert.equal(out.value.length, expected.value.policies.length);
    assert.ok(out.warnings.some((w) => w.code === 'unknown_reference' && /^conditional_access_policies\[\d+\]\.conditions\.users\.excludeUsers\[0\]$/.test(w.path)), JSON.stringify(out.warnings));

    const after = await list();
    assert.equal(after.length, before.length + out.value.length);
    for (const created of out.value) {
      const row = after.find((p) => p.id === created.id);
      assert.deepEqual(row && { displayName: row.displayName, state: row.state }, { displayName: created.displayName, state: created.state });
    }
    // What was stored is what the file says, modulo ids and dates.
    const exported = await cli('policy', 'export');
    assert.equal(exported.status, 0, exported.stderr);
    const ids = new Set(out.value.map((c) => c.id));
    assert.deepEqual(comparable((JSON.parse(exported.stdout) as Json[]).filter((p) => ids.has(String(p.id)))), comparable(expected.value.policies.map((p) => exportPolicy(p))));

    const utf16 = await cli('policy', 'import', utf16File, '--state', 'disabled');
    assert.equal(utf16.status, 0, utf16.stderr);
    assert.match(utf16.stdout, /^imported 1 policy:\n[0-9a-f-]{36}  disabled  CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA  /);
    assert.match(utf16.stderr, /^monban: warning: .*CA000.*: conditions\.users\.excludeGroups\[0\]: group '8e75af29-5176-4372-a718-724b8a4620dc' is not in the directory$/m);
    const text = await cli('policy', 'list');
    assert.match(text.stdout, /^[0-9a-f-]{36}  disabled\s+CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA$/m);
    assert.equal(text.stdout.trim().split('\n').length, after.length + 1);
  });

  test('export --out writes one re-importable file per policy; a new tenant imports them back equal', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'monban-export-')), 'policies');
    const written = await cli('policy', 'export', '--out', out, '--json');
    assert.equal(written.status, 0, written.stderr);
    const stored = await list();
    const files = readdirSync(out);
    assert.equal(files.length, stored.length);
    assert.deepEqual((JSON.parse(written.stdout) as { value: { id: string }[] }).value.map((w) => w.id).sort(), stored.map((p) => p.id).sort());
    for (const f of files) {
      const parsed = parsePolicyFile(readFileSync(join(out, f)));
      assert.ok(parsed.ok && parsed.value.policies.length === 1, f);
    }

    const otherDir = mkdtempSync(join(tmpdir(), 'monban-cli-policy-'));
    const otherUrl = await createTestDatabaseUrl();
    urls.push(otherUrl);
    const other = (...args: string[]): Promise<Run> => run([...args, '--data', otherDir, '--database', otherUrl]);
    const imported = await other('policy', 'import', out, '--json');
    assert.equal(imported.status, 0, imported.stderr);
    const newIds = (JSON.parse(imported.stdout) as { value: { id: string }[] }).value.map((v) => v.id);
    assert.equal(newIds.length, stored.length);
    assert.equal(newIds.filter((id) => stored.some((p) => p.id === id)).length, 0, 'a new tenant gives new ids');

    const first = await cli('policy', 'export');
    const second = await other('policy', 'export');
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(comparable(JSON.parse(second.stdout) as Json[]), comparable(JSON.parse(first.stdout) as Json[]));
  });

  test('a refused import lists each file and dotted path, and creates nothing', async () => {
    const before = await list();
    const r = await cli('policy', 'import', join(fixtures, 'refused'), '--json');
    const err = graphError(r);
    assert.equal(err.error.code, 'BadRequest');
    assert.equal(err.error.innerError['monban-code'], 'validation_failed');
    assert.match(err.error.message, /Nothing was imported: 1 of 2 file\(s\) refused/);
    const targets = (err.error.innerError.details ?? []).map((d) => d.target).sort();
    const bad = join(fixtures, 'refused/b-invalid.json');
    assert.deepEqual(targets, [`${bad}: grantControls.operator`, `${bad}: state`]);
    const text = await cli('policy', 'import', join(fixtures, 'refused'));
    assert.equal(text.status, 1);
    assert.match(text.stderr, /^monban: validation_failed: .*Nothing was imported/);
    assert.match(text.stderr, /^ {2}.*b-invalid\.json: state: invalid_enum: /m);

    const badState = graphError(await cli('policy', 'import', join(fixtures, 'refused/a-valid.json'), '--state', 'maybe', '--json'));
    assert.match(badState.error.message, /--state/);
    assert.deepEqual(await list(), before, 'nothing was imported, the valid file included');
  });

  test('lint on the stored set with the stored directory finds the device-code block without DRS', async () => {
    const imported = await cli('policy', 'import', join(fixtures, 'lint/device-code-without-drs.json'), '--json');
    assert.equal(imported.status, 0, imported.stderr);
    const id = (JSON.parse(imported.stdout) as { value: { id: string }[] }).value[0]?.id;
    const r = await cli('policy', 'lint', '--json');
    const found = JSON.parse(r.stdout) as LintAnswer;
    assert.equal(r.status, found.summary.error > 0 ? 1 : 0, 'exit 1 exactly when an error is found');
    assert.ok(found.value.some((f) => f.policyId === id && f.code === 'device_code_blocks_device_registration'), r.stdout);
    // The stored directory is used: the excluded user of the fixture is not in this tenant.
    assert.ok(found.value.some((f) => f.policyId === id && f.code === 'unknown_reference'), r.stdout);
  });

  test('what-if without --policies uses the stored policies and the stored directory', async () => {
    const user = await cli('users', 'create', '--upn', 'whatif@monban.local', '--name', 'What If', '--json');
    assert.equal(user.status, 0, user.stderr);
    const userId = (JSON.parse(user.stdout) as { id: string }).id;
    const group = await cli('groups', 'create', '--name', 'What If group', '--json');
    const groupId = (JSON.parse(group.stdout) as { id: string }).id;
    assert.equal((await cli('groups', 'add-member', groupId, userId)).status, 0);
    const dir = mkdtempSync(join(tmpdir(), 'monban-cli-'));
    writeFileSync(join(dir, 'group-mfa.json'), JSON.stringify({
      displayName: 'What If group: require MFA', state: 'enabled',
      conditions: { users: { includeGroups: [groupId] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    }));
    assert.equal((await cli('policy', 'import', join(dir, 'group-mfa.json'))).status, 0);
    const signin = JSON.parse(readFileSync(join(fixtures, 'what-if/signin.json'), 'utf8')) as { signInIdentity: { userId: string } };
    signin.signInIdentity.userId = userId;
    writeFileSync(join(dir, 'signin.json'), JSON.stringify(signin));

    const r = await cli('policy', 'what-if', '--signin', join(dir, 'signin.json'), '--json');
    assert.equal(r.status, 0, r.stderr);
    const answer = JSON.parse(r.stdout) as WhatIfAnswer;
    const byName = new Map(answer.value.map((v) => [v.displayName, v]));
    assert.equal(byName.get('What If group: require MFA')?.policyApplies, true, 'group membership comes from the stored directory');
    assert.equal(byName.get('Finance: require MFA')?.analysisReasons, 'users');
    assert.equal(byName.get('Block legacy authentication')?.analysisReasons, 'clientApps');
    assert.equal(answer.monban.decision.outcome, 'interrupt');

    writeFileSync(join(dir, 'stranger.json'), JSON.stringify({ ...signin, signInIdentity: { userId: '00000000-0000-0000-0000-00000000beef' } }));
    const stranger = graphError(await cli('policy', 'what-if', '--signin', join(dir, 'stranger.json'), '--json'));
    assert.ok(stranger.error.innerError.details?.some((d) => d.target.endsWith('signInIdentity.userId')), JSON.stringify(stranger));

    const mixed = graphError(await cli('policy', 'what-if', '--signin', join(dir, 'signin.json'), '--directory', join(fixtures, 'what-if/directory.json'), '--json'));
    assert.match(mixed.error.message, /--directory goes with --policies/);
  });
});

describe('the monban command npm links', () => {
  test('node_modules/.bin/monban runs the bundled CLI (npx monban from the repository)', async () => {
    const bin = join(root, 'node_modules/.bin/monban');
    assert.ok(existsSync(bin), 'npm linked no monban bin: its file must exist at install time');
    const answer = await run(['policy', 'lint', '--policies', join(fixtures, 'lint'), '--json'], bin);
    const lint = JSON.parse(answer.stdout) as LintAnswer;
    assert.ok(Array.isArray(lint.value), answer.stderr);
    assert.equal(typeof lint.summary.error, 'number');
  });
});
