import type { Graph } from '../graph/graph.js';
import { isPacked } from '../graph/graph.js';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor.js';
import { normal, rngFor } from '../models/weights.js';
import type { QuantizedLayer } from './quantize.js';

export interface FeedOptions {
  /** Value for symbolic batch-like dims (named N, batch, or the first dim). Default 1. */
  batch?: number;
  /** Value for other symbolic dims (sequence length). Default 16. */
  sequence?: number;
}

/**
 * Random inputs for a model: float inputs standard normal (like normalized images or hidden
 * states), integer inputs named like a mask all ones, other integer inputs token ids below the
 * row count of the embedding table they index (found through the Gather that reads them).
 */
export function randomFeeds(graph: Graph, seed: number, opts: FeedOptions = {}): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const v of graph.inputs) {
    const shape = v.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? opts.batch ?? 1 : opts.sequence ?? 16));
    const n = shape.reduce((a, b) => a * b, 1);
    if (v.dtype === 'float32') { feeds[v.name] = normal(seed, v.name, shape, 1); continue; }
    if (v.dtype !== 'int64' && v.dtype !== 'int32') throw new Error(`randomFeeds: input '${v.name}' is ${v.dtype}; give feeds for it explicitly`);
    const rows = /mask/i.test(v.name) ? 1 : vocabOf(graph, v.name);
    const rng = rngFor(seed, v.name), vals = Array.from({ length: n }, () => (rows === 1 ? 1 : Math.floor(rng.uniform() * rows)));
    feeds[v.name] = v.dtype === 'int64' ? new Tensor('int64', shape, vals.map(BigInt)) : new Tensor('int32', shape, vals);
  }
  return feeds;
}

function vocabOf(graph: Graph, input: string): number {
  for (const n of graph.nodes) {
    if ((n.op === 'Gather' || n.op === 'QGather') && n.inputs[1] === input) {
      const t = graph.initializers.get(n.inputs[0]);
      if (t) return t.shape[0];
    }
  }
  return 100;
}

export interface OutputAgreement {
  samples: number;
  /** Cosine similarity of each output (flattened) against FP32: mean and worst over samples. */
  cosineMean: number;
  cosineMin: number;
  /** Fraction of rows (last dim = classes) whose argmax matches FP32's. */
  top1Agreement: number;
  /** Output compared (the first graph output). */
  output: string;
}

/** Run both graphs on the same `samples` random inputs and compare their first outputs. */
export async function compareOutputs(reference: Graph, quantized: Graph, samples: number, seed = 1, opts: FeedOptions = {}): Promise<OutputAgreement> {
  if (!(samples >= 1)) throw new RangeError(`compareOutputs needs at least one sample, got ${samples}`);
  const [ref, q] = await Promise.all([InferenceSession.create(reference), InferenceSession.create(quantized)]);
  const name = ref.outputNames[0];
  let cosSum = 0, cosMin = Infinity, agree = 0, rows = 0;
  try {
    for (let s = 0; s < samples; s++) {
      const feeds = randomFeeds(reference, seed + s, opts);
      const a = (await ref.run(feeds))[name], b = (await q.run(feeds))[name];
      const c = cosine(a.data as Float32Array, b.data as Float32Array);
      cosSum += c;
      cosMin = Math.min(cosMin, c);
      const classes = a.shape[a.shape.length - 1] ?? 1;
      for (let r = 0; r * classes < a.size; r++) {
        if (argmax(a.data as Float32Array, r * classes, classes) === argmax(b.data as Float32Array, r * classes, classes)) agree++;
        rows++;
      }
    }
  } finally {
    ref.dispose();
    q.dispose();
  }
  return { samples, cosineMean: cosSum / samples, cosineMin: cosMin, top1Agreement: agree / Math.max(1, rows), output: name };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

function argmax(x: Float32Array, off: number, n: number): number {
  let best = off;
  for (let i = off + 1; i < off + n; i++) if (x[i] > x[best]) best = i;
  return best - off;
}

/** Bytes of all weights and of the packed ones. */
export function sizeSummary(g: Graph): { weightBytes: number; packedBytes: number } {
  let packed = 0;
  for (const w of g.initializers.values()) if (isPacked(w)) packed += w.byteLength;
  return { weightBytes: g.weightBytes, packedBytes: packed };
}

/** The per-layer table of a quantization report. */
export function formatLayers(layers: readonly QuantizedLayer[]): string {
  const head = ['layer', 'op', 'weight shape', 'format', 'weight NMSE', 'bytes before', 'bytes after', 'note'];
  const rows = layers.map((l) => [
    l.node, l.op, `[${l.shape.join(', ')}]`, l.format, l.nmse === undefined ? '-' : l.nmse.toExponential(2),
    l.bytesBefore ? String(l.bytesBefore) : '-', l.bytesAfter ? String(l.bytesAfter) : '-', l.note ?? '',
  ]);
  return table(head, rows);
}

export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

