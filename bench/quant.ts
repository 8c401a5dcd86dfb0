/**
 * Quantized kernels and models against Tessera's FP32 path, on this machine:
 *   - GEMM: FP32 MatMul vs QMatMul with int8 and int4-g32 weights, float or int8 (dynamic) inputs,
 *     on DistilBERT's shapes (128 tokens x 768 -> 768, 768 -> 3072, 3072 -> 768) and a short one;
 *   - conv: MobileNetV2 layers (a 1x1 and the first 3x3) as Conv vs QConv;
 *   - whole models: MobileNetV2 1.0/224 and DistilBERT-base, FP32 / int8 / int4 latency and
 *     weight bytes, plus onnxruntime-node (1 thread) on the FP32 file, on Tessera's int8-dynamic
 *     export (onnxruntime's own dynamic-quantization pattern: DynamicQuantizeLinear + MatMulInteger
 *     + ConvInteger, which its optimizer fuses into its int8 kernels) and on the int4 MatMulNBits file.
 *
 *   npm run build && node dist/bench/quant.js [--quick] [--only gemm,conv,mobilenet,distilbert,quality] [--out bench/results/quant.json]
 *
 * 'quality' (not in the default set: it takes minutes) measures full-size output agreement
 * against the issue's budgets; see quant-quality.ts.
 *
 * Timing: each case runs interleaved with its FP32 baseline (round robin, so load on the machine
 * hits both alike); figures are medians of the rounds. One thread (sessions pinned to threads: 1); bench/split-threads.ts measures threads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { InferenceSession, Tensor, type Graph } from '../src/index.js';
import type { OpName } from '../src/ops/index.js';
import type { RawAttrs } from '../src/ops/types.js';
import { kernelCall as call, type BenchInput } from './kernel-call.js';
import { models } from '../src/models/index.js';
import { saveOnnx } from '../src/onnx/index.js';
import { quantize, quantizeInt8Weight, quantizeInt4Weight, type QuantizeOptions } from '../src/quant/index.js';
import { randomFeeds } from '../src/quant/report.js';
import { formatQuality, qualityBench, type QualityRow } from './quant-quality.js';

export interface QuantBenchRow {
  group: 'gemm' | 'conv' | 'model' | 'size';
  name: string;
  /** 'fp32', 'int8 w / f32 in', 'int8 w / int8 in', 'int4 w / f32 in', 'int4 w / int8 in'; 'ort …' for onnxruntime-node. */
  variant: string;
  medianMs?: number;
  /** The FP32 Tessera baseline measured in the same rounds, and fp32Ms / medianMs. */
  fp32Ms?: number;
  speedup?: number;
  gflops?: number;
  /** Cosine similarity of the model's first output against Tessera FP32 on the same input. */
  cosine?: number;
  /** Weight bytes of this variant and of FP32. */
  bytes?: number;
  fp32Bytes?: number;
  target?: string;
  pass?: boolean;
}

export interface QuantBenchOptions {
  quick: boolean;
  log?: (line: string) => void;
  /** Parts to run (default all): 'gemm', 'conv', 'mobilenet', 'distilbert'. */
  only?: readonly string[];
}

/** Times functions round robin; returns each one's median in ms. */
function timeInterleaved(fns: (() => void)[], rounds: number, budgetMs: number): number[] {
  for (const f of fns) f();
  const times: number[][] = fns.map(() => []), start = performance.now();
  for (let r = 0; r < rounds && (r < 3 || performance.now() - start < budgetMs); r++) {
    fns.forEach((f, i) => { const t = performance.now(); f(); times[i].push(performance.now() - t); });
  }
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]);
}

async function timeAsync(fns: (() => Promise<unknown>)[], rounds: number, budgetMs: number): Promise<number[]> {
  for (const f of fns) await f();
  const times: number[][] = fns.map(() => []), start = performance.now();
  for (let r = 0; r < rounds && (r < 3 || performance.now() - start < budgetMs); r++) {
    for (let i = 0; i < fns.length; i++) { const t = performance.now(); await fns[i](); times[i].push(performance.now() - t); }
  }
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]);
}

/** kernel-call.ts's kernel, run on one thread. */
const kernelCall = (op: OpName, raw: RawAttrs, inputs: BenchInput[]): (() => void) => call(op, raw, inputs).run;

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

