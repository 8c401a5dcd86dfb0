import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectClose, posDim, randomFloats, RUNS, seed } from '../util/numerics.js';
import { convRef, type RefActivation, type RefWindow } from '../reference/conv.js';
import { ref } from '../reference/tensor.js';
import { OPS } from '../../src/ops/index.js';
import type { ConvAttrs } from '../../src/ops/conv.js';
import type { RawAttrs, ValueType } from '../../src/ops/types.js';
import { conv, prepareConv, runConv } from '../../kernels/cpu/conv.js';
import type { KMeta } from '../../kernels/types.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
type AutoPad = NonNullable<RefWindow['autoPad']>;

/**
 * A random conv: 1-D or 2-D, grouped, strided, dilated, padded or auto-padded, in one of the three
 * kernel paths (im2col, depthwise, 1x1 pointwise). Spatial sizes are drawn so the window fits.
 */
const convCase = fc.record({
  rank: fc.constantFrom(1, 2),
  flavor: fc.constantFrom('general', 'general', 'depthwise', 'pointwise'),
  N: dim(3), group: fc.integer({ min: 1, max: 3 }), Cg: dim(5), Mg: dim(5),
  kernel: fc.array(posDim(4), { minLength: 2, maxLength: 2 }),
  strides: fc.array(posDim(3), { minLength: 2, maxLength: 2 }),
  dilations: fc.array(posDim(3), { minLength: 2, maxLength: 2 }),
  pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  extra: fc.array(dim(8), { minLength: 2, maxLength: 2 }),
  autoPad: fc.constantFrom<AutoPad>('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
  bias: fc.boolean(), constants: fc.boolean(), seed: seed(),
}).map((c) => {
  const r = c.rank;
  let { group, Cg, Mg, kernel, strides, dilations } = c;
  let pads = [...c.pads.slice(0, r), ...c.pads.slice(2, 2 + r)], autoPad = c.autoPad;
  kernel = kernel.slice(0, r); strides = strides.slice(0, r); dilations = dilations.slice(0, r);
  if (c.flavor === 'depthwise') { group = Math.max(2, Cg + 1); Cg = 1; Mg = 1; }
  if (c.flavor === 'pointwise') { kernel = kernel.map(() => 1); strides = strides.map(() => 1); pads = pads.map(() => 0); autoPad = 'NOTSET'; }
  const eff = autoPad === 'NOTSET' ? pads : pads.map(() => 0);
  const spatial = kernel.map((k, i) => Math.max(0, (k - 1) * dilations[i] + 1 - eff[i] - eff[i + r]) + c.extra[i]);
  return { ...c, group, C: Cg * group, M: Mg * group, Cg, kernel, strides, dilations, pads, autoPad, spatial };
});

function rawAttrs(c: { kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; autoPad: AutoPad; group: number }): RawAttrs {
  return { kernel_shape: c.kernel, strides: c.strides, dilations: c.dilations, group: c.group, auto_pad: c.autoPad, ...(c.autoPad === 'NOTSET' ? { pads: c.pads } : {}) };
}

describe('Conv vs float64 reference', () => {
  it('1-D and 2-D, grouped, depthwise and pointwise, all auto_pad modes', () => {
    fc.assert(fc.property(convCase, (c) => {
      const xs = [c.N, c.C, ...c.spatial], ws = [c.M, c.Cg, ...c.kernel];
      const X = randomFloats(size(xs), c.seed), W = randomFloats(size(ws), c.seed + 1), B = randomFloats(c.M, c.seed + 2);
      const inputs = [{ dtype: 'float32' as const, shape: xs, data: X }, { dtype: 'float32' as const, shape: ws, data: W }];
      if (c.bias) inputs.push({ dtype: 'float32', shape: [c.M], data: B });
      const [out] = runKernel('Conv', inputs, rawAttrs(c), { constants: c.constants ? [1, 2] : [] });
      const win: RefWindow = { kernel: c.kernel, strides: c.strides, dilations: c.dilations, pads: c.pads, autoPad: c.autoPad };
      const want = convRef(ref(xs, X), ref(ws, W), c.bias ? ref([c.M], B) : undefined, win, c.group);
      const ctx = { ...c, xs, ws };
      expect(out.shape).toEqual(want.shape);
      expectClose(out.data, want.data, ctx, { k: c.Cg * size(c.kernel) });
    }), { numRuns: RUNS });
  });

  it('kernel_shape may be omitted (taken from W); float16 computes like float32', () => {
    const xs = [1, 2, 5, 4], ws = [3, 2, 3, 2], X = randomFloats(size(xs), 1), W = randomFloats(size(ws), 2);
    const [out] = runKernel('Conv', [{ dtype: 'float16', shape: xs, data: X }, { dtype: 'float16', shape: ws, data: W }], { pads: [1, 0, 1, 1] });
    expect(out.dtype).toBe('float16');
    const win = { kernel: [3, 2], strides: [1, 1], dilations: [1, 1], pads: [1, 0, 1, 1] };
    expectClose(out.data, convRef(ref(xs, X), ref(ws, W), undefined, win, 1).data, { xs, ws }, { k: 12 });
  });

  it('im2col tiles that split output rows give the same result', () => {
    fc.assert(fc.property(convCase.filter((c) => c.flavor === 'general'), fc.integer({ min: 1, max: 7 }), (c, tile) => {
      const xs = [c.N, c.C, ...c.spatial], ws = [c.M, c.Cg, ...c.kernel];
      const X = randomFloats(size(xs), c.seed), W = randomFloats(size(ws), c.seed + 1);
      const attrs = OPS.Conv.parse(rawAttrs(c));
      const [yt] = OPS.Conv.infer([{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws }], attrs);
      const ys = yt.shape as number[];
      const plan = prepareConv(attrs, [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws }], [{ dtype: 'float32', shape: ys }]);
      if (plan.mode !== 'im2col') return;
      plan.tileP = Math.min(tile, Math.max(1, plan.P));
      const y = new Float32Array(size(ys));
      runConv(X, W, undefined, y, plan, new Float32Array(plan.K * plan.tileP));
      const win = { kernel: c.kernel, strides: c.strides, dilations: c.dilations, pads: c.pads, autoPad: c.autoPad };
      expectClose(y, convRef(ref(xs, X), ref(ws, W), undefined, win, c.group).data, { ...c, tile }, { k: c.Cg * size(c.kernel) });
    }), { numRuns: RUNS });
  });

  it('fused activation epilogue (attrs.activation, set by fusion, not by parse)', () => {
    const acts: RefActivation[] = [
      { kind: 'relu' }, { kind: 'clip', min: 0, max: 6 }, { kind: 'clip', min: -0.25, max: 0.5 }, { kind: 'clip', max: 0.1 },
      { kind: 'sigmoid' }, { kind: 'silu' }, { kind: 'gelu' },
    ];
    fc.assert(fc.property(convCase, fc.constantFrom(...acts), (c, act) => {
      const xs = [c.N, c.C, ...c.spatial], ws = [c.M, c.Cg, ...c.kernel];
      const X = randomFloats(size(xs), c.seed), W = randomFloats(size(ws), c.seed + 1), B = randomFloats(c.M, c.seed + 2);
      const parsed = OPS.Conv.parse(rawAttrs(c));
      expect(parsed.activation).toBeUndefined();
      const attrs: ConvAttrs = { ...parsed, activation: act };
      const types: ValueType[] = [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws }, { dtype: 'float32', shape: [c.M] }];
      const ys = OPS.Conv.infer(types, attrs)[0].shape as number[];
      const metas: KMeta[] = [{ dtype: 'float32', shape: xs }, { dtype: 'float32', shape: ws, data: W }, { dtype: 'float32', shape: [c.M], data: B }];
      const outMeta = [{ dtype: 'float32' as const, shape: ys }];
      const plan = conv.prepare!(attrs, metas, outMeta);
      expect(plan.act.kind).toBe(act.kind === 'clip' && act.min === 0 && act.max === 6 ? 'relu6' : act.kind);
      const y = new Float32Array(size(ys));
      conv.run([{ dtype: 'float32', shape: xs, data: X }, { dtype: 'float32', shape: ws, data: W }, { dtype: 'float32', shape: [c.M], data: B }],
        plan, [{ dtype: 'float32', shape: ys, data: y }], new Float32Array(Math.ceil(conv.scratchBytes!(plan, metas, outMeta) / 4)));
      const win = { kernel: c.kernel, strides: c.strides, dilations: c.dilations, pads: c.pads, autoPad: c.autoPad };
      const want = convRef(ref(xs, X), ref(ws, W), ref([c.M], B), win, c.group, act);
      expectClose(y, want.data, { ...c, act }, { k: c.Cg * size(c.kernel) });
    }), { numRuns: RUNS });
  });
});

