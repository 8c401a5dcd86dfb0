/**
 * Kernels on one thread vs split across threads, on this machine:
 *   - the float32 GEMM on the WebAssembly SIMD engine vs GemmPool.sgemm's chunked split;
 *   - quantized and sparse JavaScript kernels vs GemmPool.split (the jobs of kernels/cpu/jobs.ts):
 *   - kernels: QMatMul int8 / int4-g32 weights (float and int8 inputs) and SparseMatMul 90%
 *     (CSR, BSR [1, 4]) at 128x768x3072, run as a session with threads runs them (inputs,
 *     outputs, scratch and weights in shared memory); outputs checked bit-identical;
 *   - models: DistilBERT-base int8 (int8 dynamic inputs, S=128) and MobileNetV2 1.0/224
 *     pruned 90% (unstructured, sparsified by the session), InferenceSession threads 1 vs N.
 *
 *   npm run build && node dist/bench/split-threads.js [--threads 2] [--only kernels,models] [--rounds 11]
 *
 * Timing: one thread and N threads run interleaved (round robin, so load on the machine hits
 * both alike); figures are medians of the rounds, ratio = one thread / N threads.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor, type Graph } from '../src/index.js';
import type { OpName } from '../src/ops/index.js';
import type { RawAttrs } from '../src/ops/types.js';
import type { PackedWeight } from '../src/graph/graph.js';
import { kernelCall as call } from './kernel-call.js';
import type { ParallelGemm } from '../kernels/cpu/parallel.js';
import { GemmPool } from '../src/runtime/cpu/threads.js';
import { SimdGemm } from '../kernels/cpu/sgemm-simd.js';
import { sharePacked } from '../src/runtime/cpu/share-packed.js';
import { models } from '../src/models/index.js';
import { quantize, quantizeInt4Weight, quantizeInt8Weight } from '../src/quant/index.js';
import { randomFeeds } from '../src/quant/report.js';
import { BsrWeight, CsrWeight, prune } from '../src/sparse/index.js';

const shared = (n: number) => new Float32Array(new SharedArrayBuffer(n * 4));

function random(n: number, seed: number, scale = 1): Float32Array {
  const a = shared(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s / 4294967296 * 2 - 1) * scale; }
  return a;
}

/** kernel-call.ts's kernel as a threaded session prepares it: packed weights and arrays in shared memory. */
function kernelCall(op: OpName, raw: RawAttrs, x: { shape: number[]; data: Float32Array }, w: PackedWeight | Tensor): { run: (par?: ParallelGemm) => void; out: Float32Array } {
  const weight = w instanceof Tensor ? { shape: w.shape.slice(), data: w.data as Float32Array } : { shape: w.shape.slice(), packed: sharePacked(new Map([['w', w]])).get('w')! };
  return call(op, raw, [x, weight], shared);
}

interface Timing { median: number; min: number }

async function timeInterleaved(fns: (() => unknown)[], rounds: number): Promise<Timing[]> {
  for (const f of fns) await f();
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) { const t = performance.now(); await fns[i](); times[i].push(performance.now() - t); }
  }
  return times.map((t) => { t.sort((a, b) => a - b); return { median: t[t.length >> 1], min: t[0] }; });
}

/** Medians and their ratio; the fastest rounds' ratio beside it (less sensitive to other load on the machine). */
const line = (name: string, threads: number, [one, many]: Timing[], extra = '') =>
  `${name.padEnd(44)} 1 thread ${one.median.toFixed(1).padStart(8)} ms   ${threads} threads ${many.median.toFixed(1).padStart(8)} ms   ratio ${(one.median / many.median).toFixed(2)}x` +
  `   (fastest ${one.min.toFixed(1)} / ${many.min.toFixed(1)} ms: ${(one.min / many.min).toFixed(2)}x)${extra}`;