function random(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s / 4294967296 * 2 - 1) * scale; }
  return a;
}

const VARIANTS = ['int8 w / f32 in', 'int8 w / int8 in', 'int4 w / f32 in', 'int4 w / int8 in'] as const;

function gemmBench(o: QuantBenchOptions, rows: QuantBenchRow[]): void {
  const shapes: [number, number, number][] = o.quick ? [[128, 768, 3072], [8, 768, 768]] : [[128, 768, 768], [128, 768, 3072], [128, 3072, 768], [8, 768, 768]];
  for (const [M, K, N] of shapes) {
    const a = random(M * K, 1), w = new Tensor('float32', [K, N], random(K * N, 2, 0.05)), name = `GEMM ${M}x${K}x${N}`;
    const q8 = quantizeInt8Weight(w, 1), q4 = quantizeInt4Weight(w, 1, 32);
    const fns = [
      kernelCall('MatMul', {}, [{ shape: [M, K], data: a }, { shape: [K, N], data: w.data as Float32Array }]),
      kernelCall('QMatMul', { input_quant: 'none' }, [{ shape: [M, K], data: a }, { shape: [K, N], packed: q8 }]),
      kernelCall('QMatMul', { input_quant: 'int8' }, [{ shape: [M, K], data: a }, { shape: [K, N], packed: q8 }]),
      kernelCall('QMatMul', { input_quant: 'none' }, [{ shape: [M, K], data: a }, { shape: [K, N], packed: q4 }]),
      kernelCall('QMatMul', { input_quant: 'int8' }, [{ shape: [M, K], data: a }, { shape: [K, N], packed: q4 }]),
    ];
    const ms = timeInterleaved(fns, o.quick ? 5 : 11, o.quick ? 6000 : 20000), flop = 2 * M * K * N;
    rows.push({ group: 'gemm', name, variant: 'fp32', medianMs: ms[0], gflops: flop / ms[0] / 1e6, bytes: K * N * 4 });
    VARIANTS.forEach((v, i) => rows.push({
      group: 'gemm', name, variant: v, medianMs: ms[i + 1], fp32Ms: ms[0], speedup: ms[0] / ms[i + 1], gflops: flop / ms[i + 1] / 1e6,
      bytes: (i < 2 ? q8 : q4).byteLength, fp32Bytes: K * N * 4,
    }));
    o.log?.(`${name}: fp32 ${ms[0].toFixed(1)} ms; ${VARIANTS.map((v, i) => `${v} ${ms[i + 1].toFixed(1)} ms (${(ms[0] / ms[i + 1]).toFixed(2)}x)`).join('; ')}`);
  }
}

