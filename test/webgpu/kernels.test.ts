import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor } from '../../src/tensor.js';
import { WebGpuBackend } from '../../src/runtime/webgpu/backend.js';
import { checkOp, floats, ints, openGpu, REQUIRED } from './harness.js';

/**
 * Every WGSL kernel against the CPU kernel on random inputs (shapes with 0, 1, primes and sizes
 * off every tile and vec4 width). Runs on whatever adapter Dawn finds: on CI a CPU Vulkan driver.
 */
const gpu = await openGpu('kernels.test');
const RUNS = Number(process.env.FC_RUNS_WEBGPU ?? 10);
const backend = gpu.handle ? await WebGpuBackend.create({ device: gpu.handle.device }) : undefined;
afterAll(() => {
  if (backend) console.log(`[kernels.test] ${backend.pipelineCount} pipelines compiled`);
  backend?.dispose();
  gpu.handle?.release();
});

const small = (max: number) => fc.oneof(fc.constantFrom(1, 2, 3, 5, 7, 13).filter((d) => d <= max), fc.integer({ min: 1, max }));
const any = (max: number) => fc.oneof(fc.constant(0), small(max));
const seed = fc.integer({ min: 1, max: 1 << 30 });
const prop = <T>(arb: fc.Arbitrary<T>, f: (v: T) => Promise<void>) => fc.assert(fc.asyncProperty(arb, f), { numRuns: RUNS });

if (REQUIRED && !gpu.handle) it('has a WebGPU adapter (REQUIRE_WEBGPU=1)', () => { throw new Error(`no WebGPU adapter: ${gpu.reason}`); });

