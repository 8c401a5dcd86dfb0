import { saveOnnx } from '../src/onnx/index.js';
import type { KernelCase } from './kernel-cases.js';
import { createRunner, PeerUnavailable, type RuntimeName } from './peers.js';
import { measure, type TimingBudget } from './timing.js';

/** One runtime's figure for a case: median latency and the rate it implies, or why it is missing. */
export type Figure =
  | { p50Ms: number; p95Ms: number; cpuMs: number; samples: number; rate: number }
  | { error: string };

export interface KernelResult {
  suite: string;
  name: string;
  unit: string;
  work: number;
  threads: number;
  figures: Partial<Record<RuntimeName, Figure>>;
}

export interface KernelRunOptions {
  threads: readonly number[];
  runtimes: readonly RuntimeName[];
  budget: TimingBudget;
  onResult?: (r: KernelResult) => void;
}

/**
 * Runs every case on every runtime, one after another in this process (same inputs, same
 * weights, the ONNX bytes from saveOnnx for the peers). onnxruntime-web runs single-threaded
 * only: its wasm threads are a browser feature. A peer that cannot load is reported once and
 * skipped after that.
 */
export async function runKernels(cases: readonly KernelCase[], opts: KernelRunOptions): Promise<KernelResult[]> {
  const out: KernelResult[] = [];
  const unavailable = new Map<RuntimeName, string>();
  for (const c of cases) {
    const { graph, feeds } = c.build();
    const bytes = saveOnnx(graph);
    for (const threads of opts.threads) {
      const result: KernelResult = { suite: c.suite, name: c.name, unit: c.unit, work: c.work, threads, figures: {} };
      for (const runtime of opts.runtimes) {
        if (runtime === 'ort-web' && threads > 1) continue;
        const gone = unavailable.get(runtime);
        if (gone) { result.figures[runtime] = { error: gone }; continue; }
        try {
          const runner = await createRunner(runtime, { graph, bytes }, feeds, { threads });
          try {
            const t = await measure(`${runtime} ${c.name}`, runner.run, opts.budget);
            result.figures[runtime] = { p50Ms: t.p50Ms, p95Ms: t.p95Ms, cpuMs: t.cpuMs, samples: t.samples, rate: c.work / t.p50Ms / 1e6 }; // per ms -> giga per s
          } finally {
            await runner.dispose();
          }
        } catch (e) {
          const msg = (e as Error).message;
          if (e instanceof PeerUnavailable) unavailable.set(runtime, msg);
          result.figures[runtime] = { error: msg };
        }
      }
      out.push(result);
      opts.onResult?.(result);
    }
  }
  return out;
}
