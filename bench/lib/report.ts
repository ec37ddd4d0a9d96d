// The benchmark's report: one JSON document (bench/results/latest.json) and the same
// figures as a markdown table (bench/results/latest.md, also printed).
import type { LoadResult } from './load.js';

export interface ServerRun extends LoadResult {
  /** CPU the server used during the run, as a share of its one core (1.0 = saturated). */
  serverCpu: number;
  /** Server CPU time per successful request, in ms: the cost of the code path, whatever else ran on the core. */
  cpuMsPerRequest: number;
  /** The server core as a whole (/proc/stat): busy share (incl. kernel network work) and iowait share. */
  coreBusy?: number;
  coreIowait?: number;
  /** coreBusy minus the server's own share: other processes, or kernel work done for the server. */
  otherWork?: number;
}

export interface ScenarioReport {
  name: 'client_credentials' | 'refresh_token';
  generator: string;
  connections: number;
  seconds: number;
  /** Median over rounds (by rps); every round is in `rounds`. */
  peer: ServerRun;
  monban: ServerRun;
  ratio: number;
  /** Peer CPU ms/request ÷ Monban CPU ms/request (medians): the ratio if both were CPU-bound on a quiet core. */
  cpuRatio: number;
  target: number;
  meetsTarget: boolean;
  referenceRpsPerCore: number;
  rounds: { peer: ServerRun; monban: ServerRun }[];
}

/** One scenario on the same Monban process without and with the 50 enabled conditional access policies. */
export interface PolicyScenarioReport {
  name: ScenarioReport['name'];
  /** Median over rounds (by rps); every round is in `rounds`. */
  without: ServerRun;
  with: ServerRun;
  /** with rps ÷ without rps. */
  ratio: number;
  /** without CPU ms/request ÷ with CPU ms/request (medians): the ratio on a quiet core. */
  cpuRatio: number;
  target: number;
  meetsTarget: boolean;
  rounds: { without: ServerRun; with: ServerRun; order: ('without' | 'with')[] }[];
  /** What the sign-in log recorded for the newest requests of the with-policies runs. */
  signInLog: { records: number; failed: number; policiesPerRecord: number[]; notNotApplied: Record<string, number>; appliedPolicies: string[] };
}

export interface PolicyReport {
  count: number;
  enabled: number;
  /** Each policy's name and why it does not stop the benchmark's requests (or: applies and is met). */
  policies: { displayName: string; why: string }[];
  scenarios: PolicyScenarioReport[];
}

export interface StartReport {
  msToReady: number;
  /** VmRSS after the start and a few requests, and its anonymous (heap, stacks) and file-backed (node binary, native modules) parts. */
  rssMiB: number;
  rssAnonMiB: number;
  rssFileMiB: number;
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; model: string; node: string; kernel: string; dataDirFs: string; loadAverageAtStart: number[] };
  settings: { seconds: number; warmupSeconds: number; connections: number; rounds: number; serverCore: number | null; loadCore: number | null; families: number };
  versions: { oidcProvider: string; monban: string; commit: string; sourceChanged: boolean; distBuiltAt: string };
  transport: string;
  monban: { firstStart: StartReport; secondStart: StartReport; idleRssMiB: number; peakRssMiB: number; accessTokenAlg: string };
  peer: { idleRssMiB: number; peakRssMiB: number; msToReady: number; accessTokenAlg: string };
  targets: { idleRssMiB: number; msToReady: number };
  scenarios: ScenarioReport[];
  policies?: PolicyReport;
  verdict: { name: string; value: string; target: string; ok: boolean }[];
  problems: string[];
}