describe('Conv schema', () => {
  const f = (shape: (number | string)[], dtype: ValueType['dtype'] = 'float32'): ValueType => ({ dtype, shape });
  const infer = (ins: (ValueType | undefined)[], raw: RawAttrs = {}) => OPS.Conv.infer(ins, OPS.Conv.parse(raw));

  it('normalises attributes at parse time', () => {
    expect(OPS.Conv.parse({ kernel_shape: [3, 3] })).toEqual({ autoPad: 'NOTSET', kernelShape: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 });
    expect(OPS.Conv.parse({ auto_pad: 'SAME_UPPER', pads: [1, 1, 1, 1] }).pads).toEqual([0, 0, 0, 0]);
    expect(OPS.Conv.parse({}).strides).toEqual([]);
  });

  it('rejects bad attributes with what was expected and what came', () => {
    expect(() => OPS.Conv.parse({ group: 0 })).toThrow(/'group' must be >= 1, got 0/);
    expect(() => OPS.Conv.parse({ auto_pad: 'SAME' })).toThrow(/'auto_pad' must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID, got 'SAME'/);
    expect(() => OPS.Conv.parse({ pads: [1, 1, 1] })).toThrow(/'pads' must have 2 values per spatial axis.*got 3/);
    expect(() => OPS.Conv.parse({ strides: [1, 0] })).toThrow(/'strides' values must be >= 1, got \[1, 0\]/);
    expect(() => OPS.Conv.parse({ dilations: [0] })).toThrow(/'dilations' values must be >= 1/);
    expect(() => OPS.Conv.parse({ pads: [0, -1] })).toThrow(/'pads' values must be >= 0/);
    expect(() => OPS.Conv.parse({ kernel_shape: [3, 3], strides: [2] })).toThrow(/kernel_shape gives 2, strides gives 1/);
  });

  it('infers output shapes, keeping symbols where it can', () => {
    expect(infer([f([1, 3, 224, 224]), f([32, 3, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1] })[0].shape).toEqual([1, 32, 112, 112]);
    expect(infer([f(['N', 8, 'h', 'w']), f([8, 1, 3, 3])], { group: 8, auto_pad: 'SAME_UPPER' })[0].shape).toEqual(['N', 8, 'h', 'w']);
    expect(infer([f(['N', 8, 'h', 7]), f([4, 8, 3, 3])], { strides: [2, 2] })[0].shape).toEqual(['N', 4, '?', 3]);
    expect(infer([f([2, 4, 10]), f([6, 2, 3])], { group: 2, dilations: [2] })[0].shape).toEqual([2, 6, 6]);
    expect(infer([f([1, 1, 7, 5]), f([1, 1, 2, 2])], { auto_pad: 'SAME_LOWER', strides: [3, 2] })[0].shape).toEqual([1, 1, 3, 3]);
  });

  it('rejects bad inputs naming what was expected and what came', () => {
    expect(() => infer([f([3, 8, 8]), f([4, 3, 3])].slice(0, 1))).toThrow(/input 1 \(W\) is required/);
    expect(() => infer([f([3, 8]), f([4, 3])])).toThrow(/X must have rank 3 \(N, C, W\) or 4 \(N, C, H, W\), got shape \[3, 8\]/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3])])).toThrow(/W must have rank 4 like X/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 2, 3, 3])])).toThrow(/X has C = 3 but W \[4, 2, 3, 3\] with group 1 expects C = W.shape\[1\] \* group = 2/);
    expect(() => infer([f([1, 4, 8, 8]), f([5, 2, 3, 3])], { group: 2 })).toThrow(/5 output channels, which group 2 does not divide/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3, 3]), f([5])])).toThrow(/B must have one value per output channel \(W.shape\[0\] = 4\), got shape \[5\]/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3, 3]), f([4, 1])])).toThrow(/B must have rank 1/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3, 3])], { kernel_shape: [3, 2] })).toThrow(/'kernel_shape' \[3, 2\] does not match W's spatial dims \[3, 3\]/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3, 3])], { strides: [1, 1, 1] })).toThrow(/'strides' has 3 values but input X \[1, 3, 8, 8\] has 2 spatial axes/);
    expect(() => infer([f([1, 3, 2, 8]), f([4, 3, 3, 3])])).toThrow(/window span 3 .* larger than the padded input 2/);
    expect(() => infer([f([1, 3, 8, 8], 'int32'), f([4, 3, 3, 3], 'int32')])).toThrow(/X must be float32 or float16, got int32/);
    expect(() => infer([f([1, 3, 8, 8]), f([4, 3, 3, 3], 'float16')])).toThrow(/W must have X's dtype float32, got float16/);
  });
});
