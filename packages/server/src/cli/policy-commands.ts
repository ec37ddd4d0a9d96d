// `monban policy import|export|list|lint|what-if`: conditional access policies as files.
// They act on the data directory or database directly (no server needed); `lint` and
// `what-if` with --policies work on files alone and never open the store.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUTHENTICATION_METHOD_MODES,
  decodeText,
  exportPolicy,
  findUnknownReferences,
  formatPath,
  GUEST_OR_EXTERNAL_USER_TYPES,
  lintPolicies,
  parseAuthenticationStrengthFile,
  parseNamedLocationFile,
  parsePolicyFile,
  RISK_LEVELS,
  whatIf,
  type AuthenticationStrengthPolicy,
  type ConditionalAccessPolicy,
  type DirectoryView,
  type FileContainer,
  type Issue,
  type LintFinding,
  type NamedLocation,
  type WhatIfResponse,
} from '@monban/policy';
import { z } from 'zod';
import { systemClock } from '../clock.js';
import type { ServerConfig } from '../config/config.js';
import { directoryUser, fullDirectoryView } from '../conditional-access/directory-view.js';
import { ConditionalAccessStore } from '../conditional-access/store.js';
import { Directory } from '../directory/directory.js';
import { MonbanError } from '../errors/catalogue.js';
import { openStore, type Store } from '../store/database.js';

export interface PolicyCommandOptions {
  readonly json: boolean;
  readonly out?: string;
  readonly policies?: string;
  readonly signin?: string;
  readonly directory?: string;
  readonly state?: string;
}

export const policyUsage = `  policy import FILE_OR_DIR [--state enabled|disabled|enabledForReportingButNotEnforced]
                                all or nothing, in one transaction; new ids; unknown ids are warnings
  policy export [--out DIR]     one Graph JSON file per policy in DIR, or a JSON array on stdout
  policy list
  policy lint [--policies FILE_OR_DIR [--directory FILE]]
                                exit 1 when a finding has severity error (warnings and info: 0)
  policy what-if --signin FILE [--policies FILE_OR_DIR [--directory FILE]]
                                FILE is a What If request body; with --policies: offline, no store
                                --directory FILE: a JSON directory view (users with groupIds and
                                roleTemplateIds, groups, roles, applications, namedLocations...)`;

const STATES = ['enabled', 'disabled', 'enabledForReportingButNotEnforced'] as const;

interface SourcePolicy {
  readonly file: string;
  /** Where the policy sits in its file (`''`, `[2]`, `value[2]`...), for dotted paths. */
  readonly at: string;
  readonly policy: ConditionalAccessPolicy;
}

interface ImportWarning {
  readonly file: string;
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text === '' ? '' : `${text}\n`);
}

function joinPath(at: string, path: string): string {
  if (at === '') return path;
  if (path === '') return at;
  return path.startsWith('[') ? `${at}${path}` : `${at}.${path}`;
}

function positionIn(container: FileContainer, index: number): string {
  switch (container) {
    case 'object': return '';
    case 'array': return `[${index}]`;
    case 'collection': return `value[${index}]`;
    case 'scubaGearExport': return `conditional_access_policies[${index}]`;
  }
}

function refusal(summary: string, issues: readonly (Issue & { file: string })[]): MonbanError {
  return new MonbanError('validation_failed', summary,
    issues.map((e) => ({ target: e.path ? `${e.file}: ${e.path}` : e.file, message: `${e.code}: ${e.message}` })));
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const why = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new MonbanError('validation_failed', `${file}: ${why}.`);
  }
}

/** The .json files of a directory (not recursive, by name), or the one file named. */
function filesOf(target: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new MonbanError('validation_failed', `${target}: no such file or directory.`);
  }
  if (!isDir) return [target];
  const files = readdirSync(target).filter((n) => n.toLowerCase().endsWith('.json')).sort().map((n) => join(target, n));
  if (files.length === 0) throw new MonbanError('validation_failed', `${target}: the directory holds no .json file.`);
  return files;
}

/** Reads every file first; refuses with every problem of every file, or returns them all. */
function readPolicies(target: string): { sources: SourcePolicy[]; warnings: ImportWarning[] } {
  const files = filesOf(target);
  const sources: SourcePolicy[] = [];
  const warnings: ImportWarning[] = [];
  const errors: (Issue & { file: string })[] = [];
  let refusedFiles = 0;
  for (const file of files) {
    const parsed = parsePolicyFile(readBytes(file));
    if (!parsed.ok) {
      refusedFiles++;
      errors.push(...parsed.errors.map((e) => ({ ...e, file })));
      continue;
    }
    const { policies, container } = parsed.value;
    for (const w of parsed.warnings) warnings.push({ file, code: w.code, path: w.path, message: w.message });
    policies.forEach((policy, i) => sources.push({ file, at: positionIn(container, i), policy }));
  }
  if (errors.length > 0) {
    throw refusal(`Nothing was imported: ${refusedFiles} of ${files.length} file(s) refused.`, errors);
  }
  return { sources, warnings };
}

