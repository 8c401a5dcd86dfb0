import { describe, it } from 'vitest';
import { runKernel } from '../util/run-kernel.js';
import { expectClose, randomFloats } from '../util/numerics.js';
import { convRef, type RefActivation } from '../reference/conv.js';
import { ref } from '../reference/tensor.js';

/**
 * The depthwise kernel switches strategy by geometry: 3x3 stride 1 or 2 without dilation slides
 * a register window along rows whose window is inside X; rows crossing the top or bottom and
 * columns crossing the left or right take bounds-checked loops; other kernels, strides and
 * dilations take the generic loop. Each case sits on one of those edges (tiny images, where
 * every row is an edge; odd widths, where the last stride-2 window ends on the pad; no pads)
 * and is checked against the float64 reference with the fused bias and activation.
 */
interface Case { C: number; H: number; W: number; k: number; s: number; d?: number; pads: number[]; bias?: boolean; act?: RefActivation; N?: number }

function check(c: Case, seed: number): void {
  const { C, H, W, k, s, d = 1, pads, N = 1 } = c;
  const xs = [N, C, H, W], ws = [C, 1, k, k];
  const X = randomFloats(N * C * H * W, seed), Wt = randomFloats(C * k * k, seed + 1), B = randomFloats(C, seed + 2);
  const activation = c.act?.kind === 'clip' ? { kind: 'clip', min: c.act.min, max: c.act.max } : c.act;
  const attrs = { group: C, kernel_shape: [k, k], strides: [s, s], dilations: [d, d], pads };
  const inputs = [{ dtype: 'float32' as const, shape: xs, data: X }, { dtype: 'float32' as const, shape: ws, data: Wt }];
  if (c.bias) inputs.push({ dtype: 'float32', shape: [C], data: B });
  const raw = activation ? { ...attrs, activation: activation.kind === 'clip' ? 'Clip' : activation.kind === 'relu' ? 'Relu' : 'Sigmoid', ...(activation.kind === 'clip' ? { activation_params: [activation.min!, activation.max!] } : {}) } : attrs;
  const [y] = runKernel(activation ? 'FusedConv' : 'Conv', inputs, raw, { constants: [1, 2] });
  const want = convRef(ref(xs, X), ref(ws, Wt), c.bias ? ref([C], B) : undefined, { kernel: [k, k], strides: [s, s], dilations: [d, d], pads }, C, c.act);
  expectClose(y.data as Float32Array, want.data, { ...c, seed }, { k: k * k });
}

const relu6: RefActivation = { kind: 'clip', min: 0, max: 6 };
const cases: Case[] = [
  // sliding 3x3, stride 1 and 2, MobileNet padding; widths where the interior is empty, one column, odd
  { C: 3, H: 7, W: 9, k: 3, s: 1, pads: [1, 1, 1, 1], bias: true, act: relu6 },
  { C: 2, H: 8, W: 11, k: 3, s: 2, pads: [1, 1, 1, 1], bias: true, act: relu6 },
  { C: 2, H: 9, W: 10, k: 3, s: 2, pads: [1, 1, 1, 1], bias: true },
  { C: 2, H: 3, W: 3, k: 3, s: 1, pads: [1, 1, 1, 1], act: { kind: 'relu' } },
  { C: 2, H: 8, W: 6, k: 3, s: 1, pads: [1, 1, 1, 1], bias: true, act: { kind: 'sigmoid' } }, // interior rows 1..6 in pairs
  { C: 2, H: 2, W: 2, k: 3, s: 2, pads: [1, 1, 1, 1], bias: true },
  { C: 1, H: 1, W: 1, k: 3, s: 1, pads: [1, 1, 1, 1], bias: true },
  { C: 2, H: 5, W: 4, k: 3, s: 1, pads: [0, 0, 0, 0], bias: true, act: { kind: 'sigmoid' } },
  { C: 2, H: 6, W: 7, k: 3, s: 2, pads: [0, 1, 1, 0], bias: true, N: 2 },
  // generic paths: dilation, other kernel sizes and strides
  { C: 2, H: 9, W: 9, k: 3, s: 1, d: 2, pads: [2, 2, 2, 2], bias: true, act: relu6 },
  { C: 3, H: 10, W: 9, k: 5, s: 1, pads: [2, 2, 2, 2], bias: true },
  { C: 2, H: 9, W: 10, k: 3, s: 3, pads: [1, 1, 1, 1], act: { kind: 'sigmoid' } },
  { C: 2, H: 6, W: 5, k: 1, s: 1, pads: [0, 0, 0, 0], bias: true },
];

describe('depthwise conv fast paths vs float64 reference at strategy switches', () => {
  for (const [i, c] of cases.entries()) {
    it(`C${c.C} ${c.H}x${c.W} k${c.k} s${c.s}${c.d ? ` d${c.d}` : ''} pads ${c.pads.join(',')}${c.act ? ` ${c.act.kind}` : ''}`, () => check(c, 100 + i));
  }
});
