import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { models } from '../src/models/index.js';
import { Tensor } from '../src/tensor.js';
import type { Graph } from '../src/graph/graph.js';
import { InferenceSession } from '../src/runtime/session.js';
import { createWorkerSession } from '../src/runtime/workers/worker-session.js';
import { createPipelineSession } from '../src/runtime/workers/pipeline-session.js';

/**
 * Pipeline parallelism against one worker: the same model and batch through a session in a
 * single worker_thread (the whole batch in one run), and through pipelines of N stages (one
 * worker each, micro-batches flowing through). Reports items/s, the speedup, and checks the
 * outputs agree. Run after `npm run build`: node dist/bench/pipeline.js [--model mobilenet|distilbert]
 * [--batch 8] [--stages 2,4] [--micro 1] [--runs 3].
 */
export interface PipelineBenchOptions {
  model?: 'mobilenet' | 'distilbert';
  /** Items per run (dim 0). Default 8. */
  batch?: number;
  /** Stage counts to try. Default [2, available cores]. */
  stages?: number[];
  /** Micro-batch size. Default 1. */
  microBatch?: number;
  /** Timed runs per configuration (after one warm-up). Default 3. */
  runs?: number;
  /** The worker script (the built tessera/worker entry). Default: next to this file in dist/. */
  workerUrl?: URL | string;
  log?: (line: string) => void;
}

export interface PipelineBenchRow {
  mode: 'in-process' | 'single worker' | 'pipeline';
  workers: number;
  microBatch: number;
  batch: number;
  /** Median wall time of one run of the whole batch. */
  runMs: number;
  itemsPerSecond: number;
  /** Throughput relative to the single-worker session. */
  speedup: number;
  /** Largest |output - single-worker output|. */
  maxAbsDiff: number;
}

export interface PipelineBenchResult { model: string; cores: number; rows: PipelineBenchRow[] }

function workload(model: 'mobilenet' | 'distilbert', batch: number): { graph: Graph; feeds: Record<string, Tensor>; name: string } {
  let s = 7;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  if (model === 'mobilenet') {
    const graph = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1 });
    const x = new Tensor('float32', [batch, 3, 224, 224], Float32Array.from({ length: batch * 3 * 224 * 224 }, () => rnd() * 2 - 1));
    return { graph, feeds: { input: x }, name: 'MobileNetV2 1.0/224' };
  }
  const seq = 64;
  const graph = models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
  const ids = new Tensor('int64', [batch, seq], BigInt64Array.from({ length: batch * seq }, () => BigInt(Math.floor(rnd() * 30000) + 100)));
  const mask = new Tensor('int64', [batch, seq], new BigInt64Array(batch * seq).fill(1n));
  return { graph, feeds: { input_ids: ids, attention_mask: mask }, name: `DistilBERT-base S=${seq}` };
}

async function timeRuns(run: () => Promise<Record<string, Tensor>>, runs: number): Promise<{ ms: number; out: Record<string, Tensor> }> {
  let out = await run(); // warm-up: plans compiled, stages created
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    out = await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

function maxAbsDiff(a: Record<string, Tensor>, b: Record<string, Tensor>): number {
  let d = 0;
  for (const k of Object.keys(b)) {
    const x = a[k].data as Float32Array, y = b[k].data as Float32Array;
    for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}

export async function pipelineBench(opts: PipelineBenchOptions = {}): Promise<PipelineBenchResult> {
  const { model = 'mobilenet', batch = 8, microBatch = 1, runs = 3, log = () => {} } = opts;
  const cores = os.availableParallelism();
  const stageCounts = opts.stages ?? [...new Set([2, Math.max(2, Math.min(cores, 4))])];
  const workerUrl = opts.workerUrl ?? new URL('../src/entries/worker.js', import.meta.url);
  const spawn = () => new Worker(typeof workerUrl === 'string' ? workerUrl : fileURLToPath(workerUrl));
  const { graph, feeds, name } = workload(model, batch);
  log(`${name}, batch ${batch}, micro-batch ${microBatch}, ${cores} cores`);
  const rows: PipelineBenchRow[] = [];
  const row = (mode: PipelineBenchRow['mode'], workers: number, mb: number, ms: number, diff: number) => {
    rows.push({ mode, workers, microBatch: mb, batch, runMs: ms, itemsPerSecond: (batch * 1000) / ms, speedup: 0, maxAbsDiff: diff });
  };

  const local = await InferenceSession.create(graph);
  const inProc = await timeRuns(() => local.run(feeds), runs);
  local.dispose();

  const single = await createWorkerSession(graph, { worker: spawn() });
  const base = await timeRuns(() => single.run(feeds), runs);
  await single.dispose();
  row('in-process', 0, batch, inProc.ms, maxAbsDiff(inProc.out, base.out));
  row('single worker', 1, batch, base.ms, 0);

  for (const n of stageCounts) {
    const p = await createPipelineSession(graph, { workers: n, createWorker: spawn, microBatch });
    const r = await timeRuns(() => p.run(feeds), runs);
    await p.dispose();
    row('pipeline', n, microBatch, r.ms, maxAbsDiff(r.out, base.out));
  }
  const baseRate = rows[1].itemsPerSecond;
  for (const r of rows) r.speedup = r.itemsPerSecond / baseRate;
  for (const r of rows) log(`${r.mode.padEnd(13)} workers ${String(r.workers).padStart(2)}  micro ${String(r.microBatch).padStart(2)}  ${r.runMs.toFixed(0).padStart(6)} ms/batch  ${r.itemsPerSecond.toFixed(2).padStart(7)} items/s  x${r.speedup.toFixed(2)}  max |diff| ${r.maxAbsDiff.toExponential(1)}`);
  return { model: name, cores, rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (flag: string) => { const i = process.argv.indexOf(flag); return i >= 0 ? process.argv[i + 1] : undefined; };
  const m = arg('--model');
  if (m !== undefined && m !== 'mobilenet' && m !== 'distilbert') throw new Error(`--model takes mobilenet or distilbert, got '${m}'`);
  await pipelineBench({
    model: m, batch: arg('--batch') ? Number(arg('--batch')) : undefined, microBatch: arg('--micro') ? Number(arg('--micro')) : undefined,
    stages: arg('--stages')?.split(',').map(Number), runs: arg('--runs') ? Number(arg('--runs')) : undefined, log: (l) => console.log(l),
  });
}
