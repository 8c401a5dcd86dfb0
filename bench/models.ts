import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { models, type Graph } from '../src/index.js';
import { saveOnnx } from '../src/onnx/index.js';
import type { ChildRequest, ChildResult } from './model-child.js';
import { MODEL_LABELS, VOCAB, type ModelId } from './model-specs.js';
import type { RuntimeName } from './peers.js';
import type { TimingBudget } from './timing.js';

export interface ModelResult {
  model: ModelId;
  label: string;
  batch: number;
  threads: number;
  /** Bytes of the model's weights as stored (graph.weightBytes). */
  weightBytes: number;
  figures: Partial<Record<RuntimeName, ChildResult | { error: string }>>;
}

export interface ModelRunOptions {
  models: readonly ModelId[];
  batches: readonly number[];
  threads: readonly number[];
  runtimes: readonly RuntimeName[];
  budget: (model: ModelId, runtime: RuntimeName, batch: number) => TimingBudget;
  /** Where the ONNX files are written. */
  dir: string;
  childTimeoutMs: number;
  onResult?: (r: ModelResult) => void;
}

function buildModel(id: ModelId): Graph {
  if (id === 'mobilenetv2') return models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1 });
  return models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: VOCAB, maxPositions: 512, seed: 1 });
}

const CHILD = fileURLToPath(new URL('./model-child.js', import.meta.url));

/** Runs `node args...`, returns the JSON after the child's `RESULT ` line, or throws with its stderr. */
function runChild(args: string[], timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(signal ? `killed by ${signal} (over ${timeoutMs / 1000}s?)` : `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Peak RSS of a Node process that loads nothing: the baseline in the memory target. */
export async function nodeBaselineRss(): Promise<number> {
  // VmHWM on Linux (see peakRssBytes in model-child.ts), maxRSS elsewhere.
  const script = "let b = process.resourceUsage().maxRSS * 1024; try { b = Number(/VmHWM:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch {} console.log('RESULT ' + b)";
  const r = await runChild(['-e', script], 30_000);
  return r as number;
}

/**
 * Whole-model benchmarks: each model is built once with a fixed seed and saved as ONNX; then
 * every (batch, threads, runtime) is measured in its own process, so peak RSS is one runtime's.
 */
export async function runModels(opts: ModelRunOptions): Promise<ModelResult[]> {
  mkdirSync(opts.dir, { recursive: true });
  const out: ModelResult[] = [];
  for (const id of opts.models) {
    let graph: Graph | undefined = buildModel(id);
    const weightBytes = graph.weightBytes, file = join(opts.dir, `${id}.onnx`);
    writeFileSync(file, saveOnnx(graph));
    graph = undefined; // the children load the file; let this copy go
    for (const batch of opts.batches) {
      for (const threads of opts.threads) {
        const result: ModelResult = { model: id, label: MODEL_LABELS[id], batch, threads, weightBytes, figures: {} };
        for (const runtime of opts.runtimes) {
          if (runtime === 'ort-web' && threads > 1) continue;
          const req: ChildRequest = { runtime, model: id, file, batch, threads, budget: opts.budget(id, runtime, batch) };
          try {
            result.figures[runtime] = await runChild([CHILD, JSON.stringify(req)], opts.childTimeoutMs) as ChildResult;
          } catch (e) {
            result.figures[runtime] = { error: (e as Error).message };
          }
        }
        out.push(result);
        opts.onResult?.(result);
      }
    }
  }
  return out;
}
