import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Graph, type Initializer } from '../../src/graph/graph.js';
import { models } from '../../src/models/index.js';
import { quantize } from '../../src/quant/index.js';
import { quantizeInt8Weight } from '../../src/quant/formats/int8.js';
import { quantizeInt4Weight } from '../../src/quant/formats/int4.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { WebGpuBackend } from '../../src/runtime/webgpu/backend.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../util/numerics.js';
import { floats, ints, openGpu, relErr, REQUIRED, runBoth } from './harness.js';

/**
 * The dequantizing kernels (QMatMul, QConv, QGather) read int8/int4 weights as quantize() packs
 * them; compared with the CPU's quantized kernels on the same packed weights, and both quantized
 * models end to end.
 */
const gpu = await openGpu('quant.test');
const backend = gpu.handle ? await WebGpuBackend.create({ device: gpu.handle.device }) : undefined;
afterAll(() => { backend?.dispose(); gpu.handle?.release(); });
const RUNS = Number(process.env.FC_RUNS_WEBGPU ?? 10);

if (REQUIRED && !gpu.handle) it('has a WebGPU adapter (REQUIRE_WEBGPU=1)', () => { throw new Error(`no WebGPU adapter: ${gpu.reason}`); });

function packed(format: 'int8' | 'int4', shape: number[], axis: 0 | 1, seed: number, G: 32 | 64 | 128 = 32) {
  const w = floats(shape, seed, -0.5, 0.5);
  return format === 'int8' ? quantizeInt8Weight(w, axis) : quantizeInt4Weight(w, axis, G);
}

/** One quantized node: input 0 a graph input, input 1 the packed weight, input 2 (when given) a constant bias. */
function qGraph(op: 'QMatMul' | 'QGather' | 'QConv', x: Tensor, w: Initializer, attrs: Record<string, string | number[] | number>, bias?: Tensor, outShape?: number[]): Graph {
  outShape ??= op === 'QMatMul' ? [...x.shape.slice(0, -1), w.shape[1]] : [...x.shape, w.shape[1]];
  const init = new Map<string, Initializer>([['w', w], ...(bias ? [['bias', bias] as [string, Initializer]] : [])]);
  return new Graph({
    inputs: [{ name: 'in0', dtype: x.dtype, shape: x.shape.slice() }],
    outputs: [{ name: 'out0', dtype: 'float32', shape: outShape }],
    nodes: [{ name: 'node', op, domain: 'tessera', inputs: op === 'QGather' ? ['w', 'in0'] : ['in0', 'w', ...(bias ? ['bias'] : [])], outputs: ['out0'], attrs }],
    initializers: init,
  });
}