function convBench(o: QuantBenchOptions, rows: QuantBenchRow[]): void {
  // MobileNetV2 1.0/224: features.3's expand 1x1 (24 -> 144 at 56x56) and the first 3x3 stride-2 conv.
  const cases: { name: string; x: number[]; w: number[]; attrs: RawAttrs }[] = [
    { name: 'Conv 1x1 24->144 @56x56', x: [1, 24, 56, 56], w: [144, 24, 1, 1], attrs: {} },
    { name: 'Conv 1x1 576->96 @14x14', x: [1, 576, 14, 14], w: [96, 576, 1, 1], attrs: {} },
    { name: 'Conv 3x3/2 3->32 @224x224', x: [1, 3, 224, 224], w: [32, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  ];
  for (const c of o.quick ? cases.slice(1, 2) : cases) {
    const x = random(c.x.reduce((a, b) => a * b, 1), 3), w = new Tensor('float32', c.w, random(c.w.reduce((a, b) => a * b, 1), 4, 0.2));
    const q8 = quantizeInt8Weight(w, 0), K = c.w[1] * c.w[2] * c.w[3], q4 = K >= 32 ? quantizeInt4Weight(w, 0, 32) : undefined;
    const fns = [
      kernelCall('Conv', c.attrs, [{ shape: c.x, data: x }, { shape: c.w, data: w.data as Float32Array }]),
      kernelCall('QConv', { ...c.attrs, input_quant: 'none' }, [{ shape: c.x, data: x }, { shape: c.w, packed: q8 }]),
      kernelCall('QConv', { ...c.attrs, input_quant: 'int8' }, [{ shape: c.x, data: x }, { shape: c.w, packed: q8 }]),
      ...(q4 ? [
        kernelCall('QConv', { ...c.attrs, input_quant: 'none' }, [{ shape: c.x, data: x }, { shape: c.w, packed: q4 }]),
        kernelCall('QConv', { ...c.attrs, input_quant: 'int8' }, [{ shape: c.x, data: x }, { shape: c.w, packed: q4 }]),
      ] : []),
    ];
    const ms = timeInterleaved(fns, o.quick ? 5 : 11, o.quick ? 5000 : 15000);
    rows.push({ group: 'conv', name: c.name, variant: 'fp32', medianMs: ms[0], bytes: w.data.byteLength });
    ms.slice(1).forEach((t, i) => rows.push({ group: 'conv', name: c.name, variant: VARIANTS[i], medianMs: t, fp32Ms: ms[0], speedup: ms[0] / t, bytes: (i < 2 ? q8 : q4!).byteLength, fp32Bytes: w.data.byteLength }));
    o.log?.(`${c.name}: fp32 ${ms[0].toFixed(2)} ms; ${ms.slice(1).map((t, i) => `${VARIANTS[i]} ${t.toFixed(2)} ms (${(ms[0] / t).toFixed(2)}x)`).join('; ')}`);
  }
}

interface ModelVariant { name: string; graph: Graph }

async function modelBench(o: QuantBenchOptions, rows: QuantBenchRow[], label: string, g: Graph, feeds: Record<string, Tensor>, extra: QuantizeOptions[]): Promise<void> {
  const variants: ModelVariant[] = [{ name: 'fp32', graph: g }];
  for (const q of extra) {
    const name = `${q.weights}${q.weights === 'int4' ? ` g${q.groupSize ?? 32}` : ''} w / ${q.activations === 'int8-dynamic' ? 'int8' : 'f32'} in`;
    variants.push({ name, graph: quantize(g, q) });
  }
  const sessions = await Promise.all(variants.map((v) => InferenceSession.create(v.graph, { threads: 1 })));
  const ms = await timeAsync(sessions.map((s) => () => s.run(feeds)), o.quick ? 3 : 7, o.quick ? 20000 : 60000);
  const outs = await Promise.all(sessions.map(async (s) => (await s.run(feeds))[s.outputNames[0]].data as Float32Array));
  variants.forEach((v, i) => {
    const isInt8 = v.name.startsWith('int8'), isInt4 = v.name.startsWith('int4 g32');
    const ratio = v.graph.weightBytes / g.weightBytes;
    const target = i === 0 ? undefined : isInt8 ? 'weights <= 0.27x' : isInt4 ? 'weights <= 0.16x' : undefined;
    rows.push({
      group: 'model', name: label, variant: v.name, medianMs: ms[i], fp32Ms: ms[0], speedup: ms[0] / ms[i], cosine: cosine(outs[i], outs[0]), bytes: v.graph.weightBytes, fp32Bytes: g.weightBytes,
      ...(target ? { target, pass: ratio <= (isInt8 ? 0.27 : 0.16) } : {}),
    });
  });
  for (const s of sessions) s.dispose();
  o.log?.(`${label}: ${variants.map((v, i) => `${v.name} ${ms[i].toFixed(1)} ms, ${(v.graph.weightBytes / 1048576).toFixed(1)} MiB`).join('; ')}`);
  const ort = await import('onnxruntime-node').catch(() => undefined);
  if (!ort) return;
  const files: [string, Graph | undefined][] = [
    ['ort fp32', g], ['ort int8-dynamic (QOperator)', variants.find((v) => v.name === 'int8 w / int8 in')?.graph],
    ['ort int8 weight-only (DequantizeLinear)', variants.find((v) => v.name === 'int8 w / f32 in')?.graph],
    ['ort int4 MatMulNBits', variants.find((v) => v.name.startsWith('int4 g32'))?.graph],
  ];
  const present = files.filter((f): f is [string, Graph] => f[1] !== undefined);
  const ortSessions = await Promise.all(present.map(([, gr]) => ort.InferenceSession.create(saveOnnx(gr), { intraOpNumThreads: 1, interOpNumThreads: 1 })));
  const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
  const oms = await timeAsync(ortSessions.map((s) => () => s.run(ortFeeds)), o.quick ? 3 : 7, o.quick ? 10000 : 30000);
  const ortOuts = await Promise.all(ortSessions.map(async (s) => (await s.run(ortFeeds))[s.outputNames[0]].data as Float32Array));
  present.forEach(([name], i) => rows.push({ group: 'model', name: `${label} in onnxruntime-node (1 thread)`, variant: name, medianMs: oms[i], fp32Ms: ms[0], speedup: ms[0] / oms[i], cosine: cosine(ortOuts[i], outs[0]) }));
  o.log?.(`${label} onnxruntime-node: ${present.map(([n], i) => `${n} ${oms[i].toFixed(1)} ms`).join('; ')}`);
  for (const s of ortSessions) await s.release();
}

/** All parts; rows as printed by formatRows(). Call from bench/run.ts as `await quantBench({ quick })`. */
export async function quantBench(opts: QuantBenchOptions): Promise<QuantBenchRow[]> {
  const rows: QuantBenchRow[] = [], on = (p: string) => !opts.only || opts.only.includes(p);
  if (on('gemm')) gemmBench(opts, rows);
  if (on('conv')) convBench(opts, rows);
  const all: QuantizeOptions[] = [
    { weights: 'int8', activations: 'float32' }, { weights: 'int8', activations: 'int8-dynamic' },
    { weights: 'int4', activations: 'float32' }, { weights: 'int4', activations: 'int8-dynamic' },
  ];
  if (on('mobilenet')) {
    const g = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1, batch: 1 });
    // quantize()'s default ('auto') is the f32-input variant for convnets: convs keep float inputs.
    await modelBench(opts, rows, 'MobileNetV2 1.0/224', g, randomFeeds(g, 1), opts.quick ? [all[0], all[2]] : all);
  }
  if (on('distilbert')) {
    const seq = opts.quick ? 32 : 128;
    const g = models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
    // quantize()'s default ('auto') is the int8-input variant for transformers: MatMuls take int8 inputs.
    await modelBench(opts, rows, `DistilBERT-base S=${seq}`, g, randomFeeds(g, 1, { sequence: seq }), opts.quick ? [all[1], all[3]] : all);
    const fp = rows.find((r) => r.group === 'model' && r.name.startsWith('DistilBERT') && r.variant === 'fp32');
    const q8 = rows.find((r) => r.group === 'model' && r.name.startsWith('DistilBERT') && r.variant === 'int8 w / int8 in');
    if (fp && q8) rows.push({ group: 'model', name: q8.name, variant: 'int8 faster than fp32', medianMs: q8.medianMs, fp32Ms: fp.medianMs, speedup: fp.medianMs! / q8.medianMs!, target: 'int8 < fp32', pass: q8.medianMs! < fp.medianMs! });
  }
  return rows;
}