describe.skipIf(!backend)('WebGPU kernels vs CPU kernels', () => {
  const b = () => backend!;

  it('MatMul: batched with broadcasting, vec4 and scalar paths, weights as constants', () => prop(
    fc.record({ M: any(70), K: any(40), N: any(70), ba: fc.constantFrom([], [2], [3, 1], [1]), bb: fc.constantFrom([], [2], [1, 3], [3]), constB: fc.boolean(), seed }),
    async ({ M, K, N, ba, bb, constB, seed: s }) => {
      if (constB && bb.length) bb = [];
      // Only batch shapes that broadcast ([2] against [3] is an error case, tested on the CPU side).
      const r = Math.max(ba.length, bb.length);
      fc.pre([...Array(r).keys()].every((i) => { const x = ba[ba.length - r + i] ?? 1, y = bb[bb.length - r + i] ?? 1; return x === y || x === 1 || y === 1; }));
      await checkOp(b(), 'MatMul', [{ tensor: floats([...ba, M, K], s) }, { tensor: floats([...bb, K, N], s + 1), constant: constB }], {}, { k: K, atol: 1e-5, rtol: 1e-5 }, { M, K, N, ba, bb });
    }));

  it('MatMul: 1-D operands and multiples of 4 (vec4 loads)', () => prop(
    fc.record({ M: fc.integer({ min: 1, max: 20 }).map((x) => 4 * x), K: fc.integer({ min: 1, max: 12 }).map((x) => 4 * x), N: fc.integer({ min: 1, max: 20 }).map((x) => 4 * x), oneD: fc.constantFrom('none', 'a', 'b'), seed }),
    async ({ M, K, N, oneD, seed: s }) => {
      const a = oneD === 'a' ? [K] : [M, K], bs = oneD === 'b' ? [K] : [K, N];
      await checkOp(b(), 'MatMul', [{ tensor: floats(a, s) }, { tensor: floats(bs, s + 1) }], {}, { k: K }, { oneD });
    }));

  it('FusedMatMul: bias and activation epilogues', () => prop(
    // Shapes off every tile and vec4 width, so each activation is one pipeline.
    fc.record({ M: fc.constantFrom(1, 5, 13, 31), K: fc.constantFrom(1, 7, 33), N: fc.constantFrom(3, 9, 29), act: fc.constantFrom('Relu', 'Sigmoid', 'SiLU', 'Gelu', 'GeluTanh', 'Clip'), seed }),
    async ({ M, K, N, act, seed: s }) => {
      const attrs: Record<string, string | number[]> = act === 'Clip' ? { activation: act, activation_params: [-0.3, 0.5] } : { activation: act };
      await checkOp(b(), 'FusedMatMul', [{ tensor: floats([2, M, K], s) }, { tensor: floats([K, N], s + 1), constant: true }, { tensor: floats([N], s + 2), constant: true }], attrs, { k: K, atol: 2e-5, rtol: 2e-5 }, {});
    }));

  it('Gemm: transposes, alpha, beta, broadcast C', () => prop(
    fc.record({ M: any(50), K: any(30), N: small(50), transA: fc.integer({ min: 0, max: 1 }), transB: fc.integer({ min: 0, max: 1 }), alpha: fc.constantFrom(1, 0.5, -2), beta: fc.constantFrom(1, 0, 0.25), c: fc.constantFrom('none', 'mn', 'n', 'm1', 'scalar'), seed }),
    async ({ M, K, N, transA, transB, alpha, beta, c, seed: s }) => {
      const cShape = { none: undefined, mn: [M, N], n: [N], m1: [M, 1], scalar: [1] }[c];
      await checkOp(b(), 'Gemm', [
        { tensor: floats(transA ? [K, M] : [M, K], s) }, { tensor: floats(transB ? [N, K] : [K, N], s + 1), constant: true },
        cShape ? { tensor: floats(cShape, s + 2), constant: true } : undefined,
      ], { transA, transB, alpha, beta }, { k: K }, { c });
    }));

  it('Conv: implicit GEMM with strides, pads, dilations, groups, bias; 1x1 pointwise', () => prop(
    fc.record({
      N: small(2), Cg: small(5), group: fc.constantFrom(1, 1, 2), Mg: small(9), H: small(11), W: small(11), k: fc.constantFrom(1, 2, 3),
      s: fc.constantFrom(1, 2), d: fc.constantFrom(1, 1, 2), p: fc.constantFrom(0, 1, 2), bias: fc.boolean(), seed,
    }),
    async ({ N, Cg, group, Mg, H, W, k, s, d, p, bias, seed: sd }) => {
      const C = Cg * group, M = Mg * group, span = (k - 1) * d + 1;
      if (H + 2 * p < span || W + 2 * p < span) return;
      await checkOp(b(), 'Conv', [
        { tensor: floats([N, C, H, W], sd) }, { tensor: floats([M, Cg, k, k], sd + 1), constant: true },
        bias ? { tensor: floats([M], sd + 2), constant: true } : undefined,
      ], { strides: [s, s], dilations: [d, d], pads: [p, p, p, p], group }, { k: Cg * k * k }, {});
    }));

  it('FusedConv: depthwise (with channel multiplier) and activations; SAME padding; 1-D', () => prop(
    fc.record({ C: small(9), mult: fc.constantFrom(1, 1, 2), H: small(12), k: fc.constantFrom(3, 3, 5), s: fc.constantFrom(1, 2), act: fc.constantFrom('Relu', 'Clip', 'Sigmoid', 'SiLU', 'Gelu'), oneD: fc.boolean(), seed }),
    async ({ C, mult, H, k, s, act, oneD, seed: sd }) => {
      const x = oneD ? [1, C, H] : [2, C, H, H + 1], w = oneD ? [C * mult, 1, k] : [C * mult, 1, k, k];
      const attrs = { group: C, strides: oneD ? [s] : [s, s], auto_pad: 'SAME_UPPER', activation: act, ...(act === 'Clip' ? { activation_params: [0, 6] } : {}) };
      await checkOp(b(), 'FusedConv', [{ tensor: floats(x, sd, -3, 3) }, { tensor: floats(w, sd + 1), constant: true }, { tensor: floats([C * mult], sd + 2), constant: true }], attrs, { k: k * k }, {});
    }));

  it('AveragePool / MaxPool: pads, ceil mode, count_include_pad, dilations', () => prop(
    fc.record({ op: fc.constantFrom('AveragePool', 'MaxPool') as fc.Arbitrary<'AveragePool' | 'MaxPool'>, H: small(10), W: small(10), k: fc.constantFrom(1, 2, 3), s: fc.constantFrom(1, 2, 3), p: fc.constantFrom(0, 1), ceil: fc.integer({ min: 0, max: 1 }), cip: fc.integer({ min: 0, max: 1 }), seed }),
    async ({ op, H, W, k, s, p, ceil, cip, seed: sd }) => {
      if (H + 2 * p < k || W + 2 * p < k || p >= k) return;
      const attrs = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], ceil_mode: ceil, ...(op === 'AveragePool' ? { count_include_pad: cip } : {}) };
      await checkOp(b(), op, [{ tensor: floats([2, 3, H, W], sd) }], attrs, { k: k * k }, {});
    }));

  it('GlobalAveragePool / GlobalMaxPool', () => prop(
    fc.record({ N: any(3), C: small(9), H: small(20), W: small(20), avg: fc.boolean(), seed }),
    async ({ N, C, H, W, avg, seed: sd }) => {
      await checkOp(b(), avg ? 'GlobalAveragePool' : 'GlobalMaxPool', [{ tensor: floats([N, C, H, W], sd) }], {}, { k: H * W }, {});
    }));

  it('binary ops with broadcasting, float and integer', () => prop(
    fc.record({
      op: fc.constantFrom<('Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min' | 'Equal' | 'Less' | 'Greater')[]>('Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Less', 'Greater'),
      shapes: fc.constantFrom([[3, 4], [3, 4]], [[2, 3, 5], [5]], [[2, 1, 5], [3, 1]], [[1], [7, 2]], [[4, 1, 3, 1], [2, 1, 6]], [[0, 3], [3]], [[6], []]),
      int: fc.boolean(), seed,
    }),
    async ({ op, shapes, int, seed: sd }) => {
      if (int && op === 'Pow') return;
      const mk = (s: number[], k: number) => (int ? ints('int32', s, -9, 9, sd + k) : op === 'Pow' && k === 0 ? floats(s, sd, 0.1, 2) : floats(s, sd + k, -2, 2));
      const a = mk([...shapes[0]], 0), bb = mk([...shapes[1]], 1);
      if (int && op === 'Div') (bb.data as Int32Array).forEach((v, i, arr) => { if (v === 0) arr[i] = 3; });
      await checkOp(b(), op, [{ tensor: a }, { tensor: bb, constant: sd % 2 === 0 }], {}, { atol: 1e-5, rtol: 1e-5 }, { int });
    }));

  it('And / Or / Not on bool, Equal on int64', async () => {
    const x = new Tensor('bool', [2, 3], [1, 0, 1, 0, 0, 1]), y = new Tensor('bool', [3], [1, 1, 0]);
    await checkOp(b(), 'And', [{ tensor: x }, { tensor: y }], {}, {}, {});
    await checkOp(b(), 'Or', [{ tensor: x }, { tensor: y }], {}, {}, {});
    await checkOp(b(), 'Not', [{ tensor: x }], {}, {}, {});
    await checkOp(b(), 'Equal', [{ tensor: ints('int64', [2, 5], 0, 3) }, { tensor: ints('int64', [1, 5], 0, 3) }], {}, {}, {});
  });

  it('unary ops, Gelu, Clip', () => prop(
    fc.record({ op: fc.constantFrom('Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Softplus', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Gelu', 'GeluTanh', 'Clip') as fc.Arbitrary<string>, n: any(300), seed }),
    async ({ op, n, seed: sd }) => {
      const positive = op === 'Sqrt' || op === 'Log' || op === 'Reciprocal';
      const x = floats([n], sd, positive ? 0.1 : -6, positive ? 4 : 6);
      if (op === 'GeluTanh') return checkOp(b(), 'Gelu', [{ tensor: x }], { approximate: 'tanh' }, { atol: 1e-5, rtol: 1e-5 }, {});
      if (op === 'Clip') return checkOp(b(), 'Clip', [{ tensor: x }, { tensor: new Tensor('float32', [], [-1.5]), constant: true }, { tensor: new Tensor('float32', [], [2]), constant: true }], {}, {}, {});
      return checkOp(b(), op as 'Relu', [{ tensor: x }], {}, { atol: 1e-5, rtol: 1e-5 }, {});
    }));

  it('Where with three-way broadcasting', () => prop(
    fc.record({ shapes: fc.constantFrom([[2, 3], [2, 3], [2, 3]], [[1, 1, 4], [3, 1], [2, 3, 4]], [[5], [], [2, 5]]), seed }),
    async ({ shapes, seed: sd }) => {
      const c = new Tensor('bool', [...shapes[0]], Array.from(ints('int32', [...shapes[0]], 0, 1, sd).data as Int32Array));
      await checkOp(b(), 'Where', [{ tensor: c }, { tensor: floats([...shapes[1]], sd + 1) }, { tensor: floats([...shapes[2]], sd + 2), constant: true }], {}, {}, {});
    }));

  it('Softmax over any axis', () => prop(
    fc.record({ shape: fc.constantFrom([7], [3, 129], [2, 3, 5], [4, 1, 6], [2, 300]), axis: fc.integer({ min: -1, max: 2 }), seed }),
    async ({ shape, axis, seed: sd }) => {
      if (axis >= shape.length) axis = -1;
      await checkOp(b(), 'Softmax', [{ tensor: floats([...shape], sd, -5, 5) }], { axis }, { atol: 1e-6, rtol: 1e-5 }, {});
    }));

  it('LayerNormalization with and without bias, with Mean/InvStdDev outputs', () => prop(
    fc.record({ rows: any(9), d: small(200), bias: fc.boolean(), stats: fc.boolean(), seed }),
    async ({ rows, d, bias, stats, seed: sd }) => {
      await checkOp(b(), 'LayerNormalization', [
        { tensor: floats([rows, d], sd, -3, 5) }, { tensor: floats([d], sd + 1), constant: true }, bias ? { tensor: floats([d], sd + 2), constant: true } : undefined,
      ], { epsilon: 1e-5 }, { atol: 1e-5, rtol: 1e-4, k: 1 }, {}, stats ? 3 : 1);
    }));

  it('Gather along any axis, negative indices', () => prop(
    fc.record({ shape: fc.constantFrom([10, 4], [3, 7, 2], [5]), axis: fc.integer({ min: 0, max: 2 }), ind: fc.constantFrom([3], [2, 2], []), seed }),
    async ({ shape, axis, ind, seed: sd }) => {
      if (axis >= shape.length) axis = 0;
      const d = shape[axis];
      await checkOp(b(), 'Gather', [{ tensor: floats([...shape], sd), constant: true }, { tensor: ints('int64', [...ind], -d, d - 1, sd + 1) }], { axis }, {}, {});
    }));

  it('Transpose: arbitrary permutations up to rank 5', () => prop(
    fc.record({ shape: fc.constantFrom([2, 3], [2, 3, 4], [1, 3, 1, 5], [2, 3, 2, 2, 3], [4, 1]), seed, k: fc.integer({ min: 0, max: 1000 }) }),
    async ({ shape, seed: sd, k }) => {
      const perm = shape.map((_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) { const j = (k * 7 + i * 13) % (i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
      await checkOp(b(), 'Transpose', [{ tensor: floats([...shape], sd) }], { perm }, {}, { perm });
    }));

  it('Slice with constant bounds (negative steps, clamping), Expand, Concat', () => prop(
    fc.record({ case: fc.integer({ min: 0, max: 3 }), seed }),
    async ({ case: c, seed: sd }) => {
      const i64 = (v: number[]) => ({ tensor: new Tensor('int64', [v.length], v.map(BigInt)), constant: true });
      const x = floats([5, 7, 3], sd);
      const slices = [[[1, 0], [4, 100], [0, 1], [1, 2]], [[-1], [-6], [1], [-2]], [[0, 0, 2], [5, 7, -4], [0, 1, 2], [2, 3, -1]], [[2], [2], [0], [1]]];
      const [st, en, ax, sp] = slices[c];
      await checkOp(b(), 'Slice', [{ tensor: x }, i64(st), i64(en), i64(ax), i64(sp)], {}, {}, { c });
      const e = [[[3, 1], [2, 3, 4]], [[1], [2, 5]], [[4, 1, 2], [4, 3, 2]], [[2, 1, 1], [2, 0, 3]]][c];
      await checkOp(b(), 'Expand', [{ tensor: floats(e[0], sd + 1) }, i64(e[1])], {}, {}, { c });
      const parts = [[[2, 3], [4, 3]], [[3, 1, 2], [3, 4, 2], [3, 0, 2]], [[5], [1]], [[2, 2, 2], [2, 2, 2]]][c];
      const axis = [0, 1, 0, -1][c];
      await checkOp(b(), 'Concat', parts.map((p, i) => ({ tensor: floats(p, sd + 10 + i), constant: i === 1 })), { axis }, {}, { c });
    }));

  it('Cast: ints and bools to float, anything to bool, int32 <-> int64; float -> int falls back', async () => {
    const TO = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
    const i = ints('int32', [3, 4], -50, 50), l = ints('int64', [6], -3, 3), f = new Tensor('float32', [5], [0, -0.5, 2, 0, 1e-30]);
    const bools = new Tensor('bool', [4], [1, 0, 0, 1]);
    await checkOp(b(), 'Cast', [{ tensor: i }], { to: TO.FLOAT }, {}, {});
    await checkOp(b(), 'Cast', [{ tensor: l }], { to: TO.FLOAT }, {}, {});
    await checkOp(b(), 'Cast', [{ tensor: l }], { to: TO.INT32 }, {}, {});
    await checkOp(b(), 'Cast', [{ tensor: i }], { to: TO.INT64 }, {}, {});
    await checkOp(b(), 'Cast', [{ tensor: f }], { to: TO.BOOL }, {}, {});
    await checkOp(b(), 'Cast', [{ tensor: bools }], { to: TO.FLOAT }, {}, {});
    await expect(checkOp(b(), 'Cast', [{ tensor: f }], { to: TO.INT32 }, {}, {})).rejects.toThrow(/fell back to the CPU/);
  });
});

describe.skipIf(!backend)('WebGPU executor', () => {
  it('keeps one pipeline per distinct spec and reuses it', async () => {
    const before = backend!.pipelineCount;
    await checkOp(backend!, 'Relu', [{ tensor: floats([17]) }], {}, {}, {});
    const mid = backend!.pipelineCount;
    await checkOp(backend!, 'Relu', [{ tensor: floats([33]) }], {}, {}, {});
    expect(backend!.pipelineCount).toBe(mid);
    expect(mid).toBeGreaterThanOrEqual(before);
  });
});
