// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by
// package (node_modules/<pkg>, Monban's own code, Node internals, GC, idle) and the
// functions with the most self time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface ProfileSummary {
  totalMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topFunctions: { fn: string; area: string; ms: number; share: number }[];
  /** Inclusive time of frames whose name matches, e.g. the SQLite driver's `run`. */
  inclusive: { label: string; ms: number; share: number }[];
}

export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm?.[1]) return nm[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /packages\/([^/]+)\/(?:dist|src)\/([^/]+)/.exec(url);
  if (own) return `monban ${own[1] ?? ''}/${(own[2] ?? '').replace(/\.js$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(file: string, inclusiveOf: Record<string, RegExp> = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  let totalMs = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; ms: number }>();
  const incl = new Map<string, number>(Object.keys(inclusiveOf).map((k) => [k, 0]));
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    totalMs += ms;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '')}:${lineNumber + 1}`;
    const f = fns.get(key) ?? { area, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
    // Inclusive: charge the sample once to each label whose frame is on its stack.
    const hit = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      for (const [label, re] of Object.entries(inclusiveOf)) if (!hit.has(label) && re.test(`${frame.functionName} ${frame.url}`)) hit.add(label);
    }
    for (const label of hit) incl.set(label, (incl.get(label) ?? 0) + ms);
  }
  const share = (ms: number): number => Math.round((ms / totalMs) * 1000) / 10;
  const r = (ms: number): number => Math.round(ms);
  return {
    totalMs: r(totalMs),
    byArea: [...areas.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([area, ms]) => ({ area, ms: r(ms), share: share(ms) })),
    topFunctions: [...fns.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25).map(([fn, v]) => ({ fn, area: v.area, ms: r(v.ms), share: share(v.ms) })),
    inclusive: [...incl.entries()].map(([label, ms]) => ({ label, ms: r(ms), share: share(ms) })),
  };
}
