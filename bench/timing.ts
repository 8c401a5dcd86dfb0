import { Bench } from 'tinybench';

/** Latency figures of one timed task, in milliseconds. */
export interface Timing {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  /**
   * Process CPU time per measured run (user + system, all threads). On a shared machine wall
   * time includes waiting for a core; for single-threaded runs this does not.
   */
  cpuMs: number;
}

export interface TimingBudget {
  /** Time budget for the measured runs (they continue until both this and `minRuns` are met). */
  timeMs: number;
  minRuns: number;
  warmupMs: number;
  warmupRuns: number;
}

/** Linear-interpolated percentile of sorted samples (as tinybench computes its p50/p99). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Times `fn` with tinybench (warmup, then samples) and reports median and tail latency. */
export async function measure(name: string, fn: () => Promise<unknown>, budget: TimingBudget): Promise<Timing> {
  const bench = new Bench({
    time: budget.timeMs, iterations: budget.minRuns,
    warmupTime: budget.warmupMs, warmupIterations: budget.warmupRuns,
    retainSamples: true, throws: true,
  });
  let cpu: NodeJS.CpuUsage | undefined, cpuMicros = 0;
  bench.add(name, async () => { await fn(); }, {
    beforeAll: (mode) => { if (mode === 'run') cpu = process.cpuUsage(); },
    afterAll: (mode) => {
      if (mode !== 'run' || !cpu) return;
      const d = process.cpuUsage(cpu);
      cpuMicros = d.user + d.system;
    },
  });
  const [task] = await bench.run();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`benchmark '${name}' did not complete (${r.state})`);
  const sorted = [...(r.latency.samples ?? [])].sort((a, b) => a - b);
  return {
    p50Ms: r.latency.p50, p95Ms: percentile(sorted, 0.95), p99Ms: r.latency.p99,
    meanMs: r.latency.mean, samples: r.latency.samplesCount, cpuMs: cpuMicros / 1000 / Math.max(1, r.latency.samplesCount),
  };
}
