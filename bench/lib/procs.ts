// Server processes for the benchmark: spawned pinned to one core with taskset, probed for
// readiness, and measured through /proc (resident memory, CPU time, allowed cores).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';

export interface Pinned {
  child: ChildProcess;
  pid: number;
  spawnedAt: bigint;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export const hasTaskset = (): boolean => existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');

// Every server this process started is killed when it exits, however it exits.
const running = new Set<ChildProcess>();
process.once('exit', () => { for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

/** Spawns `node ...args` on `core` (taskset execs node, so the pid is node's). */
export function spawnPinned(core: number | undefined, nodeArgs: string[], env: NodeJS.ProcessEnv, cwd?: string): Pinned {
  const spawnedAt = process.hrtime.bigint();
  const child = core === undefined
    ? spawn(process.execPath, nodeArgs, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('taskset', ['-c', String(core), process.execPath, ...nodeArgs], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code); }));
  if (child.pid === undefined) throw new Error(`could not spawn ${nodeArgs.join(' ')}`);
  return {
    child, pid: child.pid, spawnedAt,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function probe(url: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: new Agent({ ca, keepAlive: false }), timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * Polls `url` every `everyMs` until it answers 200; returns milliseconds from spawn. The CA
 * file is read as soon as it exists (Monban writes it before it listens), so the probe
 * verifies the certificate like any client.
 */
export async function msUntilReady(p: Pinned, url: string, caFile: string, timeoutMs = 30_000, everyMs = 10): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let ca: string | undefined;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`process exited with ${p.child.exitCode} before it was ready:\n${p.output()}`);
    if (ca === undefined && existsSync(caFile)) ca = readFileSync(caFile, 'utf8');
    if (ca !== undefined && await probe(url, ca) === 200) return Number(process.hrtime.bigint() - p.spawnedAt) / 1e6;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${p.output()}`);
}

function statusField(pid: number, field: string): string | undefined {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

/** Resident set size now (and its anonymous and file-backed parts) and at its peak, in MiB. */
export function memoryMiB(pid: number): { rss: number; anon: number; file: number; peak: number } {
  const mib = (f: string): number => Math.round(Number((statusField(pid, f) ?? '0 kB').split(/\s+/)[0]) / 102.4) / 10;
  return { rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile'), peak: mib('VmHWM') };
}

export const allowedCores = (pid: number | 'self'): string => statusField(pid === 'self' ? process.pid : pid, 'Cpus_allowed_list') ?? '?';

let clkTck: number | undefined;
/** User + system CPU seconds the process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

export interface CoreTimes { busy: number; iowait: number; total: number }

/** Cumulative times of one core from /proc/stat (busy = everything but idle and iowait). */
export function coreTimes(core: number): CoreTimes {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, iowait, total: busy + idle + iowait };
}
