import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomFloats, RUNS } from '../util/numerics.js';
import { qMatMulRef } from '../reference/quant.js';
import { activationRef } from '../reference/gemm.js';
import { quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { Tensor } from '../../src/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { OpSchema } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import { tierName } from '../../kernels/cpu/tiers.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';
import { SimdParallel } from '../../src/runtime/cpu/simd-engine.js';

/**
 * QMatMul on the 'wasm-simd' tier (int8 weights, int8-dynamic inputs: qgemm-simd.ts). Its
 * integer sums are exact and equal the reference's; only the scaling is float32 (the reference
 * scales in float64), so each output is within four float32 roundings of the reference:
 * |y - want| <= 4 u (|want - bias| + |bias|), u = 2^-24, plus the rounding of the integer sum
 * to float32 when it passes 2^24 (K > 1040 at full int8 range).
 */
const simd = SimdGemm.create();
const U = 2 ** -24;

function run(M: number, K: number, N: number, s: number, bias: boolean, activation?: string) {
  const a = randomFloats(M * K, s, -3, 3);
  const w = quantizeInt8Weight(new Tensor('float32', [K, N], randomFloats(K * N, s + 1, -0.5, 0.5)), 1);
  const b = bias ? randomFloats(N, s + 2) : undefined;
  const schema = OPS.QMatMul as OpSchema<unknown>, attrs = schema.parse({ input_quant: 'int8', ...(activation ? { activation } : {}) });
  const kernel = CPU_KERNELS.QMatMul as CpuKernel<unknown, unknown>;
  const metas: KMeta[] = [{ dtype: 'float32', shape: [M, K] }, { dtype: 'float32', shape: [K, N], packed: w }, ...(b ? [{ dtype: 'float32' as const, shape: [N] }] : [])];
  const y: KTensor = { dtype: 'float32', shape: [M, N], data: new Float32Array(M * N) };
  const prepared = kernel.prepare!(attrs, metas, [y], { tiers: ['wasm-simd'] });
  expect(tierName(prepared)).toBe('wasm-simd');
  const scratch = new Float32Array(Math.ceil((kernel.scratchBytes?.(prepared, metas, [y]) ?? 0) / 4) + 2);
  const par = new SimdParallel(simd!);
  let calls = 0;
  const hook = par.q8gemm.bind(par);
  par.q8gemm = (...args) => { calls++; return hook(...args); };
  (kernel.run as (...x: unknown[]) => void)([{ dtype: 'float32', shape: [M, K], data: a }, { dtype: 'float32', shape: [K, N], data: new Float32Array(0) }, ...(b ? [{ dtype: 'float32', shape: [N], data: b }] : [])], prepared, [y], scratch, par);
  expect(calls, 'the engine ran the product').toBe(1);
  return { got: y.data as Float32Array, want: qMatMulRef(a, M, w, b, 'int8'), b };
}

function expectWithin(got: Float32Array, want: ArrayLike<number>, b: Float32Array | undefined, N: number, K: number, context: string, act?: (v: number) => number): void {
  for (let i = 0; i < got.length; i++) {
    const bias = b ? Math.abs(b[i % N]) : 0, prod = Math.abs(want[i] - (b ? b[i % N] : 0));
    const tol = 4 * U * (prod + bias) + (K > 1040 ? U * prod : 0) + 1e-30;
    const w = act ? act(want[i]) : want[i];
    if (!(Math.abs(got[i] - w) <= tol)) throw new Error(`${context}: element ${i} got ${got[i]}, want ${w} (tolerance ${tol})`);
  }
}

describe.skipIf(!simd)('QMatMul int8 x int8 on the WebAssembly SIMD engine', () => {
  it('matches the reference at tile edges (rows % 2, channels % 4, K % 8)', () => {
    for (const [M, K, N] of [[1, 1, 1], [1, 5, 3], [2, 8, 4], [3, 13, 6], [5, 64, 9], [17, 100, 13], [4, 1100, 5]]) {
      for (const bias of [false, true]) {
        const { got, want, b } = run(M, K, N, M * 31 + K + N, bias);
        expectWithin(got, want, b, N, K, `${M}x${K}x${N} bias ${bias}`);
      }
    }
  });

  it('matches the reference on random shapes (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 140 }), fc.integer({ min: 1, max: 13 }), fc.boolean(), fc.integer({ min: 1, max: 1 << 20 }), (M, K, N, bias, s) => {
      const { got, want, b } = run(M, K, N, s, bias);
      expectWithin(got, want, b, N, K, JSON.stringify({ M, K, N, bias, s }));
    }), { numRuns: RUNS });
  });

  it('applies the fused activation after the bias', () => {
    const { got, want, b } = run(5, 40, 6, 3, true, 'Relu');
    expectWithin(got, want, b, 6, 40, 'relu', (v) => activationRef(v, { kind: 'relu' }));
  });
});

describe.skipIf(!simd)('quantized models on the wasm-simd tier', () => {
  const maxRel = (a: Float32Array, b: Float32Array) => {
    let scale = 0, err = 0;
    for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
    return err / scale;
  };

  it('runs a quantized convnet and transformer like the JavaScript integer kernels', async () => {
    const { InferenceSession, models, quantize } = await import('../../src/index.js');
    const conv = models.mobilenetV2({ width: 0.35, resolution: 64 }), bert = models.distilbert({ layers: 2, hidden: 64, heads: 4, ffn: 128, vocab: 50, maxPositions: 32, seed: 2 });
    const cases = [
      { g: quantize(conv, { weights: 'int8' }), feeds: { [conv.inputs[0].name]: new Tensor('float32', [2, 3, 64, 64], randomFloats(2 * 3 * 64 * 64, 5)) } },
      { g: quantize(conv, { weights: 'int4', groupSize: 32 }), feeds: { [conv.inputs[0].name]: new Tensor('float32', [1, 3, 64, 64], randomFloats(3 * 64 * 64, 6)) } },
      { g: quantize(bert, { weights: 'int8', activations: 'int8-dynamic' }), feeds: { input_ids: new Tensor('int64', [1, 24], BigInt64Array.from({ length: 24 }, (_, i) => BigInt((i * 7) % 50))), attention_mask: new Tensor('int64', [1, 24], new BigInt64Array(24).fill(1n)) } },
    ];
    for (const [i, { g, feeds }] of cases.entries()) {
      const fast = await InferenceSession.create(g, { threads: 1 }), slow = await InferenceSession.create(g, { threads: 1, simd: false });
      const a = Object.values(await fast.run(feeds))[0].data as Float32Array, b = Object.values(await slow.run(feeds))[0].data as Float32Array;
      expect(maxRel(a, b), `case ${i}`).toBeLessThan(1e-4);
      expect(Array.from(a), `case ${i}: the SIMD tier ran`).not.toEqual(Array.from(b));
    }
  });
});
