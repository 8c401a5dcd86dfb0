import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { OPS } from '../../src/ops/index.js';
import type { OpSchema, RawAttrs } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import { tierName } from '../../kernels/cpu/tiers.js';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';
import { SimdParallel } from '../../src/runtime/cpu/simd-engine.js';
import { InferenceSession, Tensor } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { prune } from '../../src/sparse/index.js';
import { CsrWeight } from '../../src/sparse/formats/csr.js';
import { BsrWeight } from '../../src/sparse/formats/bsr.js';
import { expectClose, randomFloats, RUNS, seed } from '../util/numerics.js';
import { sparseConvRef, sparseMatMulRef } from '../reference/sparse.js';
import type { RefActivation } from '../reference/gemm.js';

/**
 * The WebAssembly SIMD CSR SpMM (spmm-simd.ts) behind SparseConv on the 'wasm-simd' tier: 16
 * pixels per block, X rows padded to whole blocks, so the edges are pixel counts around 16
 * (1, 3, 15, 16, 17, 49), output channels with no nonzeros, every epilogue, batches. Each runs
 * as a session runs it (planned on the tier, the engine handed to run()) against the float64
 * reference with the JavaScript kernel's tolerance (kernels.test.ts: k = C), and counts the
 * engine's calls so a silent fallback to the JavaScript kernel fails.
 */
const simd = SimdGemm.create();

interface Case { N: number; C: number; M: number; P: number; sp: number; bias: boolean; act: RawAttrs; emptyRows?: boolean }

const ACTS: RawAttrs[] = [{}, { activation: 'Relu' }, { activation: 'Clip', activation_params: [0, 6] }, { activation: 'Clip', activation_params: [0, 0.3] },
  { activation: 'Clip', activation_params: [-0.5, 0.25] }, { activation: 'Sigmoid' }];
const actRef = (raw: RawAttrs): RefActivation | undefined => {
  const a = raw.activation as string | undefined, p = raw.activation_params as number[] | undefined;
  return !a ? undefined : a === 'Clip' ? { kind: 'clip', min: p![0], max: p![1] } : { kind: a.toLowerCase() } as RefActivation;
};

/** Dense [M, C] with about `sp` zeros; with `emptyRows` every third output channel has none at all. */
function weight(M: number, C: number, sp: number, s: number, emptyRows: boolean): Float32Array {
  const w = randomFloats(M * C, s), r = randomFloats(M * C, s + 7, 0, 1);
  for (let i = 0; i < w.length; i++) if (r[i] < sp || (emptyRows && Math.floor(i / C) % 3 === 0)) w[i] = 0;
  return w;
}

function check(c: Case, s: number, format: 'csr' | 'bsr' = 'csr'): { tier: string; calls: number } {
  const { N, C, M, P, bias, act } = c, wd = weight(M, C, c.sp, s, !!c.emptyRows);
  const wt = new Tensor('float32', [M, C, 1, 1], wd);
  const packed = format === 'csr' ? CsrWeight.fromDense(wt, 0) : BsrWeight.fromDense(wt, 0, [1, 4]);
  const x = randomFloats(N * C * P, s + 1), b = bias ? randomFloats(M, s + 2) : undefined;
  const schema = OPS.SparseConv as OpSchema<unknown>, attrs = schema.parse(act);
  const xs = [N, C, P, 1], ys = [N, M, P, 1], y = new Float32Array(N * M * P).fill(Number.NaN);
  const metas: KMeta[] = [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: [M, C, 1, 1], packed }, ...(b ? [{ dtype: 'float32' as const, shape: [M] }] : [])];
  const outputs: KTensor[] = [{ dtype: 'float32', shape: ys, data: y }];
  const k = CPU_KERNELS.SparseConv as CpuKernel<unknown, unknown>;
  const prepared = k.prepare!(attrs, metas, outputs, { tiers: ['wasm-simd'] });
  const par = new SimdParallel(simd!), calls = { n: 0 };
  const counting = Object.assign(Object.create(par) as SimdParallel, {
    spmm: (...args: Parameters<SimdParallel['spmm']>) => { const r = par.spmm(...args); if (r) calls.n++; return r; },
  });
  const inputs: KTensor[] = [{ dtype: 'float32', shape: xs, data: x }, { dtype: 'float32', shape: [M, C, 1, 1], data: new Float32Array(0) }, ...(b ? [{ dtype: 'float32' as const, shape: [M], data: b }] : [])];
  (k.run as (...a: unknown[]) => void)(inputs, prepared, outputs, new Float32Array(Math.ceil((k.scratchBytes?.(prepared, metas, outputs) ?? 0) / 4)), counting);
  expectClose(y, sparseConvRef(x, N, C, P, wd, M, b, actRef(act)), { ...c, s, format }, { k: C });
  return { tier: tierName(prepared), calls: calls.n };
}

