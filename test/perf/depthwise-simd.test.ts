import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OPS } from '../../src/ops/index.js';
import type { OpSchema, RawAttrs } from '../../src/ops/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, KTensor } from '../../kernels/types.js';
import { tierName } from '../../kernels/cpu/tiers.js';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';
import { SimdParallel } from '../../src/runtime/cpu/simd-engine.js';
import { expectClose, randomFloats, RUNS, seed as seedArb } from '../util/numerics.js';
import { convRef, type RefActivation } from '../reference/conv.js';
import { ref } from '../reference/tensor.js';

/**
 * The WebAssembly SIMD depthwise 3x3 kernel (depthwise-simd.ts) reads a zero-padded copy of each
 * plane, stride 2 split into even and odd columns, 4 outputs per f32x4: the edges are tiny images
 * (whole image in the pad), widths around a multiple of 4 (the last vector half past OW), odd
 * widths (the last stride-2 window ending on the pad), every pad combination, batches (the
 * plane's channel is nc % C). Each runs through the Conv kernel planned on the 'wasm-simd'
 * tier, as a session runs it, against the float64 reference with the JavaScript kernel's
 * tolerance.
 */
const simd = SimdGemm.create();

interface Case { C: number; H: number; W: number; s: number; pads: number[]; bias?: boolean; act?: RefActivation; N?: number }

function check(c: Case, seed: number): void {
  const { C, H, W, s, pads, N = 1 } = c;
  const xs = [N, C, H, W], ws = [C, 1, 3, 3];
  const X = randomFloats(N * C * H * W, seed), Wt = randomFloats(C * 9, seed + 1), B = randomFloats(C, seed + 2);
  const attrs: RawAttrs = { group: C, kernel_shape: [3, 3], strides: [s, s], dilations: [1, 1], pads };
  const a = c.act;
  const raw: RawAttrs = a ? { ...attrs, activation: a.kind === 'clip' ? 'Clip' : a.kind === 'relu' ? 'Relu' : 'Sigmoid', ...(a.kind === 'clip' ? { activation_params: [a.min!, a.max!] } : {}) } : attrs;
  const op = a ? 'FusedConv' : 'Conv', schema = OPS[op] as OpSchema<unknown>, parsed = schema.parse(raw);
  const inputs: KTensor[] = [{ dtype: 'float32', shape: xs, data: X }, { dtype: 'float32', shape: ws, data: Wt }];
  if (c.bias) inputs.push({ dtype: 'float32', shape: [C], data: B });
  const [t] = schema.infer(inputs.map((i) => ({ dtype: i.dtype, shape: i.shape.slice() })), parsed);
  const shape = t.shape as number[], y = new Float32Array(shape.reduce((p, q) => p * q, 1)).fill(Number.NaN);
  const metas: KMeta[] = inputs.map((i) => ({ dtype: i.dtype, shape: i.shape }));
  const outputs: KTensor[] = [{ dtype: 'float32', shape, data: y }];
  const kernel = CPU_KERNELS[op] as CpuKernel<unknown, unknown>;
  const prepared = kernel.prepare!(parsed, metas, outputs, { tiers: ['wasm-simd'] });
  expect(tierName(prepared), 'planned on the SIMD tier').toBe('wasm-simd');
  // Counts the engine's depthwise calls, so a silent fallback to the JavaScript kernel shows.
  const par = new SimdParallel(simd!), calls = { n: 0 };
  const counting = Object.assign(Object.create(par) as SimdParallel, {
    depthwise: (...args: Parameters<SimdParallel['depthwise']>) => { calls.n++; return par.depthwise(...args); },
  });
  (kernel.run as (...args: unknown[]) => void)(inputs, prepared, outputs, new Float32Array(Math.ceil((kernel.scratchBytes?.(prepared, metas, outputs) ?? 0) / 4)), counting);
  expect(calls.n).toBe(1);
  const want = convRef(ref(xs, X), ref(ws, Wt), c.bias ? ref([C], B) : undefined, { kernel: [3, 3], strides: [s, s], dilations: [1, 1], pads }, C, a);
  expectClose(y, want.data, { ...c, seed }, { k: 9 });
}

const relu6: RefActivation = { kind: 'clip', min: 0, max: 6 };
const clip: RefActivation = { kind: 'clip', min: -0.3, max: 0.4 };
const PADS = [0, 1].flatMap((t) => [0, 1].flatMap((l) => [0, 1].flatMap((b) => [0, 1].map((r) => [t, l, b, r]))));

describe.skipIf(!simd)('WebAssembly SIMD depthwise 3x3 vs float64 reference', () => {
  const cases: Case[] = [];
  // Every pad combination (asymmetric [0,0,1,1] among them) on tiny, odd and even images, both strides.
  for (const pads of PADS) {
    for (const [H, W] of [[1, 1], [2, 2], [3, 3], [1, 3], [3, 2], [5, 7], [6, 8], [4, 9]]) {
      if (H + pads[0] + pads[2] < 3 || W + pads[1] + pads[3] < 3) continue; // no window fits
      for (const s of [1, 2]) cases.push({ C: 2, H, W, s, pads, bias: (H + W + s) % 2 === 0, act: [relu6, undefined, clip][(H * W + s) % 3] });
    }
  }
  cases.push(
    { C: 3, H: 7, W: 9, s: 1, pads: [1, 1, 1, 1], bias: true, act: relu6, N: 3 },
    { C: 3, H: 8, W: 11, s: 2, pads: [1, 1, 1, 1], bias: true, act: relu6, N: 2 },
    { C: 2, H: 8, W: 6, s: 1, pads: [1, 1, 1, 1], bias: true, act: { kind: 'sigmoid' } },
    { C: 2, H: 9, W: 10, s: 2, pads: [0, 0, 1, 1], act: { kind: 'sigmoid' }, N: 2 },
    { C: 2, H: 5, W: 4, s: 1, pads: [0, 0, 0, 0], bias: true, act: { kind: 'relu' } },
    { C: 4, H: 14, W: 14, s: 2, pads: [0, 0, 1, 1], bias: true, act: relu6 },
    { C: 2, H: 17, W: 33, s: 1, pads: [1, 1, 1, 1], bias: true, act: clip },
  );
  it('at every pad combination, tiny/odd/even sizes, strides 1 and 2, batches, each epilogue', () => {
    for (const [i, c] of cases.entries()) check(c, 300 + i);
  });

  it('property: random 3x3 depthwise convs (sizes, strides, pads, batch, bias, activation)', () => {
    const acts: (RefActivation | undefined)[] = [undefined, { kind: 'relu' }, relu6, clip, { kind: 'sigmoid' }];
    fc.assert(fc.property(
      fc.record({ // C >= 2: one channel is an ordinary conv, not depthwise
        N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 2, max: 4 }), H: fc.integer({ min: 1, max: 13 }), W: fc.integer({ min: 1, max: 21 }),
        s: fc.constantFrom(1, 2), pads: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }),
        bias: fc.boolean(), act: fc.integer({ min: 0, max: acts.length - 1 }), seed: seedArb(),
      }),
      ({ seed, act, ...c }) => {
        fc.pre(c.H + c.pads[0] + c.pads[2] >= 3 && c.W + c.pads[1] + c.pads[3] >= 3);
        check({ ...c, act: acts[act] }, seed);
      },
    ), { numRuns: RUNS });
  });
});
