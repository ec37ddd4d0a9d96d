// Monban against bare oidc-provider, one core each in turn, in one run. See bench/README.md
// and docs/decisions/0009-benchmark-method.md for the method and how to read the ratios.
//
//   npm run bench -- [--seconds 10] [--warmup-seconds 3] [--connections 16] [--rounds 1] [--scenarios client_credentials,refresh_token]
//                    [--server-core 0] [--load-core 1] [--no-pin] [--no-policies] [--profile] [--keep-data] [--out bench/results]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { basicAuth, HttpsClient } from './lib/http.js';
import { autocannonRefresh, wrkPost, type LoadResult } from './lib/load.js';
import { adminToken, clientCredentials, graphScope, prepareRefresh, readBootstrap, refreshScope, startMonban, type Bootstrap, type StartedMonban } from './lib/monban.js';
import { startPeer, type StartedPeer } from './lib/peer.js';
import { adminGraph, benchPolicies, installPolicies, preparePolicyDirectory, removePolicies, type Graph, type PolicyDirectory } from './lib/policies.js';
import { allowedCores, coreTimes, cpuSeconds, freePort, hasTaskset, memoryMiB } from './lib/procs.js';
import { summariseProfile, type ProfileSummary } from './lib/profile.js';
import { markdown, type BenchReport, type PolicyReport, type PolicyScenarioReport, type ScenarioReport, type ServerRun, type StartReport } from './lib/report.js';

const root = new URL('../', import.meta.url).pathname;
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: 'client_credentials,refresh_token' },
    'server-core': { type: 'string', default: '0' },
    'load-core': { type: 'string', default: '1' },
    'no-pin': { type: 'boolean', default: false },
    'no-policies': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    'data-root': { type: 'string', default: tmpdir() },
    out: { type: 'string', default: join(root, 'bench/results') },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (flags.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
  process.exit(0);
}

const seconds = Number(flags.seconds);
const warmupSeconds = Number(flags['warmup-seconds']);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const scenarios = (flags.scenarios ?? '').split(',').filter(Boolean) as ScenarioReport['name'][];
for (const s of scenarios) if (s !== 'client_credentials' && s !== 'refresh_token') throw new Error(`unknown scenario ${s}`);
if (![seconds, connections, rounds].every((v) => Number.isInteger(v) && v > 0)) throw new Error('--seconds, --connections and --rounds take positive integers');
const pin = !flags['no-pin'] && hasTaskset();
const serverCore = pin ? Number(flags['server-core']) : undefined;
const loadCore = pin ? Number(flags['load-core']) : undefined;
const targets = {
  client_credentials: { ratio: 1.0, reference: 1900 },
  refresh_token: { ratio: 0.9, reference: 1100 },
  idleRssMiB: 120,
  msToReady: 2000,
  // With 50 enabled conditional access policies, >= 0.9 of the figures without (same run).
  withPolicies: 0.9,
};
const withPolicies = !flags['no-policies'];
// Each refresh run can strand one family per connection (answers in flight when the run
// stops are never read); the rest are spares.
const families = connections * (rounds + (withPolicies ? 2 * rounds : 0) + (flags.profile ? 1 : 0) + 1);
const problems: string[] = [];
const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };

if (loadCore !== undefined && allowedCores('self') !== String(loadCore)) {
  log(`note: this process may run on cores ${allowedCores('self')}; scripts/bench.mjs pins it to the load core (${loadCore}).`);
}

const jwtAlg = (body: string): string => {
  const token = (JSON.parse(body) as { access_token?: string }).access_token ?? '';
  return (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString() || '{}') as { alg?: string }).alg ?? '?';
};

async function measured(pid: number, run: () => Promise<LoadResult>): Promise<ServerRun> {
  const cpu0 = cpuSeconds(pid);
  const core0 = serverCore === undefined ? undefined : coreTimes(serverCore);
  const t0 = process.hrtime.bigint();
  const result = await run();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  const cpu = cpuSeconds(pid) - cpu0;
  const out: ServerRun = { ...result, serverCpu: r2(cpu / wall), cpuMsPerRequest: result.ok > 0 ? Math.round((cpu / result.ok) * 1e6) / 1000 : 0 };
  if (core0 && serverCore !== undefined) {
    const core1 = coreTimes(serverCore);
    const total = core1.total - core0.total || 1;
    out.coreBusy = r2((core1.busy - core0.busy) / total);
    out.coreIowait = r2((core1.iowait - core0.iowait) / total);
    out.otherWork = r2(Math.max(0, out.coreBusy - out.serverCpu));
  }
  return out;
}