describe.skipIf(!simd)('WebAssembly SIMD CSR SpMM (SparseConv) vs float64 reference', () => {
  it('pixel counts around the 16-lane block, empty channels, each epilogue, bias or not, batches', () => {
    let i = 0;
    for (const P of [1, 3, 15, 16, 17, 49]) {
      for (const [N, emptyRows] of [[1, false], [3, true]] as const) {
        const c: Case = { N, C: 13, M: 11, P, sp: 0.7, bias: (P + N) % 2 === 0, act: ACTS[i % ACTS.length], emptyRows };
        const r = check(c, 500 + i++);
        expect(r.tier, 'planned on the SIMD tier').toBe('wasm-simd');
        expect(r.calls, 'one engine call per image').toBe(N);
      }
    }
    // Every epilogue at an off-block size, and a weight with no nonzeros at all (act(bias) everywhere).
    for (const act of ACTS) check({ N: 2, C: 9, M: 6, P: 23, sp: 0.5, bias: true, act }, 600 + i++);
    check({ N: 1, C: 5, M: 7, P: 33, sp: 1, bias: true, act: { activation: 'Relu' } }, 700);
  });

  it('leaves BSR weights to the JavaScript tier', () => {
    const r = check({ N: 1, C: 8, M: 8, P: 20, sp: 0.5, bias: true, act: {} }, 800, 'bsr');
    expect(r).toEqual({ tier: 'js', calls: 0 });
  });

  it('matches the reference on random shapes, sparsities and epilogues', () => {
    fc.assert(fc.property(
      fc.record({ N: fc.constantFrom(1, 2), C: fc.integer({ min: 0, max: 40 }), M: fc.integer({ min: 0, max: 24 }), P: fc.integer({ min: 1, max: 70 }),
        sp: fc.constantFrom(0, 0.5, 0.9, 0.99, 1), bias: fc.boolean(), act: fc.constantFrom(...ACTS), s: seed() }),
      ({ s, ...c }) => { check(c, s); }), { numRuns: Math.min(RUNS, 40) });
  });
});

