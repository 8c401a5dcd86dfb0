import { parseArgs } from 'node:util';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor.js';
import type { Graph } from '../graph/graph.js';
import { countFlops } from '../graph/flops.js';
import { saveOnnx } from '../onnx/index.js';
import { models } from '../models/index.js';
import { prune } from '../sparse/index.js';
import { quantize } from '../quant/index.js';
import { WordPieceTokenizer, preprocessImage, topK, DEMO_VOCAB } from '../models/pipeline-index.js';

export interface DemoRow {
  model: string;
  parameters: number;
  gflops: number;
  loadMs: number;
  p50Ms: number;
  p95Ms: number;
  peakRssMiB: number;
  maxErrVsOrt: number | null;
  note?: string;
}

/** Run a graph: load time, latency percentiles over `runs`, peak RSS, error vs onnxruntime-node. */
export async function measure(name: string, graph: Graph, feeds: Record<string, Tensor>, runs: number): Promise<{ row: DemoRow; outputs: Record<string, Tensor> }> {
  const t0 = performance.now();
  const session = await InferenceSession.create(graph);
  let outputs = await session.run(feeds); // first run compiles the plan: part of load time
  const loadMs = performance.now() - t0;
  const times: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    outputs = await session.run(feeds);
    times.push(performance.now() - s);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  session.dispose();
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.shape as number[]]));
  return {
    outputs,
    row: {
      model: name, parameters: graph.parameterCount, gflops: countFlops(graph, shapes) / 1e9,
      loadMs, p50Ms: pct(0.5), p95Ms: pct(0.95), peakRssMiB: peak / 1048576,
      maxErrVsOrt: await compareWithOrt(graph, feeds, outputs),
    },
  };
}

/** Max |difference| against onnxruntime-node on the same saved model, or null when it is not installed. */
async function compareWithOrt(graph: Graph, feeds: Record<string, Tensor>, ours: Record<string, Tensor>): Promise<number | null> {
  let ort: typeof import('onnxruntime-node');
  try { ort = await import('onnxruntime-node'); } catch { return null; }
  const session = await ort.InferenceSession.create(saveOnnx(graph));
  const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
  const theirs = await session.run(ortFeeds);
  let err = 0;
  for (const [k, t] of Object.entries(ours)) {
    const a = t.data as Float32Array, b = theirs[k].data as Float32Array;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  await session.release();
  return err;
}

/** A synthetic RGBA test card: gradients and a disc, so preprocessing has something to do. */
export function testImage(width: number, height: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 4, dx = x - width / 2, dy = y - height / 2;
    const inDisc = dx * dx + dy * dy < (Math.min(width, height) / 3) ** 2;
    px[i] = (255 * x) / width; px[i + 1] = (255 * y) / height; px[i + 2] = inDisc ? 220 : 40; px[i + 3] = 255;
  }
  return px;
}

export function formatTable(rows: DemoRow[]): string {
  const head = ['model', 'params', 'GFLOPs', 'load ms', 'p50 ms', 'p95 ms', 'peak RSS MiB', 'max err vs ORT'];
  const body = rows.map((r) => [
    r.model, `${(r.parameters / 1e6).toFixed(2)}M`, r.gflops.toFixed(2), r.loadMs.toFixed(0), r.p50Ms.toFixed(1), r.p95Ms.toFixed(1),
    r.peakRssMiB.toFixed(0), r.maxErrVsOrt === null ? 'n/a (not installed)' : r.maxErrVsOrt.toExponential(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, quick: { type: 'boolean' } } });
  const runs = Number(values.runs ?? (values.quick ? 3 : 10));
  const rows: DemoRow[] = [];
  const log = (s: string) => process.stdout.write(s + '\n');

  log('Building MobileNetV2 1.0/224 (seeded weights) ...');
  const mobilenet = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1 });
  const image = preprocessImage(testImage(256, 256), 256, 256, { channels: 4, resize: 256, crop: 224 });
  const mn = await measure('MobileNetV2 1.0/224', mobilenet, { input: image }, runs);
  rows.push(mn.row);
  log(`  top-3 classes of the test card: ${topK(mn.outputs.logits, 3).map((t) => `#${t.index} (${(t.score * 100).toFixed(1)}%)`).join(', ')}`);

  rows.push((await measure('MobileNetV2 int8', quantize(mobilenet, { weights: 'int8' }), { input: image }, runs)).row);
  rows.push((await measure('MobileNetV2 int4-g32', quantize(mobilenet, { weights: 'int4', groupSize: 32 }), { input: image }, runs)).row);
  rows.push((await measure('MobileNetV2 pruned 90% (sparse kernels)', prune(mobilenet, { sparsity: 0.9 }), { input: image }, runs)).row);
  rows.push((await measure('MobileNetV2 channel-pruned 50%', prune(mobilenet, { sparsity: 0.5, pattern: 'channel' }), { input: image }, runs)).row);

  log('Building DistilBERT-base (6 layers, hidden 768, seeded weights) ...');
  const bert = models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
  const tok = WordPieceTokenizer.fromVocab(DEMO_VOCAB.join('\n'));
  const sentence = 'Tessera runs transformers in plain TypeScript, fast and small!';
  const enc = tok.encodeBatch([sentence], {});
  log(`  "${sentence}" -> ${enc.inputIds.shape[1]} tokens`);
  const db = await measure(`DistilBERT-base S=${enc.inputIds.shape[1]}`, bert, { input_ids: enc.inputIds, attention_mask: enc.attentionMask }, runs);
  rows.push(db.row);
  const bertFeeds = { input_ids: enc.inputIds, attention_mask: enc.attentionMask };
  rows.push((await measure('DistilBERT-base int8', quantize(bert, { weights: 'int8' }), bertFeeds, runs)).row);
  rows.push((await measure('DistilBERT-base int4-g32', quantize(bert, { weights: 'int4', groupSize: 32 }), bertFeeds, runs)).row);

  log('');
  log(formatTable(rows));
  log(`\n(${runs} timed runs each after one warm-up run; load = session create + first run; error = max |Tessera - onnxruntime-node| over all outputs, which for quantized rows is onnxruntime running the exported quantized model; params count weight elements as stored densely)`);
}