const dataDir = mkdtempSync(join(resolve(flags['data-root'] ?? tmpdir()), 'monban-bench-'));
const loadAtStart = loadavg().map((v) => Math.round(v * 100) / 100);
if ((loadAtStart[0] ?? 0) > 0.5) log(`note: load average ${loadAtStart.join(' ')} before the run; other work on this machine lowers the rps figures; compare CPU ms/request (see bench/README.md).`);
let monban: StartedMonban | undefined;
let peer: StartedPeer | undefined;
try {
  // 1. Startup: a first start on an empty data directory, then a second start on it.
  log(`data directory ${dataDir}`);
  const first = await startMonban({ dataDir, port: await freePort(), core: serverCore });
  const bootstrap: Bootstrap = readBootstrap(dataDir);
  const ca = readFileSync(join(dataDir, 'ca.crt'), 'utf8');
  const http = new HttpsClient(ca);
  const warmUp = async (origin: string): Promise<string> => {
    for (const path of ['/readyz', `/${bootstrap.tenantId}/v2.0/.well-known/openid-configuration`, `/${bootstrap.tenantId}/discovery/v2.0/keys`]) await http.call(`${origin}${path}`);
    let alg = '?';
    for (let i = 0; i < 3; i++) {
      const r = await clientCredentials(http, origin, bootstrap);
      if (r.status !== 200) throw new Error(`client credentials on Monban: ${r.status} ${r.text}`);
      alg = jwtAlg(r.text);
    }
    await new Promise((r) => setTimeout(r, 1000));
    return alg;
  };
  await warmUp(first.origin);
  const startReport = (msToReady: number, pid: number): StartReport => {
    const mem = memoryMiB(pid);
    return { msToReady: Math.round(msToReady), rssMiB: mem.rss, rssAnonMiB: mem.anon, rssFileMiB: mem.file };
  };
  const firstStart = startReport(first.msToReady, first.proc.pid);
  log(`first start: ready in ${firstStart.msToReady} ms, ${firstStart.rssMiB} MiB (anonymous ${firstStart.rssAnonMiB}, file-backed ${firstStart.rssFileMiB})`);
  if (await first.proc.stop() !== 0) problems.push('the first Monban process did not exit 0 on SIGTERM');

  monban = await startMonban({ dataDir, port: await freePort(), core: serverCore });
  const monbanAlg = await warmUp(monban.origin);
  const secondStart = startReport(monban.msToReady, monban.proc.pid);
  log(`second start: ready in ${secondStart.msToReady} ms, ${secondStart.rssMiB} MiB (anonymous ${secondStart.rssAnonMiB}, file-backed ${secondStart.rssFileMiB}; cores ${allowedCores(monban.proc.pid)})`);

  // 2. The peer, on the same core, same certificate.
  peer = await startPeer({ port: await freePort(), core: serverCore, certFile: join(dataDir, 'tls.crt'), keyFile: join(dataDir, 'tls.key'), families });
  let peerAuth = basicAuth(peer.clientId, peer.clientSecret);
  const peerCcBody = new URLSearchParams({ grant_type: 'client_credentials', scope: peer.info.scope }).toString();
  const peerCheck = await http.call(`${peer.origin}${peer.info.tokenPath}`, { headers: { authorization: peerAuth, 'content-type': 'application/x-www-form-urlencoded' }, form: { grant_type: 'client_credentials', scope: peer.info.scope } });
  if (peerCheck.status !== 200) throw new Error(`client credentials on the peer: ${peerCheck.status} ${peerCheck.text}`);
  const peerAlg = jwtAlg(peerCheck.text);
  await new Promise((r) => setTimeout(r, 1000));
  const peerIdleMem = memoryMiB(peer.proc.pid);
  const peerIdle = peerIdleMem.rss;
  log(`peer: oidc-provider ${peer.oidcProviderVersion}, ready in ${Math.round(peer.msToReady)} ms, ${peerIdle} MiB (anonymous ${peerIdleMem.anon}, file-backed ${peerIdleMem.file}; cores ${allowedCores(peer.proc.pid)})`);

  // 3. Refresh-token families on Monban: one browserless sign-in each.
  //    With policies: first the groups and named locations they refer to, so that every
  //    measurement (with and without the policies) sees the same directory.
  let graph: Graph | undefined;
  let policyDirectory: PolicyDirectory | undefined;
  if (withPolicies) {
    graph = adminGraph(http, monban.origin, await adminToken(http, monban.origin, bootstrap));
    policyDirectory = await preparePolicyDirectory(graph, bootstrap.adminClient.clientId);
  }
  let monbanRefresh = { clientId: '', clientSecret: '', refreshTokens: [] as string[] };
  const peerPool = [...peer.info.refreshTokens];
  if (scenarios.includes('refresh_token')) {
    log(`signing in ${families} users on Monban for refresh-token families...`);
    monbanRefresh = await prepareRefresh(http, monban.origin, bootstrap, families, policyDirectory?.groups.engineering);
  }

  // 4. Load: per scenario and round, both servers (the order alternates between rounds).
  const reports: ScenarioReport[] = [];
  const tokenUrl = (who: 'peer' | 'monban', origin: string): string => (who === 'peer' ? `${origin}${peer?.info.tokenPath ?? '/token'}` : `${origin}/${bootstrap.tenantId}/oauth2/v2.0/token`);
  const runOne = async (scenario: ScenarioReport['name'], who: 'peer' | 'monban', target: { origin: string; pid: number }, runSeconds = seconds): Promise<ServerRun> => {
    if (scenario === 'client_credentials') {
      const url = tokenUrl(who, target.origin);
      const body = who === 'peer' ? peerCcBody : new URLSearchParams({ grant_type: 'client_credentials', scope: graphScope }).toString();
      const authorization = who === 'peer' ? peerAuth : basicAuth(bootstrap.adminClient.clientId, bootstrap.adminClient.clientSecret);
      return measured(target.pid, () => wrkPost({ url, body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: authorization }, connections, seconds: runSeconds, core: loadCore }));
    }
    return measured(target.pid, () => autocannonRefresh({
      url: tokenUrl(who, target.origin),
      authorization: who === 'peer' ? peerAuth : basicAuth(monbanRefresh.clientId, monbanRefresh.clientSecret),
      scope: who === 'peer' ? peer?.info.refreshScope ?? '' : refreshScope,
      pool: who === 'peer' ? peerPool : monbanRefresh.refreshTokens, connections, seconds: runSeconds,
    }));
  };
  const peerTarget = { origin: peer.origin, pid: peer.proc.pid };
  const monbanTarget = { origin: monban.origin, pid: monban.proc.pid };
  for (const scenario of scenarios) {
    // Warm-up, not counted: both servers reach their steady state (JIT-compiled token path,
    // grown heaps, SQLite pages cached) before the measured rounds, as a long-running server is.
    if (warmupSeconds > 0) {
      for (const who of ['peer', 'monban'] as const) {
        const r = await runOne(scenario, who, who === 'peer' ? peerTarget : monbanTarget, warmupSeconds);
        // Not a problem of the results: the peer's in-memory adapter is an LRU of 1,000 entries,
        // and a refresh family whose token or grant it evicted while the family sat idle fails.
        log(`${scenario} warm-up ${who}: ${r.rps} rps (not counted)${r.failed > 0 ? `; ${r.failed} failed, first: ${r.firstFailure ?? '?'}` : ''}`);
      }
    }
    const perRound: { peer: ServerRun; monban: ServerRun }[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: ('peer' | 'monban')[] = round % 2 === 0 ? ['peer', 'monban'] : ['monban', 'peer'];
      const pair: Partial<Record<'peer' | 'monban', ServerRun>> = {};
      for (const who of order) {
        const r = await runOne(scenario, who, who === 'peer' ? peerTarget : monbanTarget);
        pair[who] = r;
        log(`${scenario} round ${round + 1} ${who}: ${r.rps} rps, p99 ${r.p99Ms} ms, server CPU ${Math.round(r.serverCpu * 100)}% = ${r.cpuMsPerRequest} ms/request${r.coreBusy !== undefined ? ` (core busy ${Math.round(r.coreBusy * 100)}%, iowait ${Math.round((r.coreIowait ?? 0) * 100)}%)` : ''}${r.generatorCpu !== undefined ? `, load generator CPU ${Math.round(r.generatorCpu * 100)}%` : ''}${r.failed ? `, ${r.failed} FAILED (${r.firstFailure ?? ''})` : ''}`);
        if (r.failed > 0) problems.push(`${scenario} on ${who}: ${r.failed} failed requests, first: ${r.firstFailure ?? '?'}`);
      }
      if (pair.peer && pair.monban) perRound.push({ peer: pair.peer, monban: pair.monban });
    }
    const median = (runs: ServerRun[], by: 'rps' | 'cpu' = 'rps'): ServerRun => [...runs].sort((a, b) => (by === 'rps' ? a.rps - b.rps : a.cpuMsPerRequest - b.cpuMsPerRequest))[Math.floor((runs.length - 1) / 2)] ?? runs[0] as ServerRun;
    const p = median(perRound.map((x) => x.peer));
    const m = median(perRound.map((x) => x.monban));
    const ratio = Math.round((m.rps / p.rps) * 100) / 100;
    const t = targets[scenario];
    const others = perRound.flatMap((x) => [x.peer.otherWork ?? 0, x.monban.otherWork ?? 0]);
    if (Math.max(...others) > 0.2) problems.push(`${scenario}: other work took up to ${Math.round(Math.max(...others) * 100)}% of the server core during the runs (other processes, or kernel work while the server waited); rps are low by up to that much, CPU ms/request are not`);
    reports.push({
      name: scenario, generator: scenario === 'client_credentials' ? 'wrk' : 'autocannon', connections, seconds,
      peer: p, monban: m, ratio, cpuRatio: Math.round((median(perRound.map((x) => x.peer), 'cpu').cpuMsPerRequest / median(perRound.map((x) => x.monban), 'cpu').cpuMsPerRequest) * 100) / 100, target: t.ratio, meetsTarget: ratio >= t.ratio, referenceRpsPerCore: t.reference, rounds: perRound,
    });
  }

  // 5. The same Monban process with 50 enabled conditional access policies, created through
  //    the admin API, against the same process without them; which goes first alternates by
  //    round. Every request must still succeed, and the sign-in log must show the policies
  //    evaluated (some applied and met, not all notApplied).
  let policyReport: PolicyReport | undefined;
  const policyFailures: string[] = [];
  if (graph && policyDirectory) {
    const perScenario = new Map<ScenarioReport['name'], { without: ServerRun; with: ServerRun; order: ('without' | 'with')[] }[]>();
    const logs = new Map<ScenarioReport['name'], PolicyScenarioReport['signInLog']>();
    let installed: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: ('without' | 'with')[] = round % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      const pairs = new Map<ScenarioReport['name'], Partial<Record<'without' | 'with', ServerRun>>>();
      for (const condition of order) {
        if (condition === 'with' && installed.length === 0) installed = await installPolicies(graph, policyDirectory);
        if (condition === 'without' && installed.length > 0) { await removePolicies(graph, installed); installed = []; }
        const listed = await graph<{ value: { state?: string }[] }>('GET', '/identity/conditionalAccess/policies?$top=999');
        const enabled = listed.value.filter((p) => p.state === 'enabled').length;
        if (enabled !== (condition === 'with' ? 50 : 0)) throw new Error(`expected ${condition === 'with' ? 50 : 0} enabled policies, the server lists ${enabled}`);
        for (const scenario of scenarios) {
          const r = await runOne(scenario, 'monban', monbanTarget);
          const pair = pairs.get(scenario) ?? {};
          pair[condition] = r;
          pairs.set(scenario, pair);
          log(`${scenario} round ${round + 1} monban ${condition} policies: ${r.rps} rps, p99 ${r.p99Ms} ms, ${r.cpuMsPerRequest} CPU ms/request${r.coreBusy !== undefined ? ` (core busy ${Math.round(r.coreBusy * 100)}%)` : ''}${r.failed ? `, ${r.failed} FAILED (${r.firstFailure ?? ''})` : ''}`);
          if (r.failed > 0) policyFailures.push(`${scenario} ${condition} policies, round ${round + 1}: ${r.failed} failed requests, first: ${r.firstFailure ?? '?'}`);
          if (condition === 'with') logs.set(scenario, await signInLogOf(graph, scenario));
        }
      }
      for (const [scenario, pair] of pairs) {
        if (pair.without && pair.with) perScenario.set(scenario, [...(perScenario.get(scenario) ?? []), { without: pair.without, with: pair.with, order }]);
      }
    }
    if (installed.length > 0) await removePolicies(graph, installed);
    const reportsWith: PolicyScenarioReport[] = [];
    for (const [scenario, list] of perScenario) {
      const byRps = (runs: ServerRun[]): ServerRun => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor((runs.length - 1) / 2)] ?? runs[0] as ServerRun;
      const byCpu = (runs: ServerRun[]): ServerRun => [...runs].sort((a, b) => a.cpuMsPerRequest - b.cpuMsPerRequest)[Math.floor((runs.length - 1) / 2)] ?? runs[0] as ServerRun;
      const without = byRps(list.map((x) => x.without));
      const withP = byRps(list.map((x) => x.with));
      const ratio = Math.round((withP.rps / without.rps) * 100) / 100;
      const signInLog = logs.get(scenario) ?? { records: 0, failed: 0, policiesPerRecord: [], notNotApplied: {}, appliedPolicies: [] };
      if (signInLog.failed > 0) policyFailures.push(`${scenario} with policies: ${signInLog.failed} of the newest ${signInLog.records} sign-in records are failures`);
      if (signInLog.policiesPerRecord.some((n) => n !== 50)) policyFailures.push(`${scenario} with policies: sign-in records list ${[...new Set(signInLog.policiesPerRecord)].join('/')} policies, not 50`);
      if (scenario === 'refresh_token' && Object.keys(signInLog.notNotApplied).length === 0) policyFailures.push('refresh_token with policies: no policy applied to the bench user (every entry notApplied): the policies were not evaluated as intended');
      reportsWith.push({
        name: scenario, without, with: withP, ratio,
        cpuRatio: Math.round((byCpu(list.map((x) => x.without)).cpuMsPerRequest / byCpu(list.map((x) => x.with)).cpuMsPerRequest) * 100) / 100,
        target: targets.withPolicies, meetsTarget: ratio >= targets.withPolicies, rounds: list, signInLog,
      });
      log(`${scenario} with/without 50 policies: ${ratio} (CPU ${reportsWith[reportsWith.length - 1]?.cpuRatio ?? '?'}); sign-in log: ${signInLog.records} records, ${signInLog.failed} failed, applied and not notApplied: ${JSON.stringify(signInLog.notNotApplied)}`);
    }
    policyReport = { count: 50, enabled: 50, policies: benchPolicies(policyDirectory).map((p) => ({ displayName: String(p.body.displayName), why: p.why })), scenarios: reportsWith };
    problems.push(...policyFailures);
  }

  const monbanMem = memoryMiB(monban.proc.pid);
  const peerMem = memoryMiB(peer.proc.pid);
  const verdict: BenchReport['verdict'] = [
    ...reports.map((s) => ({ name: `${s.name} ratio`, value: s.ratio.toFixed(2), target: `>= ${s.target.toFixed(1)}`, ok: s.meetsTarget })),
    ...(policyReport?.scenarios ?? []).map((s) => ({ name: `${s.name} with 50 policies / without`, value: s.ratio.toFixed(2), target: `>= ${s.target.toFixed(1)}`, ok: s.meetsTarget })),
    { name: 'idle RSS', value: `${secondStart.rssMiB} MiB`, target: `<= ${targets.idleRssMiB} MiB`, ok: secondStart.rssMiB <= targets.idleRssMiB },
    { name: 'time to ready (first start)', value: `${firstStart.msToReady} ms`, target: `<= ${targets.msToReady} ms`, ok: firstStart.msToReady <= targets.msToReady },
    { name: 'time to ready (second start)', value: `${secondStart.msToReady} ms`, target: `<= ${targets.msToReady} ms`, ok: secondStart.msToReady <= targets.msToReady },
  ];
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version, kernel: release(), dataDirFs: filesystemOf(dataDir), loadAverageAtStart: loadAtStart },
    settings: { seconds, warmupSeconds, connections, rounds, serverCore: serverCore ?? null, loadCore: loadCore ?? null, families },
    versions: { oidcProvider: peer.oidcProviderVersion, monban: (JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')) as { version: string }).version, ...gitState() },
    transport: 'HTTPS (TLS 1.3, P-256 certificate from the Monban data directory), HTTP/1.1 keep-alive',
    monban: { firstStart, secondStart, idleRssMiB: secondStart.rssMiB, peakRssMiB: monbanMem.peak, accessTokenAlg: monbanAlg },
    peer: { idleRssMiB: peerIdle, peakRssMiB: peerMem.peak, msToReady: Math.round(peer.msToReady), accessTokenAlg: peerAlg },
    targets: { idleRssMiB: targets.idleRssMiB, msToReady: targets.msToReady },
    scenarios: reports,
    ...(policyReport ? { policies: policyReport } : {}),
    verdict,
    problems,
  };

  const outDir = resolve(flags.out ?? '');
  mkdirSync(outDir, { recursive: true });

  // 6. Optional: where the time goes, one profiled process per scenario and server (not counted above).
  if (flags.profile) {
    await monban.proc.stop();
    await peer.proc.stop();
    const labels: Record<string, RegExp> = {
      'database access, all (kysely: building, compiling, running queries)': /node_modules\/kysely\//,
      'SQLite prepare + step (kysely executeQuery; includes waiting for fsync)': /^executeQuery .*sqlite-driver/,
      'sign-in log writer': /logs\/writer/,
      'sign-in pipeline': /signin\/pipeline/,
      'client lookup (clientMetadataFor)': /clientMetadataFor/,
      'JWT customiser (formats.customizers.jwt)': /^jwt .*oidc\/provider/,
      'jose (JWT signing)': /node_modules\/jose\//,
      'WebCrypto jobs': /internal\/crypto\//,
    };
    const profiles: Record<string, Record<string, unknown>> = {};
    for (const scenario of scenarios) {
      const sides: Partial<Record<'peer' | 'monban', { summary: ProfileSummary; ok: number }>> = {};
      for (const who of ['peer', 'monban'] as const) {
        const profDir = mkdtempSync(join(tmpdir(), `monban-bench-prof-${who}-`));
        const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', profDir];
        let target: { origin: string; pid: number };
        if (who === 'monban') {
          monban = await startMonban({ dataDir, port: await freePort(), core: serverCore, nodeArgs });
          target = { origin: monban.origin, pid: monban.proc.pid };
        } else {
          peer = await startPeer({ port: await freePort(), core: serverCore, certFile: join(dataDir, 'tls.crt'), keyFile: join(dataDir, 'tls.key'), families, nodeArgs });
          peerAuth = basicAuth(peer.clientId, peer.clientSecret);
          peerPool.splice(0, peerPool.length, ...peer.info.refreshTokens);
          target = { origin: peer.origin, pid: peer.proc.pid };
        }
        const r = await runOne(scenario, who, target);
        log(`${scenario} ${who} profiled: ${r.rps} rps (profiling slows the server; not a result)`);
        await (who === 'monban' ? monban : peer).proc.stop();
        const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
        if (!file) { problems.push(`no CPU profile for ${scenario} on ${who}`); continue; }
        const summary = summariseProfile(join(profDir, file), labels);
        sides[who] = { summary, ok: r.ok };
        (profiles[scenario] ??= {})[who] = { profile: join(profDir, file), requests: r.ok, ...summary };
      }
      if (sides.peer && sides.monban) printProfiles(scenario, sides.peer, sides.monban);
    }
    writeFileSync(join(outDir, 'profile.json'), `${JSON.stringify(profiles, null, 2)}\n`);
  }

  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report);
  writeFileSync(join(outDir, 'latest.md'), md);
  process.stdout.write(`\n${md}`);
  http.close();
  if (policyFailures.length > 0) {
    log(`FAILED: with 50 conditional access policies the benchmark's requests must all succeed and the policies must be evaluated:\n  ${policyFailures.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  await peer?.proc.stop();
  await monban?.proc.stop();
  if (flags['keep-data']) log(`kept ${dataDir}`); else rmSync(dataDir, { recursive: true, force: true });
}

/**
 * The newest sign-in records (those of the run that just ended): how many failed, how many
 * policies each lists, and the results other than notApplied (by result, and which policies).
 */
async function signInLogOf(graph: Graph, scenario: ScenarioReport['name']): Promise<PolicyScenarioReport['signInLog']> {
  type Row = { status: { errorCode: number }; monban?: { flow?: string }; appliedConditionalAccessPolicies: { displayName: string; result: string }[] };
  const page = await graph<{ value: Row[] }>('GET', '/auditLogs/signIns?$top=200');
  const records = page.value.filter((r) => r.monban?.flow === scenario);
  const notNotApplied: { [result: string]: number } = {};
  const applied = new Set<string>();
  for (const r of records) {
    for (const p of r.appliedConditionalAccessPolicies) {
      if (p.result === 'notApplied') continue;
      notNotApplied[p.result] = (notNotApplied[p.result] ?? 0) + 1;
      applied.add(p.displayName);
    }
  }
  return { records: records.length, failed: records.filter((r) => r.status.errorCode !== 0).length, policiesPerRecord: [...new Set(records.map((r) => r.appliedConditionalAccessPolicies.length))], notNotApplied, appliedPolicies: [...applied].sort() };
}

/** Sampled time per successful request, peer beside Monban, by package and by a few labels. */
function printProfiles(scenario: string, peerSide: { summary: ProfileSummary; ok: number }, monbanSide: { summary: ProfileSummary; ok: number }): void {
  const perReq = (ms: number, ok: number): string => (ok > 0 ? (ms / ok).toFixed(3) : '-').padStart(7);
  const busy = (x: { summary: ProfileSummary }): number => x.summary.totalMs - (x.summary.byArea.find((a) => a.area === '(idle)')?.ms ?? 0);
  process.stdout.write(`\nWhere the time goes, ${scenario}: sampled ms per successful request (idle excluded)\n`);
  process.stdout.write(`     peer  Monban\n${perReq(busy(peerSide), peerSide.ok)} ${perReq(busy(monbanSide), monbanSide.ok)}  all busy time\n`);
  const areas = [...new Set([...monbanSide.summary.byArea, ...peerSide.summary.byArea].map((a) => a.area))].filter((a) => a !== '(idle)');
  const msOf = (x: { summary: ProfileSummary }, area: string): number => x.summary.byArea.find((a) => a.area === area)?.ms ?? 0;
  areas.sort((a, b) => msOf(monbanSide, b) / monbanSide.ok - msOf(monbanSide, a) / monbanSide.ok);
  for (const area of areas.slice(0, 12)) process.stdout.write(`${perReq(msOf(peerSide, area), peerSide.ok)} ${perReq(msOf(monbanSide, area), monbanSide.ok)}  ${area} (self)\n`);
  for (const i of monbanSide.summary.inclusive) {
    const p = peerSide.summary.inclusive.find((x) => x.label === i.label)?.ms ?? 0;
    process.stdout.write(`${perReq(p, peerSide.ok)} ${perReq(i.ms, monbanSide.ok)}  ${i.label} (inclusive)\n`);
  }
  process.stdout.write('  Monban top functions (self share of samples):\n');
  for (const f of monbanSide.summary.topFunctions.slice(0, 12)) process.stdout.write(`  ${String(f.share).padStart(5)}%  ${f.fn}\n`);
}

/** The commit measured: HEAD, whether the server's sources differ from it, and when dist was built. */
function gitState(): { commit: string; sourceChanged: boolean; distBuiltAt: string } {
  // bench/floor.mjs runs this from a patched scratch copy: it names the checkout the copy came
  // from and what was done to it.
  const source = process.env.MONBAN_BENCH_SOURCE ?? root;
  const variant = process.env.MONBAN_BENCH_VARIANT;
  const git = (...args: string[]): string => { try { return execFileSync('git', ['-C', source, ...args], { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  return {
    commit: `${git('rev-parse', '--short', 'HEAD')}${variant ? ` ${variant}` : ''}`,
    sourceChanged: git('status', '--porcelain', '--', 'packages/server/src', 'packages/policy/src') !== '',
    distBuiltAt: new Date(newestMtime(join(root, 'packages/server/dist'))).toISOString(),
  };
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return t;
}

function filesystemOf(path: string): string {
  if (!existsSync('/proc/mounts')) return '?';
  let best = { mount: '', fs: '?' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, mount = '', fs = ''] = line.split(' ');
    if (path.startsWith(mount) && mount.length > best.mount.length) best = { mount, fs };
  }
  return best.fs;
}