const n = (v: number, d = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

const pct = (v: number | undefined): string => (v === undefined ? '-' : `${n(v * 100)}%`);

export function markdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# Monban benchmark, ${r.date}`);
  lines.push('');
  lines.push(`Server on core ${r.settings.serverCore ?? 'any'}, load on core ${r.settings.loadCore ?? 'any'}; ${r.settings.connections} connections, ${r.settings.seconds} s per run after ${r.settings.warmupSeconds} s of warm-up per server and scenario, ${r.settings.rounds} round(s), ${r.transport}. ` +
    `Peer: bare oidc-provider ${r.versions.oidcProvider} (in-memory adapter). Monban ${r.versions.monban} at ${r.versions.commit}${r.versions.sourceChanged ? ' plus uncommitted server changes' : ''}, dist built ${r.versions.distBuiltAt} (SQLite on ${r.machine.dataDirFs}). ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node}.`);
  lines.push('');
  lines.push('| scenario | peer rps | peer p99 ms | Monban rps | Monban p99 ms | ratio Monban/peer | target | reference rps/core | server CPU ms/request peer / Monban | CPU ratio | server process CPU peer / Monban | server core busy / iowait, peer | server core busy / iowait, Monban |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.scenarios) {
    lines.push(`| ${s.name} (${s.generator}) | ${n(s.peer.rps)} | ${n(s.peer.p99Ms, 1)} | ${n(s.monban.rps)} | ${n(s.monban.p99Ms, 1)} | **${n(s.ratio, 2)}** ${s.meetsTarget ? '✓' : '✗'} | ≥ ${n(s.target, 1)} | ~${n(s.referenceRpsPerCore)} | ${n(s.peer.cpuMsPerRequest, 2)} / ${n(s.monban.cpuMsPerRequest, 2)} | ${n(s.cpuRatio, 2)} | ${n(s.peer.serverCpu * 100)}% / ${n(s.monban.serverCpu * 100)}% | ${pct(s.peer.coreBusy)} / ${pct(s.peer.coreIowait)} | ${pct(s.monban.coreBusy)} / ${pct(s.monban.coreIowait)} |`);
  }
  if (r.policies) {
    const p = r.policies;
    lines.push('');
    lines.push(`With ${p.count} enabled conditional access policies (same Monban process, created through the admin API between the runs; order alternating by round; the issue's target: >= ${n(p.scenarios[0]?.target ?? 0.9, 1)} of the figures without policies):`);
    lines.push('');
    lines.push('| scenario | rps without / with | p99 ms without / with | CPU ms/request without / with | ratio with/without (rps) | CPU ratio | target | sign-in log of the with-policies runs |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const s of p.scenarios) {
      const applied = Object.entries(s.signInLog.notNotApplied).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none (all notApplied)';
      lines.push(`| ${s.name} | ${n(s.without.rps)} / ${n(s.with.rps)} | ${n(s.without.p99Ms, 1)} / ${n(s.with.p99Ms, 1)} | ${n(s.without.cpuMsPerRequest, 2)} / ${n(s.with.cpuMsPerRequest, 2)} | **${n(s.ratio, 2)}** ${s.meetsTarget ? '✓ met' : '✗ NOT met'} | ${n(s.cpuRatio, 2)} | ≥ ${n(s.target, 1)} | ${n(s.signInLog.records)} newest records, ${n(s.signInLog.failed)} failed, ${[...new Set(s.signInLog.policiesPerRecord)].join('/')} policies each; entries other than notApplied: ${applied}${s.signInLog.appliedPolicies.length > 0 ? ` (${s.signInLog.appliedPolicies.length} policies: ${s.signInLog.appliedPolicies.join(', ')})` : ''} |`);
    }
  }
  lines.push('');
  lines.push('| Monban process | value | target |');
  lines.push('|---|---:|---:|');
  lines.push(`| time to ready, first start (empty data dir) | ${n(r.monban.firstStart.msToReady)} ms | ≤ ${n(r.targets.msToReady)} ms |`);
  lines.push(`| time to ready, second start | ${n(r.monban.secondStart.msToReady)} ms | ≤ ${n(r.targets.msToReady)} ms |`);
  lines.push(`| idle RSS after start and a few requests (anonymous + file-backed) | ${n(r.monban.idleRssMiB, 1)} MiB (${n(r.monban.secondStart.rssAnonMiB, 1)} + ${n(r.monban.secondStart.rssFileMiB, 1)}) | ≤ ${n(r.targets.idleRssMiB)} MiB |`);
  lines.push(`| idle RSS after the first start | ${n(r.monban.firstStart.rssMiB, 1)} MiB | - |`);
  lines.push(`| peak RSS over the whole run | ${n(r.monban.peakRssMiB, 1)} MiB | - |`);
  lines.push(`| (peer, for comparison: idle RSS / peak RSS) | ${n(r.peer.idleRssMiB, 1)} / ${n(r.peer.peakRssMiB, 1)} MiB | - |`);
  lines.push('');
  const failing = r.verdict.filter((v) => !v.ok);
  lines.push(failing.length === 0 ? 'All targets met.' : `Below target: ${failing.map((v) => `${v.name} ${v.value} (target ${v.target})`).join('; ')}.`);
  if (r.problems.length > 0) {
    lines.push('');
    lines.push(`Problems during the run: ${r.problems.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}