async function kernels(pool: GemmPool, rounds: number, log: (s: string) => void): Promise<void> {
  const M = 128, K = 768, N = 3072;
  const a = { shape: [M, K], data: random(M * K, 1) }, dense = new Tensor('float32', [K, N], random(K * N, 2, 0.05));
  const q8 = quantizeInt8Weight(dense, 1), q4 = quantizeInt4Weight(dense, 1, 32);
  const keep = random(K * N, 3), sparse = new Tensor('float32', [K, N], Float32Array.from(dense.data as Float32Array, (v, i) => (Math.abs(keep[i]) < 0.1 ? v : 0)));
  const block = new Float32Array(K * N); // 90% of [1, 4] blocks zero
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n += 4) if (Math.abs(keep[k * N + n]) < 0.1) for (let t = 0; t < 4; t++) block[k * N + n + t] = (dense.data as Float32Array)[k * N + n + t];
  const cases: [string, OpName, RawAttrs, PackedWeight | Tensor][] = [
    ['MatMul fp32 (sgemm, for reference)', 'MatMul', {}, dense],
    ['QMatMul int8 w / f32 in', 'QMatMul', { input_quant: 'none' }, q8],
    ['QMatMul int8 w / int8 in', 'QMatMul', { input_quant: 'int8' }, q8],
    ['QMatMul int4-g32 w / f32 in', 'QMatMul', { input_quant: 'none' }, q4],
    ['QMatMul int4-g32 w / int8 in', 'QMatMul', { input_quant: 'int8' }, q4],
    ['SparseMatMul 90% CSR', 'SparseMatMul', {}, CsrWeight.fromDense(sparse, 1)],
    ['SparseMatMul 90% BSR 1x4', 'SparseMatMul', {}, BsrWeight.fromDense(new Tensor('float32', [K, N], block), 1, [1, 4])],
  ];
  // Counts the parts that really went to workers (a kernel may decline to split).
  let splits = 0;
  const counting: ParallelGemm = {
    threads: pool.threads,
    sgemm: (...args) => { const r = pool.sgemm(...args); if (r) splits++; return r; },
    split: (...args) => { const r = pool.split(...args); if (r) splits++; return r; },
  };
  for (const [name, op, raw, w] of cases) {
    const one = kernelCall(op, raw, a, w), many = kernelCall(op, raw, a, w);
    splits = 0;
    many.run(counting);
    const perRun = splits;
    const ms = await timeInterleaved([() => one.run(), () => many.run(pool)], rounds);
    const same = one.out.every((v, i) => Object.is(v, many.out[i]));
    log(line(`${name} ${M}x${K}x${N}`, pool.threads, ms, `   ${perRun} split${perRun === 1 ? '' : 's'}/run, ${same ? 'outputs identical' : 'OUTPUTS DIFFER'}`));
  }
}

/**
 * The float32 GEMM on the WebAssembly SIMD engine (sgemm-simd.ts): the engine alone against the
 * pool's chunked split with an engine per worker, B a kept weight as in a session, at the
 * product's own level (a session adds staging its inputs and outputs in shared memory).
 */
async function simdGemm(pool: GemmPool, rounds: number, log: (s: string) => void): Promise<void> {
  const simd = SimdGemm.create();
  if (!simd) { log('SIMD GEMM: WebAssembly SIMD is not available here'); return; }
  const shared = (n: number, s: number) => { const v = new Float32Array(new SharedArrayBuffer(n * 4)); v.set(random(n, s)); return v; };
  for (const [M, K, N] of [[512, 512, 512], [128, 768, 3072], [128, 3072, 768]]) {
    const a = shared(M * K, 1), b = shared(K * N, 2), c1 = shared(M * N, 3), c2 = shared(M * N, 3);
    simd.markConstant(b);
    const ms = await timeInterleaved([
      () => simd.sgemm(M, N, K, a, 0, K, 1, b, 0, N, 1, c1, 0, N, false),
      () => { if (!pool.sgemm(M, N, K, a, 0, K, 1, b, 0, N, 1, c2, 0, N, false, undefined, 0, undefined, undefined, 0, simd)) throw new Error('the pool did not split'); },
    ], rounds);
    log(line(`MatMul fp32 on the SIMD engine ${M}x${K}x${N}`, pool.threads, ms, c1.every((v, i) => Object.is(v, c2[i])) ? '   outputs identical' : '   OUTPUTS DIFFER'));
  }
}

async function model(name: string, g: Graph, feeds: Record<string, Tensor>, threads: number, rounds: number, log: (s: string) => void): Promise<void> {
  const one = await InferenceSession.create(g, { backend: 'cpu', threads: 1 }), many = await InferenceSession.create(g, { backend: 'cpu', threads, debug: log });
  const ms = await timeInterleaved([() => one.run(feeds), () => many.run(feeds)], rounds);
  const [a, b] = [await one.run(feeds), await many.run(feeds)].map((r) => r[one.outputNames[0]].data as Float32Array);
  log(line(name, threads, ms, a.every((v, i) => Object.is(v, b[i])) ? '   (outputs identical)' : '   OUTPUTS DIFFER'));
  one.dispose();
  many.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, only: { type: 'string' }, rounds: { type: 'string' } } });
  const threads = Number(values.threads ?? 2), rounds = Number(values.rounds ?? 11), only = values.only?.split(',') ?? ['kernels', 'models'];
  const log = (s: string) => process.stdout.write(s + '\n');
  log(`split-threads bench on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}), node ${process.version}, ${rounds} rounds`);
  if (only.includes('kernels')) {
    const pool = await GemmPool.create(threads, log);
    if (!pool) throw new Error(`no thread pool for ${threads} threads`);
    await simdGemm(pool, rounds, log);
    await kernels(pool, rounds, log);
    pool.dispose();
  }
  if (only.includes('models')) {
    const bert = models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
    await model('DistilBERT-base S=128 int8 w / int8 in', quantize(bert, { weights: 'int8', activations: 'int8-dynamic' }), randomFeeds(bert, 1, { sequence: 128 }), threads, Math.min(rounds, 7), log);
    const mnv2 = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1, batch: 1 });
    await model('MobileNetV2 1.0/224 pruned 90% (sparse)', prune(mnv2, { sparsity: 0.9 }), randomFeeds(mnv2, 1), threads, rounds, log);
  }
}

main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