// ---- --directory FILE: a DirectoryView for @monban/policy -----------------------------
const idList = z.array(z.string()).optional();
const objects = z.array(z.looseObject({ id: z.string(), displayName: z.string().optional() })).optional();
const directorySchema = z.looseObject({
  users: z.array(z.looseObject({
    id: z.string(),
    displayName: z.string().optional(),
    userType: z.enum(['member', 'guest']).optional(),
    guestOrExternalUserTypes: z.array(z.enum(GUEST_OR_EXTERNAL_USER_TYPES)).optional(),
    externalTenantId: z.string().optional(),
    groupIds: idList,
    roleTemplateIds: idList,
    registeredMethods: z.array(z.enum(AUTHENTICATION_METHOD_MODES)).optional(),
    userRiskLevel: z.enum(RISK_LEVELS).optional(),
  })).optional(),
  groups: objects,
  roles: objects,
  applications: z.array(z.looseObject({ appId: z.string(), displayName: z.string().optional() })).optional(),
  servicePrincipals: z.array(z.looseObject({ id: z.string(), appId: z.string(), displayName: z.string().optional() })).optional(),
  namedLocations: z.array(z.unknown()).optional(),
  authenticationStrengths: z.array(z.unknown()).optional(),
  termsOfUse: objects,
  authenticationContexts: objects,
  emergencyAccess: z.looseObject({ userIds: idList, groupIds: idList }).optional(),
  applicationGroups: z.looseObject({ Office365: idList, MicrosoftAdminPortals: idList }).optional(),
});

