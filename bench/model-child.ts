import { readFileSync } from 'node:fs';
import { modelFeeds, type ModelId } from './model-specs.js';
import { createRunner, type RuntimeName } from './peers.js';
import { measure, type TimingBudget } from './timing.js';

/**
 * One whole-model measurement in a fresh process, so peak RSS belongs to one runtime and one
 * model: load (file to ready session), first run, then timed runs. Prints one `RESULT {json}`
 * line.
 */
export interface ChildRequest {
  runtime: RuntimeName;
  model: ModelId;
  file: string;
  batch: number;
  threads: number;
  budget: TimingBudget;
}

export interface ChildResult {
  loadMs: number;
  firstRunMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  /** Items (images or sequences) per second at the mean latency, runs back to back. */
  throughput: number;
  peakRssBytes: number;
}


/**
 * This process's peak RSS. On Linux from VmHWM, which starts afresh at exec: getrusage's
 * maxRSS survives fork + exec and would report the parent's peak for a small child.
 */
export function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2]) as ChildRequest;
  let t = performance.now();
  const runner = await createRunner(req.runtime, { path: req.file }, modelFeeds(req.model, req.batch), { threads: req.threads });
  const loadMs = performance.now() - t;
  t = performance.now();
  await runner.run();
  const firstRunMs = performance.now() - t;
  const timing = await measure(`${req.runtime} ${req.model} b${req.batch}`, runner.run, req.budget);
  const result: ChildResult = {
    loadMs, firstRunMs, ...timing,
    throughput: (req.batch * 1000) / timing.meanMs,
    peakRssBytes: peakRssBytes(),
  };
  await runner.dispose();
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
