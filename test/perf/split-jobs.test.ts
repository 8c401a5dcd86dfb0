import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPS, type OpName } from '../../src/ops/index.js';
import { checkAttrs } from '../../src/ops/attrs.js';
import type { OpSchema, RawAttrs } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import type { ParallelGemm } from '../../kernels/cpu/parallel.js';
import type { PackedWeight } from '../../src/graph/graph.js';
import { Tensor } from '../../src/tensor.js';
import { quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { quantizeInt4Weight } from '../../src/quant/formats/int4.js';
import { CsrWeight } from '../../src/sparse/formats/csr.js';
import { BsrWeight } from '../../src/sparse/formats/bsr.js';
import { GemmPool } from '../../src/runtime/cpu/threads.js';
import { sharePacked, sharePackedOf } from '../../src/runtime/cpu/share-packed.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { quantize } from '../../src/quant/index.js';
import { randomFloats } from '../util/numerics.js';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';
import { SimdParallel } from '../../src/runtime/cpu/simd-engine.js';

/**
 * Quantized and sparse kernels split across a compiled worker (the 'qgemm' and 'spmm' jobs of
 * kernels/cpu/jobs.ts) give bit for bit the one-thread output: splits are by channels or rows,
 * never over K. Shapes put the part edges on odd sizes: a last 4-channel block cut short, odd
 * row counts (an unpaired last int8 row), lane tails of 5 (8 + 4 + 1 tiles), a BSR block row
 * sticking out. Outputs start as NaN, so a part nobody wrote shows.
 */
let dir: string, pool: GemmPool;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-split-'));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--outDir', dir, '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--target', 'ES2022', '--types', 'node', '--skipLibCheck', 'src/runtime/cpu/gemm-worker.ts'], { stdio: 'pipe' });
  pool = (await GemmPool.create(2, (l) => logs.push(l), pathToFileURL(join(dir, 'src/runtime/cpu/gemm-worker.js'))))!;
}, 120_000);