function readJson(file: string): unknown {
  const decoded = decodeText(readBytes(file));
  if (!decoded.ok) throw refusal(`${file} cannot be read.`, decoded.errors.map((e) => ({ ...e, file })));
  try {
    return JSON.parse(decoded.value.text) as unknown;
  } catch (e) {
    throw new MonbanError('validation_failed', `${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readDirectoryView(file: string): DirectoryView {
  const parsed = directorySchema.safeParse(readJson(file));
  if (!parsed.success) {
    throw refusal(`${file} is not a directory view.`, parsed.error.issues.map((i) => ({ code: i.code, path: formatPath(i.path), message: i.message, file })));
  }
  const errors: (Issue & { file: string })[] = [];
  const namedLocations: NamedLocation[] = [];
  const strengths: AuthenticationStrengthPolicy[] = [];
  const { namedLocations: rawLocations, authenticationStrengths: rawStrengths, ...rest } = parsed.data;
  (rawLocations ?? []).forEach((item, i) => {
    const r = parseNamedLocationFile(JSON.stringify(item));
    if (r.ok) namedLocations.push(...r.value.items);
    else errors.push(...r.errors.map((e) => ({ ...e, path: joinPath(`namedLocations[${i}]`, e.path), file })));
  });
  (rawStrengths ?? []).forEach((item, i) => {
    const r = parseAuthenticationStrengthFile(JSON.stringify(item));
    if (r.ok) strengths.push(...r.value.items);
    else errors.push(...r.errors.map((e) => ({ ...e, path: joinPath(`authenticationStrengths[${i}]`, e.path), file })));
  });
  if (errors.length > 0) throw refusal(`${file} is not a directory view.`, errors);
  return {
    ...rest,
    ...(rawLocations ? { namedLocations } : {}),
    ...(rawStrengths ? { authenticationStrengths: strengths } : {}),
  };
}

// ---- the store ---------------------------------------------------------------------
interface Opened {
  readonly store: Store;
  readonly directory: Directory;
  readonly ca: ConditionalAccessStore;
}

async function withStore<T>(config: ServerConfig, run: (o: Opened) => Promise<T>): Promise<T> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  try {
    return await run({ store, directory: new Directory(store, systemClock), ca: new ConditionalAccessStore(store.db, systemClock) });
  } finally {
    await store.close();
  }
}

// ---- the commands --------------------------------------------------------------------
async function importPolicies(target: string | undefined, opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  if (!target) throw new MonbanError('validation_failed', 'Use: monban policy import FILE_OR_DIR.');
  const state = STATES.find((s) => s === opts.state);
  if (opts.state !== undefined && state === undefined) {
    throw new MonbanError('validation_failed', `--state must be one of ${STATES.join(', ')}.`);
  }
  const { sources, warnings } = readPolicies(target);
  if (sources.length === 0) throw new MonbanError('validation_failed', `${target}: no policy to import.`);
  const wanted = sources.map((s) => ({ ...s, policy: state ? { ...s.policy, state } : s.policy }));

  const created = await withStore(config, async ({ store, directory, ca }) => {
    const view = await fullDirectoryView(directory, ca);
    for (const s of wanted) {
      for (const r of findUnknownReferences(s.policy, view)) {
        // Placeholders are already among the file's own warnings.
        if (r.code === 'unknown_reference') warnings.push({ file: s.file, code: r.code, path: joinPath(s.at, r.path), message: r.message });
      }
    }
    return store.db.transaction().execute(async (trx) => {
      const inTransaction = new ConditionalAccessStore(trx, systemClock);
      const out: { id: string; displayName: string; state: string; file: string }[] = [];
      for (const s of wanted) {
        try {
          const p = await inTransaction.createPolicy(exportPolicy(s.policy, { forCreate: true }));
          out.push({ id: p.id ?? '', displayName: p.displayName ?? '', state: p.state ?? '', file: s.file });
        } catch (e) {
          if (!(e instanceof MonbanError)) throw e;
          throw new MonbanError(e.code, `Nothing was imported: ${s.file}${s.at ? ` ${s.at}` : ''} was refused.`,
            e.details.map((d) => ({ target: `${s.file}: ${joinPath(s.at, d.target === 'body' ? '' : d.target)}`, message: d.message })));
        }
      }
      return out;
    });
  });

  if (!opts.json) for (const w of warnings) process.stderr.write(`monban: warning: ${w.file}: ${w.path ? `${w.path}: ` : ''}${w.message}\n`);
  print(opts.json, { value: created, warnings },
    [`imported ${created.length} polic${created.length === 1 ? 'y' : 'ies'}:`, ...created.map((c) => `${c.id}  ${c.state}  ${c.displayName}  (${c.file})`)].join('\n'));
  return 0;
}

function fileNameFor(p: ConditionalAccessPolicy, used: Set<string>): string {
  // Without the characters some file systems refuse, and control characters.
  const base = (p.displayName ?? '').replace(/[\\/:*?"<>|]/g, '_').replace(/\p{Cc}/gu, '').trim().slice(0, 120) || 'policy';
  let name = `${base}.json`;
  if (used.has(name.toLowerCase())) name = `${base} (${p.id ?? used.size}).json`;
  used.add(name.toLowerCase());
  return name;
}

async function exportAll(opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  const policies = await withStore(config, ({ ca }) => ca.listPolicies());
  const bodies = policies.map((p) => exportPolicy(p, { odataType: true }));
  if (opts.out === undefined) {
    process.stdout.write(`${JSON.stringify(bodies, null, 2)}\n`);
    return 0;
  }
  mkdirSync(opts.out, { recursive: true });
  const used = new Set<string>();
  const written = policies.map((p, i) => {
    const file = join(opts.out ?? '.', fileNameFor(p, used));
    writeFileSync(file, `${JSON.stringify(bodies[i], null, 2)}\n`);
    return { id: p.id ?? '', displayName: p.displayName ?? '', file };
  });
  print(opts.json, { value: written }, [`exported ${written.length} polic${written.length === 1 ? 'y' : 'ies'} to ${opts.out}`, ...written.map((w) => `${w.id}  ${w.file}`)].join('\n'));
  return 0;
}

async function list(opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  const policies = await withStore(config, ({ ca }) => ca.listPolicies());
  const rows = policies.map((p) => ({ id: p.id ?? '', displayName: p.displayName ?? '', state: p.state ?? 'disabled', createdDateTime: p.createdDateTime ?? null, modifiedDateTime: p.modifiedDateTime ?? null }));
  print(opts.json, { value: rows }, rows.map((r) => `${r.id}  ${r.state.padEnd(34)}  ${r.displayName}`).join('\n'));
  return 0;
}

async function lint(opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  let findings: (LintFinding & { file?: string })[];
  if (opts.policies !== undefined) {
    const { sources } = readPolicies(opts.policies);
    const view = opts.directory !== undefined ? readDirectoryView(opts.directory) : {};
    const policies = sources.map((s) => s.policy);
    const fileOf = (policyId: string): string | undefined => {
      const index = policyId.startsWith('#') ? Number(policyId.slice(1)) : policies.findIndex((p) => p.id === policyId);
      return sources[index]?.file;
    };
    findings = lintPolicies(policies, view).map((f) => {
      const file = fileOf(f.policyId);
      return file === undefined ? f : { ...f, file };
    });
  } else {
    if (opts.directory !== undefined) throw new MonbanError('validation_failed', '--directory goes with --policies: without it, lint uses the stored directory.');
    findings = await withStore(config, async ({ directory, ca }) => lintPolicies(await ca.listPolicies(), await fullDirectoryView(directory, ca)));
  }
  const count = (s: LintFinding['severity']): number => findings.filter((f) => f.severity === s).length;
  const summary = { error: count('error'), warning: count('warning'), info: count('info') };
  print(opts.json, { value: findings, summary }, [
    ...findings.map((f) => `${f.severity.padEnd(7)} ${f.code}  ${f.file ? `${f.file}: ` : ''}${f.message}${f.path ? ` (${f.path})` : ''}`),
    findings.length === 0 ? 'no findings' : `${summary.error} error(s), ${summary.warning} warning(s), ${summary.info} info`,
  ].join('\n'));
  return summary.error > 0 ? 1 : 0;
}

async function storedWhatIf(request: unknown, config: ServerConfig): Promise<ReturnType<typeof whatIf>> {
  return withStore(config, async ({ directory, ca }) => {
    const snapshot = await ca.snapshot();
    const identity = typeof request === 'object' && request !== null && 'signInIdentity' in request ? request.signInIdentity : undefined;
    const userId = typeof identity === 'object' && identity !== null && 'userId' in identity && typeof identity.userId === 'string' ? identity.userId : undefined;
    const spId = typeof identity === 'object' && identity !== null && 'servicePrincipalId' in identity && typeof identity.servicePrincipalId === 'string' ? identity.servicePrincipalId : undefined;
    const user = userId === undefined ? undefined : await directoryUser(directory, userId);
    const sp = spId === undefined ? undefined : await directory.getServicePrincipal(spId);
    const view: DirectoryView = {
      namedLocations: snapshot.namedLocations,
      authenticationStrengths: snapshot.strengths,
      ...(userId !== undefined ? { users: user ? [user] : [] } : {}),
      ...(spId !== undefined ? { servicePrincipals: sp ? [{ id: sp.id, appId: sp.app_id, displayName: sp.display_name }] : [] } : {}),
    };
    return whatIf(request, snapshot.compiled, view);
  });
}

async function whatIfCommand(opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  if (opts.signin === undefined) throw new MonbanError('validation_failed', 'policy what-if needs --signin FILE (a What If request body).');
  const request = readJson(opts.signin);
  let answer: ReturnType<typeof whatIf>;
  if (opts.policies !== undefined) {
    // Offline: files only, the store is never opened.
    const { sources } = readPolicies(opts.policies);
    const view = opts.directory !== undefined ? readDirectoryView(opts.directory) : {};
    answer = whatIf(request, sources.map((s) => s.policy), view);
  } else {
    if (opts.directory !== undefined) throw new MonbanError('validation_failed', '--directory goes with --policies: without it, what-if uses the stored directory.');
    answer = await storedWhatIf(request, config);
  }
  if (!answer.ok) throw refusal(`${opts.signin} is not a valid What If request.`, answer.errors.map((e) => ({ ...e, file: opts.signin ?? '' })));
  const res: WhatIfResponse = answer.value;
  const d = res.monban.decision;
  print(opts.json, res, [
    `decision: ${d.outcome}${d.errorCode ? ` (AADSTS${d.errorCode})` : ''}${d.explanation ? `: ${d.explanation}` : ''}`,
    ...res.value.map((r) => `${r.policyApplies ? 'applies' : 'no     '}  ${String(r.state ?? '').padEnd(34)}  ${String(r.displayName ?? r.id ?? '')}${r.policyApplies ? '' : `  (${r.analysisReasons})`}`),
    ...res.monban.notes.map((n) => `note: ${n}`),
  ].join('\n'));
  return 0;
}

export async function runPolicyCommand(sub: string | undefined, rest: readonly string[], opts: PolicyCommandOptions, config: ServerConfig): Promise<number> {
  switch (sub) {
    case 'import': return importPolicies(rest[0], opts, config);
    case 'export': return exportAll(opts, config);
    case 'list': return list(opts, config);
    case 'lint': return lint(opts, config);
    case 'what-if': return whatIfCommand(opts, config);
    default:
      throw new MonbanError('validation_failed', `Unknown command "policy${sub ? ` ${sub}` : ''}". Use: monban policy import|export|list|lint|what-if (monban --help).`);
  }
}
