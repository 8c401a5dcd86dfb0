import type { Figure, KernelResult } from './kernels.js';
import type { ModelResult } from './models.js';
import type { ChildResult } from './model-child.js';
import { RUNTIMES, type RuntimeName } from './peers.js';
import type { BenchResults } from './results.js';

/** Table printing for results, and the change between two results files. */

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ok = <T extends object>(f: T | { error: string } | undefined): f is T => f !== undefined && !('error' in f);

/** "x.x×": Tessera's time over the peer's (above 1: Tessera is slower). */
function ratio(t: number | undefined, peer: number | undefined): string {
  return t !== undefined && peer !== undefined ? `${(t / peer).toFixed(1)}×` : '—';
}

export function kernelHeader(): string {
  return `${pad('kernel', 34)}${pad('thr', 4)}${pad('tessera', 24)}${pad('onnxruntime-node', 28)}onnxruntime-web   (× = Tessera time / peer time)`;
}

export function kernelLine(r: KernelResult): string {
  const cell = (f: Figure | undefined) => (ok(f) ? `${ms(f.p50Ms)} ${f.rate.toFixed(2)} ${r.unit}` : f ? 'n/a' : '—');
  const t = r.figures.tessera, tp = ok(t) ? t.p50Ms : undefined;
  const peer = (name: RuntimeName) => {
    const f = r.figures[name];
    return ok(f) ? `${cell(f)} ${ratio(tp, f.p50Ms)}` : cell(f);
  };
  return `${pad(r.name, 34)}${pad(String(r.threads), 4)}${pad(cell(t), 24)}${pad(peer('ort-node'), 28)}${peer('ort-web')}`;
}

export function modelLines(r: ModelResult, baselineRss: number | null): string[] {
  const lines = [`${r.label}, batch ${r.batch}, ${r.threads} thread${r.threads > 1 ? 's' : ''} (weights ${mib(r.weightBytes)}${baselineRss ? `, Node baseline RSS ${mib(baselineRss)}` : ''})`];
  const t = r.figures.tessera as ChildResult | { error: string } | undefined;
  for (const name of RUNTIMES) {
    const f = r.figures[name];
    if (!f) continue;
    if (!ok(f)) { lines.push(`  ${pad(name, 10)} error: ${f.error}`); continue; }
    const vs = name !== 'tessera' && ok(t) ? `  tessera p50 = ${ratio(t.p50Ms, f.p50Ms)}` : '';
    lines.push(`  ${pad(name, 10)} p50 ${pad(ms(f.p50Ms), 10)} p95 ${pad(ms(f.p95Ms), 10)} p99 ${pad(ms(f.p99Ms), 10)} ` +
      `${pad(`${f.throughput.toFixed(1)}/s`, 9)} peak RSS ${pad(mib(f.peakRssBytes), 9)} load ${pad(ms(f.loadMs), 9)} first run ${pad(ms(f.firstRunMs), 9)} n=${f.samples}${vs}`);
  }
  return lines;
}

/** Per case and runtime: p50 before -> after and the change; rows present in only one file are listed as such. */
export function compareLines(a: BenchResults, b: BenchResults): string[] {
  const head = (r: BenchResults) => `${r.createdAt} ${r.commit.sha?.slice(0, 8) ?? '?'}${r.commit.dirty ? '+dirty' : ''} (load average ${r.machine.loadAverage.toFixed(2)})`;
  const lines = [`before: ${head(a)}`, `after:  ${head(b)}`, 'peers\' rows show how much of a change is the machine rather than the code'];
  if (a.machine.cpu !== b.machine.cpu || a.machine.cores !== b.machine.cores) lines.push(`note: different machines (${a.machine.cpu} x${a.machine.cores} vs ${b.machine.cpu} x${b.machine.cores})`);
  const row = (label: string, x: number | undefined, y: number | undefined) => {
    if (x === undefined || y === undefined) return `${pad(label, 60)} ${x === undefined ? 'new' : 'gone'}`;
    const pct = ((y - x) / x) * 100;
    return `${pad(label, 60)} ${pad(ms(x), 10)} -> ${pad(ms(y), 10)} ${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%${pct <= -5 ? '  faster' : pct >= 5 ? '  slower' : ''}`;
  };
  const p50 = (f: { p50Ms: number } | { error: string } | undefined) => (ok(f) ? f.p50Ms : undefined);
  const kernels = new Map(a.kernels.map((r) => [`${r.name} t${r.threads}`, r]));
  const seen = new Set<string>();
  lines.push('kernels (p50)');
  for (const r of b.kernels) {
    const key = `${r.name} t${r.threads}`, old = kernels.get(key);
    seen.add(key);
    for (const name of RUNTIMES) if (r.figures[name] || old?.figures[name]) lines.push('  ' + row(`${key} ${name}`, p50(old?.figures[name]), p50(r.figures[name])));
  }
  for (const [key] of kernels) if (!seen.has(key)) lines.push(`  ${pad(key, 60)} gone`);
  lines.push('models (p50)');
  const mods = new Map(a.models.map((r) => [`${r.model} b${r.batch} t${r.threads}`, r]));
  for (const r of b.models) {
    const key = `${r.model} b${r.batch} t${r.threads}`, old = mods.get(key);
    for (const name of RUNTIMES) if (r.figures[name] || old?.figures[name]) lines.push('  ' + row(`${key} ${name}`, p50(old?.figures[name]), p50(r.figures[name])));
  }
  return lines;
}