afterAll(() => {
  pool?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shared = (src: Float32Array) => { const a = new Float32Array(new SharedArrayBuffer(src.length * 4)); a.set(src); return a; };

type Input = { shape: number[]; data: Float32Array } | { packed: PackedWeight } | undefined;

/**
 * Runs an op's kernel as a session with threads would: inputs, outputs and scratch in shared
 * memory, the packed weight shared by sharePacked. `par` undefined: one thread. Returns the
 * output and what each split call answered.
 */
function run(op: OpName, inputs: Input[], raw: RawAttrs, par: GemmPool | undefined, simd?: SimdGemm): { y: Float32Array; splits: boolean[] } {
  const schema = OPS[op] as OpSchema<unknown>;
  checkAttrs(schema, raw);
  const attrs = schema.parse(raw);
  const packed = (w: PackedWeight) => sharePacked(new Map([['w', w]])).get('w')!;
  const ins: ({ packed: PackedWeight } | KTensor | undefined)[] = inputs.map((t) => (!t ? undefined : 'packed' in t ? { packed: packed(t.packed) } : { dtype: 'float32' as const, shape: t.shape, data: shared(t.data) }));
  const types = schema.infer(ins.map((t) => t && ('packed' in t ? { dtype: 'float32', shape: t.packed.shape.slice() } : { dtype: t.dtype, shape: t.shape.slice() })), attrs);
  const size = (types[0].shape as number[]).reduce((a, b) => a * b, 1);
  const out: KTensor = { dtype: 'float32', shape: types[0].shape as number[], data: shared(new Float32Array(size).fill(NaN)) };
  const metas: KMeta[] = ins.map((t) => (!t ? { dtype: 'float32', shape: [] } : 'packed' in t ? { dtype: 'float32', shape: t.packed.shape, packed: t.packed } : t));
  const kernel = CPU_KERNELS[op] as CpuKernel<unknown, unknown>;
  // With an engine: planned on the SIMD tier, the weight marked constant as the executor does, and the pool behind a SimdParallel.
  const prepared = kernel.prepare!(attrs, metas, [out], simd ? { tiers: ['wasm-simd'] } : undefined);
  if (simd && ins[1] && !('packed' in ins[1])) simd.markConstant(ins[1].data as Float32Array);
  const bytes = kernel.scratchBytes?.(prepared, metas, [out]) ?? 0;
  const scratch = new Float32Array(new SharedArrayBuffer(Math.ceil(bytes / 8) * 8), 0, Math.ceil(bytes / 8) * 2).fill(NaN);
  const splits: boolean[] = [];
  const counting: ParallelGemm | undefined = simd ? new SimdParallel(simd, par) : par && {
    threads: par.threads,
    sgemm: (...args: Parameters<ParallelGemm['sgemm']>) => par.sgemm(...args),
    sgemmBatch: (...args: Parameters<NonNullable<ParallelGemm['sgemmBatch']>>) => par.sgemmBatch(...args),
    split: (...args: Parameters<ParallelGemm['split']>) => { const r = par.split(...args); splits.push(r); return r; },
  };
  const runIns = ins.map((t) => (!t ? undefined : 'packed' in t ? { dtype: 'float32' as const, shape: t.packed.shape, data: new Float32Array(0) } : t));
  (kernel.run as (...a: unknown[]) => void)(runIns, prepared, [out], scratch, counting);
  return { y: out.data as Float32Array, splits };
}

/** Threads (split at least once) vs one thread: the same bits. */
function same(op: OpName, inputs: Input[], raw: RawAttrs, what: object): void {
  const one = run(op, inputs, raw, undefined), two = run(op, inputs, raw, pool);
  expect(two.splits.length, `${JSON.stringify(what)}: the kernel offered the work to the pool`).toBeGreaterThan(0);
  expect(two.splits.every((s) => s), `${JSON.stringify(what)}: the pool split every part offered`).toBe(true);
  expect(one.y.some((v) => Number.isNaN(v)), `${JSON.stringify(what)}: one thread wrote every output`).toBe(false);
  const diff = one.y.findIndex((v, i) => !Object.is(v, two.y[i]));
  expect(diff, `${JSON.stringify(what)}: first output that differs (one thread ${one.y[diff]}, two ${two.y[diff]})`).toBe(-1);
}

const f32 = (shape: number[], s: number) => ({ shape, data: randomFloats(shape.reduce((a, b) => a * b, 1), s, -2, 2) });
const qWeight = (format: 'int8' | 'int4', shape: number[], axis: 0 | 1, s: number) => {
  const w = new Tensor('float32', shape, randomFloats(shape.reduce((a, b) => a * b, 1), s, -0.5, 0.5));
  return format === 'int8' ? quantizeInt8Weight(w, axis) : quantizeInt4Weight(w, axis, 32);
};

describe('quantized kernels on two threads', () => {
  it('QMatMul: split by channel blocks (51 blocks, the last of 3 channels) and by rows (131 rows: an unpaired last row)', () => {
    expect(pool).toBeDefined();
    for (const format of ['int8', 'int4'] as const) for (const input_quant of ['none', 'int8'] as const) {
      // K = 300: int4 groups of 32 end in a short group of 12.
      same('QMatMul', [f32([10, 300], 1), { packed: qWeight(format, [300, 203], 1, 2) }, f32([203], 3)], { input_quant, activation: 'Gelu' }, { format, input_quant, M: 10, N: 203 });
      same('QMatMul', [f32([131, 190], 4), { packed: qWeight(format, [190, 22], 1, 5) }, undefined], { input_quant }, { format, input_quant, M: 131, N: 22 });
    }
    expect(logs).toEqual([]);
  }, 60_000);

  it('QConv: 3x3 over 23x23 pixels (rows), 1x1 to 201 channels (blocks), grouped (2 x 15 channels, rows)', () => {
    for (const format of ['int8', 'int4'] as const) for (const input_quant of ['none', 'int8'] as const) {
      const q = { format, input_quant };
      same('QConv', [f32([1, 8, 23, 23], 6), { packed: qWeight(format, [24, 8, 3, 3], 0, 7) }, f32([24], 8)], { input_quant, pads: [1, 1, 1, 1], activation: 'Relu' }, { ...q, conv: '3x3' });
      same('QConv', [f32([1, 40, 9, 8], 9), { packed: qWeight(format, [201, 40, 1, 1], 0, 10) }, undefined], { input_quant }, { ...q, conv: '1x1 wide' });
      same('QConv', [f32([2, 16, 31, 29], 11), { packed: qWeight(format, [30, 8, 3, 3], 0, 12) }, f32([30], 13)], { input_quant, group: 2, strides: [1, 1] }, { ...q, conv: 'grouped' });
    }
  }, 60_000);
});

describe('MatMulNBits on two threads', () => {
  /** B, scales and zero points as constants in shared memory (as a threaded session shares them); returns the output and the splits. */
  function nbits(M: number, K: number, N: number, G: number, zeros: 'none' | 'packed' | 'float', par: GemmPool | undefined): { y: Float32Array; splits: boolean[] } {
    const blocks = Math.ceil(K / G), schema = OPS.MatMulNBits as OpSchema<unknown>, raw = { K, N, bits: 4, block_size: G };
    checkAttrs(schema, raw);
    const attrs = schema.parse(raw);
    const u8 = (n: number, s: number, mod: number) => { const a = new Uint8Array(new SharedArrayBuffer(n)); randomFloats(n, s, 0, 1).forEach((v, i) => { a[i] = Math.floor(v * mod); }); return a; };
    const a: KTensor = { dtype: 'float32', shape: [M, K], data: shared(randomFloats(M * K, 1, -2, 2)) };
    const b: KTensor = { dtype: 'uint8', shape: [N, blocks, G / 2], data: u8(N * blocks * G / 2, 2, 256) };
    const sc: KTensor = { dtype: 'float32', shape: [N * blocks], data: shared(randomFloats(N * blocks, 3, -0.2, 0.2)) };
    const z: KTensor | undefined = zeros === 'packed' ? { dtype: 'uint8', shape: [N * Math.ceil(blocks / 2)], data: u8(N * Math.ceil(blocks / 2), 4, 256) }
      : zeros === 'float' ? { dtype: 'float32', shape: [N * blocks], data: shared(randomFloats(N * blocks, 4, 0, 15)) } : undefined;
    const bias: KTensor = { dtype: 'float32', shape: [N], data: shared(randomFloats(N, 5)) };
    const ins = [a, b, sc, z, undefined, bias];
    const metas: KMeta[] = ins.map((t, i) => (!t ? { dtype: 'float32', shape: [] } : i === 0 ? { dtype: t.dtype, shape: t.shape } : t));
    const out: KTensor = { dtype: 'float32', shape: [M, N], data: shared(new Float32Array(M * N).fill(NaN)) };
    const kernel = CPU_KERNELS.MatMulNBits as CpuKernel<unknown, unknown>, prepared = kernel.prepare!(attrs, metas, [out]);
    const bytes = kernel.scratchBytes?.(prepared, metas, [out]) ?? 0;
    const scratch = new Float32Array(new SharedArrayBuffer(Math.ceil(bytes / 8) * 8));
    const splits: boolean[] = [];
    const counting = par && { threads: par.threads, sgemm: () => false, split: (...args: Parameters<ParallelGemm['split']>) => { const r = par.split(...args); splits.push(r); return r; } };
    (kernel.run as (...x: unknown[]) => void)(ins, prepared, [out], scratch, counting);
    return { y: out.data as Float32Array, splits };
  }

  it('splits by channel blocks with zero points folded in, the same bits as one thread (K = 300: a short last group)', () => {
    for (const zeros of ['none', 'packed', 'float'] as const) {
      const one = nbits(10, 300, 203, 32, zeros, undefined), two = nbits(10, 300, 203, 32, zeros, pool);
      expect(two.splits, zeros).toEqual([true]);
      expect(one.y.some((v) => Number.isNaN(v))).toBe(false);
      const diff = one.y.findIndex((v, i) => !Object.is(v, two.y[i]));
      expect(diff, `zeros ${zeros}: first output that differs`).toBe(-1);
    }
  });
});

/** A dense [rows, cols] weight with about 70% exact zeros. */
function sparseTensor(shape: number[], s: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), w = randomFloats(n, s), r = randomFloats(n, s + 7, 0, 1);
  for (let i = 0; i < n; i++) if (r[i] < 0.7) w[i] = 0;
  return new Tensor('float32', shape, w);
}

describe('sparse kernels on two threads', () => {
  const formats: [string, (t: Tensor, axis: 0 | 1) => PackedWeight][] = [
    ['csr', (t, a) => CsrWeight.fromDense(t, a)], ['bsr 1x4', (t, a) => BsrWeight.fromDense(t, a, [1, 4])],
    ['bsr 2x4', (t, a) => BsrWeight.fromDense(t, a, [2, 4])], ['bsr 3x2', (t, a) => BsrWeight.fromDense(t, a, [3, 2])],
  ];

  it('SparseMatMul: 203 channels (a block row sticking out), 37 rows (lane tiles 8 + 4 + 1), one row', () => {
    for (const [fmt, pack] of formats) {
      const w = pack(sparseTensor([300, 203], 20), 1);
      same('SparseMatMul', [f32([37, 300], 21), { packed: w }, f32([203], 22)], { activation: 'Clip', activation_params: [0, 0.5] }, { fmt, M: 37 });
      same('SparseMatMul', [f32([37, 300], 23), { packed: w }, undefined], { activation: 'Sigmoid' }, { fmt, M: 37, act: 'sigmoid' });
    }
    // One row: work = nnz, below the split threshold unless the weight is big.
    const big = CsrWeight.fromDense(sparseTensor([1024, 2051], 24), 1);
    same('SparseMatMul', [f32([1, 1024], 25), { packed: big }, undefined], { activation: 'Relu' }, { fmt: 'csr', M: 1 });
  }, 60_000);

  it('SparseConv: split by pixels in tiles of 8, 2 images of 15x17 pixels (255: lane tiles 8 + 4 + 1 at the end), 101 channels', () => {
    for (const [fmt, pack] of formats) {
      const w = pack(sparseTensor([101, 96, 1, 1], 30), 0);
      same('SparseConv', [f32([2, 96, 15, 17], 31), { packed: w }, f32([101], 32)], { activation: 'Relu' }, { fmt });
      same('SparseConv', [f32([2, 96, 15, 17], 33), { packed: w }, f32([101], 34)], { activation: 'Clip', activation_params: [0, 0.7] }, { fmt, act: 'relu6-like' });
      same('SparseConv', [f32([1, 96, 15, 17], 35), { packed: w }, undefined], { activation: 'Sigmoid' }, { fmt, act: 'sigmoid' });
    }
  }, 60_000);
});

describe('GemmPool.split', () => {
  const w = CsrWeight.fromDense(sparseTensor([300, 203], 40), 1);
  const sw = sharePacked(new Map([['w', w]])).get('w') as CsrWeight;
  // spmm over 203 channels x 64 lanes: X[k, t] = x[k * 64 + t], Y[o, t] = y[o * 64 + t].
  const ints = [0, 203, 64, 0, 64, 0, 64, 1, 0, 0];

  it('declines work below the threshold, a single part, and arrays outside shared memory', () => {
    const x = shared(new Float32Array(300 * 64).fill(1)), y = shared(new Float32Array(203 * 64));
    const work = w.values.length * 64;
    expect(pool.split('spmm', 1000, 203, 1, [sw.rowPtr, sw.colIndex, sw.values, x, y, undefined], ints, [Infinity])).toBe(false);
    expect(pool.split('spmm', work, 203, 203, [sw.rowPtr, sw.colIndex, sw.values, x, y, undefined], ints, [Infinity])).toBe(false);
    expect(pool.split('spmm', work, 203, 1, [w.rowPtr, w.colIndex, w.values, x, y, undefined], ints, [Infinity])).toBe(false);
    expect(pool.split('spmm', work, 203, 1, [sw.rowPtr, sw.colIndex, sw.values, new Float32Array(300 * 64).fill(1), y, undefined], ints, [Infinity])).toBe(false);
    expect(y.every((v) => v === 0), 'nothing was computed').toBe(true);
    expect(pool.split('spmm', work, 203, 1, [sw.rowPtr, sw.colIndex, sw.values, x, y, undefined], ints, [Infinity])).toBe(true);
    // x is all ones: every lane of channel o holds the sum of o's values, on both sides of the split (at 102).
    for (const o of [0, 101, 102, 202]) {
      let want = 0;
      for (let j = w.rowPtr[o]; j < w.rowPtr[o + 1]; j++) want += w.values[j];
      for (const t of [0, 63]) expect(y[o * 64 + t], `channel ${o} lane ${t}`).toBe(Math.fround(want));
    }
  });

  it('shares packed weights as copies: same class and fields, arrays in shared memory, the original untouched', () => {
    expect(sw).toBeInstanceOf(CsrWeight);
    expect(sw).not.toBe(w);
    for (const a of [sw.rowPtr, sw.colIndex, sw.values]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const a of [w.rowPtr, w.colIndex, w.values]) expect(a.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(sw.values)).toEqual(Array.from(w.values));
    expect(sw.shape).toEqual(w.shape);
    expect(Array.from(sw.dequantize().data as Float32Array)).toEqual(Array.from(w.dequantize().data as Float32Array));
    expect(sharePacked(new Map([['w', sw]])).get('w'), 'already shared: kept as it is').toBe(sw);
  });
});

describe('sharePackedOf', () => {
  it("copies only the packed weights of kernels that split (a QMatMul's, not a QGather's embedding table)", () => {
    const b = new GraphBuilder('g');
    const ids = b.input('ids', 'int64', [4]);
    const emb = b.op('Gather', [b.constant(new Tensor('float32', [50, 64], randomFloats(50 * 64, 1)), 'emb'), ids]);
    b.output(b.matmul(emb, b.constant(new Tensor('float32', [64, 32], randomFloats(64 * 32, 2)), 'w')), 'y');
    const g = quantize(b.build(), { weights: 'int8' });
    const qm = g.nodes.find((n) => n.op === 'QMatMul'), qg = g.nodes.find((n) => n.op === 'QGather');
    expect(qm && qg, `ops: ${g.nodes.map((n) => n.op).join(', ')}`).toBeTruthy();
    const out = sharePackedOf(g);
    expect([...out.keys()]).toEqual([qm!.inputs[1]]);
    const w = out.get(qm!.inputs[1]) as unknown as { quants: Int8Array };
    expect(w.quants.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('depthwise conv on two threads', () => {
  it('splits by planes (81 planes: parts of 41 and 40) with the same bits, for 3x3 stride 1 and 2, a dilated 5x5, and fused activations', () => {
    same('Conv', [f32([1, 81, 40, 36], 21), f32([81, 1, 3, 3], 22), f32([81], 23)], { group: 81, pads: [1, 1, 1, 1] }, { dw: '3x3 s1' });
    same('FusedConv', [f32([2, 33, 69, 70], 24), f32([33, 1, 3, 3], 25), f32([33], 26)], { group: 33, pads: [1, 1, 1, 1], strides: [2, 2], activation: 'Clip', activation_params: [0, 6] }, { dw: '3x3 s2 relu6' });
    same('FusedConv', [f32([1, 45, 30, 31], 27), f32([45, 1, 5, 5], 28), undefined], { group: 45, pads: [4, 4, 4, 4], dilations: [2, 2], activation: 'Sigmoid' }, { dw: '5x5 d2 sigmoid' });
  }, 60_000);
});

describe('SIMD convs over a batch on two threads', () => {
  const simd = SimdGemm.create();

  /** Two threads (the worker took parts) vs this thread's engine alone: the same bits. */
  function sameSimd(op: OpName, inputs: Input[], raw: RawAttrs, what: string): void {
    const one = run(op, inputs, raw, undefined, simd!), before = pool.helperParts;
    const two = run(op, inputs, raw, pool, simd!);
    expect(pool.helperParts - before, `${what}: the worker took part`).toBeGreaterThan(0);
    expect(one.y.some((v) => Number.isNaN(v)), `${what}: one thread wrote every output`).toBe(false);
    const diff = one.y.findIndex((v, i) => !Object.is(v, two.y[i]));
    expect(diff, `${what}: first output that differs (one thread ${one.y[diff]}, two ${two.y[diff]})`).toBe(-1);
  }

  it.skipIf(!simd)('pointwise: whole images (6 images of 14x14) and column parts of each (2 images of 40x40), grouped, as batched products', () => {
    sameSimd('FusedConv', [f32([6, 128, 14, 14], 31), f32([192, 128, 1, 1], 32), f32([192], 33)], { activation: 'Clip', activation_params: [0, 6] }, '1x1, 6 images, relu6');
    sameSimd('Conv', [f32([2, 64, 40, 40], 34), f32([128, 64, 1, 1], 35), undefined], {}, '1x1, 2 images, no bias');
    sameSimd('Conv', [f32([6, 64, 40, 40], 36), f32([128, 32, 1, 1], 37), f32([128], 38)], { group: 2 }, '1x1, 6 images, 2 groups');
  }, 60_000);

  it('pointwise over a batch on the JavaScript tier: each image too small to split, the batch split, the same bits', () => {
    // Per image 102K and 410K multiply-adds (under the 512K split threshold); 614K and 819K a batch.
    for (const [shape, M, what] of [[[6, 32, 10, 10], 32, '6 images'], [[2, 40, 10, 16], 64, '2 images, column parts']] as const) {
      const inputs: Input[] = [f32([...shape], 61), f32([M, shape[1], 1, 1], 62), f32([M], 63)], raw = { activation: 'Relu' };
      const one = run('FusedConv', inputs, raw, undefined), before = pool.helperParts, two = run('FusedConv', inputs, raw, pool);
      expect(pool.helperParts - before, `${what}: the worker took part`).toBeGreaterThan(0);
      expect(one.y.some((v) => Number.isNaN(v)), `${what}: one thread wrote every output`).toBe(false);
      const diff = one.y.findIndex((v, i) => !Object.is(v, two.y[i]));
      expect(diff, `${what}: first output that differs (one thread ${one.y[diff]}, two ${two.y[diff]})`).toBe(-1);
    }
  }, 60_000);

  it.skipIf(!simd)('QMatMul int8 x int8 on the engine: chunks of row pairs (37 rows: an unpaired last row; 643 channels: a short last block)', () => {
    const w = qWeight('int8', [768, 643], 1, 71);
    sameSimd('QMatMul', [f32([37, 768], 72), { packed: w }, f32([643], 73)], { input_quant: 'int8', activation: 'Gelu' }, 'int8 37 rows, gelu');
    sameSimd('QMatMul', [f32([64, 768], 74), { packed: w }, undefined], { input_quant: 'int8' }, 'int8 64 rows, same weight (kept)');
  }, 60_000);

  it.skipIf(!simd)('depthwise 3x3: chunks of planes across images, stride 1 and 2', () => {
    sameSimd('Conv', [f32([4, 96, 40, 40], 41), f32([96, 1, 3, 3], 42), f32([96], 43)], { group: 96, pads: [1, 1, 1, 1] }, 'depthwise s1');
    sameSimd('FusedConv', [f32([8, 96, 60, 61], 44), f32([96, 1, 3, 3], 45), f32([96], 46)], { group: 96, pads: [1, 1, 1, 1], strides: [2, 2], activation: 'Clip', activation_params: [0, 6] }, 'depthwise s2 relu6');
  }, 60_000);

  it.skipIf(!simd)('im2col: whole images per thread, each with its own patch tile (3x3 stride 2; grouped)', () => {
    sameSimd('FusedConv', [f32([6, 3, 128, 128], 51), f32([32, 3, 3, 3], 52), f32([32], 53)], { pads: [1, 1, 1, 1], strides: [2, 2], activation: 'Clip', activation_params: [0, 6] }, 'im2col s2 relu6');
    sameSimd('Conv', [f32([8, 16, 32, 32], 54), f32([32, 8, 3, 3], 55), f32([32], 56)], { group: 2, pads: [1, 1, 1, 1] }, 'im2col, 2 groups');
  }, 60_000);
});