describe.skipIf(!backend)('quantized kernels vs CPU', () => {
  it('QMatMul: int8 and int4 (all group sizes) weights, float or int8 inputs, bias, activation', () => fc.assert(fc.asyncProperty(
    fc.record({
      M: fc.constantFrom(1, 3, 17), K: fc.constantFrom(5, 32, 67, 128), N: fc.constantFrom(1, 6, 40),
      format: fc.constantFrom('int8' as const, 'int4' as const), G: fc.constantFrom(32 as const, 64 as const, 128 as const),
      iq: fc.constantFrom('none', 'int8'), bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 20 }),
    }),
    async ({ M, K, N, format, G, iq, bias, seed }) => {
      const x = floats([2, M, K], seed, -2, 2), w = packed(format, [K, N], 1, seed + 1, G), b = bias ? floats([N], seed + 2) : undefined;
      const g = qGraph('QMatMul', x, w, { input_quant: iq, ...(bias ? { activation: 'Relu' } : {}) }, b);
      const { cpu, gpu: out, cpuNodes } = await runBoth(backend!, g, [{ tensor: x }]);
      expect(cpuNodes).toBe(0);
      expectClose(out[0].data as Float32Array, cpu[0].data as Float32Array, { M, K, N, format, G, iq, bias, seed }, { k: K, atol: 1e-5, rtol: 1e-4 });
    }), { numRuns: RUNS }));

  it('QConv: implicit GEMM and depthwise, int8/int4 weights, float or per-pixel int8 inputs', () => fc.assert(fc.asyncProperty(
    fc.record({
      C: fc.constantFrom(3, 8) as fc.Arbitrary<number>, M: fc.constantFrom(5, 16) as fc.Arbitrary<number>, HW: fc.constantFrom(5, 9), k: fc.constantFrom(1, 3), s: fc.constantFrom(1, 2),
      depthwise: fc.boolean(), format: fc.constantFrom('int8' as const, 'int4' as const), iq: fc.constantFrom('none', 'int8'), seed: fc.integer({ min: 1, max: 1 << 20 }),
    }),
    async ({ C, M, HW, k, s, depthwise, format, iq, seed }) => {
      if (depthwise) M = C;
      const group = depthwise ? C : 1, p = (k - 1) >> 1, out = Math.floor((HW + 2 * p - k) / s) + 1;
      const x = floats([2, C, HW, HW], seed, -2, 2), w = packed(format, [M, C / group, k, k], 0, seed + 1), b = floats([M], seed + 2);
      const attrs = { group, strides: [s, s], pads: [p, p, p, p], kernel_shape: [k, k], input_quant: iq, activation: 'Relu' };
      const g = qGraph('QConv', x, w, attrs, b, [2, M, out, out]);
      const { cpu, gpu: o, cpuNodes } = await runBoth(backend!, g, [{ tensor: x }]);
      expect(cpuNodes).toBe(0);
      expectClose(o[0].data as Float32Array, cpu[0].data as Float32Array, { C, M, HW, k, s, depthwise, format, iq, seed }, { k: (C / group) * k * k, atol: 1e-5, rtol: 1e-4 });
    }), { numRuns: RUNS }));

  it('QGather: int8 and int4 embedding rows, negative indices', async () => {
    for (const format of ['int8', 'int4'] as const) {
      const w = packed(format, [20, 48], 0, 3);
      const ids = ints('int64', [2, 5], -20, 19, 4);
      const { cpu, gpu: out, cpuNodes } = await runBoth(backend!, qGraph('QGather', ids, w, {}), [{ tensor: ids }]);
      expect(cpuNodes).toBe(0);
      expectClose(out[0].data as Float32Array, cpu[0].data as Float32Array, { format }, {});
    }
  });

  // One format per model keeps the pipelines compiled here bounded; the kernel tests above cover both formats on both op kinds.
  it('quantized MobileNetV2 (int8 weights, int8 dynamic inputs) matches the CPU within 1e-3 with no fallback', { timeout: 240_000 }, async () => {
    const g = models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 3 });
    const feeds = { [g.inputs[0].name]: floats([1, 3, 32, 32], 8) };
    const q = quantize(g, { weights: 'int8' });
    const lines: string[] = [];
    const cpu = await InferenceSession.create(q), web = await InferenceSession.create(q, { backend: 'webgpu', webgpu: { device: gpu.handle!.device }, debug: (l) => lines.push(l) });
    const [a, b] = [await cpu.run(feeds), await web.run(feeds)];
    web.dispose();
    expect(lines.filter((l) => l.includes('falls back'))).toEqual([]);
    const name = cpu.outputNames[0];
    expect(relErr(b[name].data as Float32Array, a[name].data as Float32Array)).toBeLessThanOrEqual(1e-3);
  });

  it('quantized DistilBERT (int4 weights, group 32, float inputs) matches the CPU within 1e-3 with no fallback', { timeout: 240_000 }, async () => {
    const g = models.distilbert({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 64, seed: 5 });
    const feeds = { input_ids: ints('int64', [1, 9], 0, 99, 9), attention_mask: new Tensor('int64', [1, 9], new BigInt64Array(9).fill(1n)) };
    const q = quantize(g, { weights: 'int4', groupSize: 32 });
    const lines: string[] = [];
    const cpu = await InferenceSession.create(q), web = await InferenceSession.create(q, { backend: 'webgpu', webgpu: { device: gpu.handle!.device }, debug: (l) => lines.push(l) });
    const [a, b] = [await cpu.run(feeds), await web.run(feeds)];
    web.dispose();
    expect(lines.filter((l) => l.includes('falls back'))).toEqual([]);
    expect(relErr(b.last_hidden_state.data as Float32Array, a.last_hidden_state.data as Float32Array)).toBeLessThanOrEqual(1e-3);
  });
});