/** SparseMatMul on the tier: A's rows become the lanes (transposed in, 256 rows a pass), Y transposed back out. */
function checkMatMul(M: number, K: number, N: number, sp: number, bias: boolean, act: RawAttrs, s: number): { tier: string; calls: number } {
  const wnk = weight(N, K, sp, s, true), a = randomFloats(M * K, s + 1), b = bias ? randomFloats(N, s + 2) : undefined;
  const packed = new CsrWeight([K, N], 1, ...csrArrays(CsrWeight.fromDense(new Tensor('float32', [N, K], wnk), 0)));
  const wkn = Float32Array.from({ length: K * N }, (_, i) => wnk[(i % N) * K + Math.floor(i / N)]);
  const schema = OPS.SparseMatMul as OpSchema<unknown>, attrs = schema.parse(act), y = new Float32Array(M * N).fill(Number.NaN);
  const metas: KMeta[] = [{ dtype: 'float32', shape: [M, K] }, { dtype: 'float32', shape: [K, N], packed }, ...(b ? [{ dtype: 'float32' as const, shape: [N] }] : [])];
  const outputs: KTensor[] = [{ dtype: 'float32', shape: [M, N], data: y }];
  const k = CPU_KERNELS.SparseMatMul as CpuKernel<unknown, unknown>, prepared = k.prepare!(attrs, metas, outputs, { tiers: ['wasm-simd'] });
  const par = new SimdParallel(simd!), calls = { n: 0 };
  const counting = Object.assign(Object.create(par) as SimdParallel, {
    spmmRows: (...args: Parameters<SimdParallel['spmmRows']>) => { const r = par.spmmRows(...args); if (r) calls.n++; return r; },
  });
  const inputs: KTensor[] = [{ dtype: 'float32', shape: [M, K], data: a }, { dtype: 'float32', shape: [K, N], data: new Float32Array(0) }, ...(b ? [{ dtype: 'float32' as const, shape: [N], data: b }] : [])];
  (k.run as (...args: unknown[]) => void)(inputs, prepared, outputs, new Float32Array(Math.ceil((k.scratchBytes?.(prepared, metas, outputs) ?? 0) / 4)).fill(Number.NaN), counting);
  expectClose(y, sparseMatMulRef(a, M, K, wkn, N, b, actRef(act)), { M, K, N, sp, bias, act, s }, { k: K });
  return { tier: tierName(prepared), calls: calls.n };
}
const csrArrays = (w: CsrWeight) => [w.rowPtr, w.colIndex, w.values] as const;

describe.skipIf(!simd)('WebAssembly SIMD CSR SpMM (SparseMatMul) vs float64 reference', () => {
  it('rows around the 16-lane block and the 256-row pass, empty output channels, each epilogue', () => {
    let i = 0;
    for (const M of [2, 3, 15, 16, 17, 49, 300]) {
      const r = checkMatMul(M, 21, 19, 0.7, M % 2 === 0, ACTS[i % ACTS.length], 900 + i++);
      expect(r).toEqual({ tier: 'wasm-simd', calls: 1 });
    }
    // One row reads A in place on the JavaScript core, on the same tier.
    expect(checkMatMul(1, 21, 19, 0.7, true, { activation: 'Relu' }, 950)).toEqual({ tier: 'wasm-simd', calls: 0 });
  });

  it('matches the reference on random shapes, sparsities and epilogues', () => {
    fc.assert(fc.property(
      fc.record({ M: fc.integer({ min: 2, max: 40 }), K: fc.integer({ min: 0, max: 40 }), N: fc.integer({ min: 0, max: 24 }),
        sp: fc.constantFrom(0, 0.5, 0.9, 1), bias: fc.boolean(), act: fc.constantFrom(...ACTS), s: seed() }),
      ({ M, K, N, sp, bias, act, s }) => { checkMatMul(M, K, N, sp, bias, act, s); }), { numRuns: Math.min(RUNS, 30) });
  });
});

describe.skipIf(!simd)('pruned MobileNetV2 with the SIMD SpMM', () => {
  afterEach(() => { vi.restoreAllMocks(); });
  it('gives the JavaScript tier\'s outputs (simd: false) to the sparse tests\' tolerance, its sparse convs on the engine', async () => {
    const g = prune(models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 4 }), { sparsity: 0.9 });
    const spy = vi.spyOn(SimdParallel.prototype, 'spmm');
    const fast = await InferenceSession.create(g, { threads: 1 });
    const sparse = fast.graph.nodes.filter((n) => n.op === 'SparseConv').length;
    expect(sparse).toBeGreaterThanOrEqual(30);
    const x = { input: new Tensor('float32', [2, 3, 32, 32], randomFloats(6144, 8, -1.7, 1.7)) };
    const got = (await fast.run(x)).logits.data as Float32Array;
    const calls = spy.mock.results.filter((r) => r.value === true).length;
    expect(calls, 'every sparse conv of every image on the engine').toBeGreaterThanOrEqual(2 * sparse);
    const want = (await (await InferenceSession.create(g, { threads: 1, simd: false })).run(x)).logits.data as Float32Array;
    expectClose(got, want, 'mobilenetV2 90%, simd vs js', { k: 1000, atol: 1e-4, rtol: 1e-3 });
  });
});