export function formatRows(rows: readonly QuantBenchRow[]): string {
  const head = ['group', 'case', 'variant', 'median ms', 'vs fp32', 'GFLOP/s', 'cos vs fp32', 'weight bytes', 'x fp32', 'target'];
  const body = rows.map((r) => [
    r.group, r.name, r.variant, r.medianMs?.toFixed(2) ?? '', r.speedup ? `${r.speedup.toFixed(2)}x` : '', r.gflops?.toFixed(2) ?? '', r.cosine?.toFixed(5) ?? '',
    r.bytes ? String(r.bytes) : '', r.bytes && r.fp32Bytes ? (r.bytes / r.fp32Bytes).toFixed(3) : '', r.target ? `${r.target} ${r.pass ? 'PASS' : 'FAIL'}` : '',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 3 || i === 9 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } } });
  const log = (s: string) => process.stdout.write(s + '\n');
  log(`quant bench on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}), node ${process.version}`);
  const only = values.only?.split(',');
  const rows = only && only.every((p) => p === 'quality') ? [] : await quantBench({ quick: !!values.quick, log, only });
  if (rows.length) log('\n' + formatRows(rows));
  const quality: QualityRow[] = only?.includes('quality') ? await qualityBench({ quick: !!values.quick, log }) : [];
  if (quality.length) log('\n' + formatQuality(quality));
  const out = values.out ?? 'bench/results/quant.json';
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ createdAt: new Date().toISOString(), loadAverage: os.loadavg()[0], quick: !!values.quick, rows, quality }, null, 2) + '\n');
  log(`\nwrote ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
}
