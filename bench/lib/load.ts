// The two load generators, both closed-loop (each connection sends its next request when
// the previous answer arrives), both on the load core:
// - client credentials: wrk (C, one thread), one fixed POST, results from a Lua `done` hook;
// - refresh token: autocannon in this process, every connection redeeming a refresh token
//   and putting the rotated one back in the pool, so no token is ever presented twice.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU the load generator used, as a share of one core (autocannon only). */
  generatorCpu?: number;
  firstFailure?: string;
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

/** `wrk` with a Lua script for the POST and a `done` hook printing exact counts and percentiles. */
export async function wrkPost(opts: { url: string; body: string; headers: Record<string, string>; connections: number; seconds: number; core: number | undefined }): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'monban-bench-wrk-'));
  const lua = [
    'wrk.method = "POST"',
    `wrk.body = ${JSON.stringify(opts.body)}`,
    ...Object.entries(opts.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("BENCH_WRK %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
  ].join('\n');
  const script = join(dir, 'post.lua');
  writeFileSync(script, lua);
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '-s', script, opts.url];
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = opts.core === undefined ? spawn('wrk', args) : spawn('taskset', ['-c', String(opts.core), 'wrk', ...args]);
      let text = '';
      child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    const line = /BENCH_WRK ([\d ]+)/.exec(out)?.[1];
    if (!line) throw new Error(`wrk printed no summary:\n${out}`);
    const [requests = 0, durationUs = 1, status = 0, connect = 0, read = 0, write = 0, timeout = 0, p50 = 0, p99 = 0, max = 0] = line.trim().split(' ').map(Number);
    const failed = status + connect + read + write + timeout;
    const seconds = durationUs / 1e6;
    return {
      requests, ok: requests - status, failed, seconds: round(seconds), rps: round((requests - status) / seconds, 1),
      p50Ms: round(p50 / 1000), p99Ms: round(p99 / 1000), maxMs: round(max / 1000),
      ...(failed > 0 ? { firstFailure: `wrk: status ${status}, connect ${connect}, read ${read}, write ${write}, timeout ${timeout}` } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Refresh-token load: `connections` connections, each taking a token from `pool`, posting
 * it, and putting the rotated token back. The pool holds one token per family (families >=
 * connections; the spares absorb an occasional failure) and is updated in place, so a later
 * run continues the same families.
 */
export async function autocannonRefresh(opts: { url: string; authorization: string; scope: string; pool: string[]; connections: number; seconds: number }): Promise<LoadResult> {
  const { pool } = opts;
  if (pool.length < opts.connections) throw new Error(`need at least ${opts.connections} refresh-token families, have ${pool.length}`);
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    headers: { authorization: opts.authorization, 'content-type': 'application/x-www-form-urlencoded' },
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        // An empty pool means every family failed; the request then fails too (and is
        // counted) rather than stopping autocannon, and the run is cut short.
        const token = pool.shift();
        if (token === undefined && failed > 0) instance.stop();
        return { ...req, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token ?? 'pool-exhausted', scope: opts.scope }).toString() };
      },
      onResponse: (status, body) => {
        if (status === 200) {
          const next = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
          if (next) { ok++; pool.push(next); return; }
        }
        failed++;
        firstFailure ??= `${status} ${body.slice(0, 300)}`;
      },
    }],
  });
  instance.on('response', (_client, status, _bytes, responseTime) => { if (status === 200) latencies.push(responseTime); });
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance.once('done', resolve);
    instance.once('error', reject);
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Float64Array.from(latencies).sort();
  const seconds = result.duration || wall;
  const errors = result.errors + result.timeouts;
  return {
    requests: ok + failed, ok, failed: failed + errors, seconds: round(seconds), rps: round(ok / seconds, 1),
    p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1] ?? 0),
    generatorCpu: round((cpu.user + cpu.system) / 1e6 / wall),
    ...(firstFailure || errors ? { firstFailure: firstFailure ?? `autocannon: ${result.errors} errors, ${result.timeouts} timeouts` } : {}),
  };
}
