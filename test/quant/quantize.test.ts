import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph, PackedWeight } from '../../src/graph/graph.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { quantize, quantizeWithReport, QuantizeError, Int8Weight, Int4Weight } from '../../src/quant/index.js';
import { optimize } from '../../src/graph/passes/index.js';
import { evaluateOnCpu } from '../../src/runtime/cpu/evaluate.js';
import { randomFloats, randomInts } from '../util/numerics.js';
import { normalTensor } from './gen.js';

async function run(g: Graph, feeds: Record<string, Tensor>, optimizeGraph = true): Promise<Record<string, Tensor>> {
  const s = await InferenceSession.create(g, { optimize: optimizeGraph });
  try { return await s.run(feeds); } finally { s.dispose(); }
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

/** Gemm (transB, bias) -> Relu -> MatMul -> Add -> Gelu-as-erf -> Gemm (transB = 0, alpha, scalar C). */
function mlp(): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.input('x', 'float32', ['N', 96]);
  let h = b.relu(b.gemm(x, b.constant(normalTensor([64, 96], 1, 0.1), 'fc1.w'), b.constant(normalTensor([64], 2, 0.1), 'fc1.b'), { transB: 1 }));
  h = b.add(b.matmul(h, b.constant(normalTensor([64, 80], 3, 0.1), 'fc2.w')), b.constant(normalTensor([80], 4, 0.1), 'fc2.b'));
  h = b.mul(b.mul(h, b.add(b.erf(b.div(h, b.float(Math.SQRT2))), b.float(1))), b.float(0.5));
  b.output(b.gemm(h, b.constant(normalTensor([80, 10], 5, 0.1), 'head.w'), b.float(0.25, [], 'head.c'), { alpha: 0.5, beta: 2 }), 'y');
  return b.build();
}

/** Conv + BatchNorm + ReLU6 twice (the second depthwise), pool, flatten, Gemm classifier. */
function convnet(): Graph {
  const b = new GraphBuilder('convnet');
  const x = b.input('x', 'float32', [1, 3, 12, 12]);
  const bn = (v: ReturnType<typeof b.input>, c: number, s: number) => b.batchNorm(v, b.constant(new Tensor('float32', [c], randomFloats(c, s, 0.5, 1.5))),
    b.constant(new Tensor('float32', [c], randomFloats(c, s + 1, -0.1, 0.1))), b.constant(new Tensor('float32', [c], randomFloats(c, s + 2, -0.1, 0.1))),
    b.constant(new Tensor('float32', [c], randomFloats(c, s + 3, 0.5, 1.5))));
  let h = b.clip(bn(b.conv(x, b.constant(normalTensor([16, 3, 3, 3], 1, 0.2), 'conv1.w'), undefined, { pads: [1, 1, 1, 1], strides: [2, 2] }), 16, 10), 0, 6);
  h = b.clip(bn(b.conv(h, b.constant(normalTensor([16, 1, 3, 3], 2, 0.3), 'dw.w'), undefined, { pads: [1, 1, 1, 1], group: 16 }), 16, 20), 0, 6);
  h = b.conv(h, b.constant(normalTensor([40, 16, 1, 1], 3, 0.25), 'pw.w'), b.constant(normalTensor([40], 4, 0.1), 'pw.b'));
  h = b.flatten(b.globalAveragePool(h));
  b.output(b.gemm(h, b.constant(normalTensor([7, 40], 5, 0.2), 'fc.w'), b.constant(normalTensor([7], 6, 0.1), 'fc.b'), { transB: 1 }), 'logits');
  return b.build();
}

const ops = (g: Graph) => g.nodes.map((n) => n.op);

describe('quantize() on graphs', () => {
  it('turns Gemm/MatMul (after fusion) into QMatMul; outputs stay close to float32 for every mode', async () => {
    const g = mlp(), x = new Tensor('float32', [5, 96], randomFloats(5 * 96, 7, -2, 2));
    const want = (await run(g, { x })).y.data as Float32Array;
    for (const opts of [{ weights: 'int8' as const }, { weights: 'int8' as const, activations: 'float32' as const },
      { weights: 'int4' as const }, { weights: 'int4' as const, activations: 'int8-dynamic' as const }, { weights: 'int4' as const, groupSize: 64 as const }]) {
      const q = quantize(g, opts);
      expect(ops(q).filter((o) => o === 'QMatMul')).toHaveLength(3);
      expect(ops(q)).not.toContain('Gemm');
      expect(q.weightBytes).toBeLessThan(g.weightBytes * (opts.weights === 'int8' ? 0.3 : 0.25));
      const got = (await run(q, { x })).y.data as Float32Array;
      expect(cosine(got, want), JSON.stringify(opts)).toBeGreaterThan(opts.weights === 'int8' ? 0.999 : 0.99);
    }
    expect(ops(g)).toContain('Gemm'); // the input graph is untouched
  });

  it('folds BatchNorm first, quantizes convs (depthwise in float compute) and keeps the fused activations', async () => {
    const g = convnet(), x = new Tensor('float32', [1, 3, 12, 12], randomFloats(432, 3, -1, 1));
    const want = (await run(g, { x })).logits.data as Float32Array;
    const { graph: q, layers } = quantizeWithReport(g, { weights: 'int8' });
    expect(ops(q)).not.toContain('BatchNormalization');
    expect(q.nodes.filter((n) => n.op === 'QConv').map((n) => n.attrs.activation)).toEqual(['Clip', 'Clip', undefined]);
    expect(q.nodes.find((n) => n.attrs.group === 16)!.attrs.input_quant).toBe('none');
    expect(layers.map((l) => l.format)).toEqual(['int8', 'int8', 'int8', 'int8']);
    const got = (await run(q, { x })).logits.data as Float32Array;
    expect(cosine(got, want)).toBeGreaterThan(0.999);
  });

  it('quantizes Fused* nodes of an already optimized graph without optimizing again', async () => {
    const fused = optimize(convnet(), { evaluate: evaluateOnCpu });
    expect(ops(fused)).toContain('FusedConv');
    const q = quantize(fused, { weights: 'int4', optimize: false });
    expect(ops(q)).not.toContain('FusedConv');
    expect(q.nodes.filter((n) => n.op === 'QConv')).toHaveLength(3);
    const x = new Tensor('float32', [1, 3, 12, 12], randomFloats(432, 4, -1, 1));
    const a = (await run(fused, { x }, false)).logits.data, b = (await run(q, { x }, false)).logits.data;
    expect(cosine(a as Float32Array, b as Float32Array)).toBeGreaterThan(0.99);
  });

  it('int4 stores rows shorter than the group (first and depthwise convs) as int8 and says so', () => {
    const { graph: q, layers } = quantizeWithReport(convnet(), { weights: 'int4', groupSize: 32 });
    expect(layers.map((l) => l.format)).toEqual(['int8', 'int8', 'int8', 'int4']);
    expect(layers[0].note).toMatch(/K = 27 < group 32: stored int8/);
    expect([...q.initializers.values()].some((w) => w instanceof Int4Weight)).toBe(true);
  });

  it('keeps the first conv and the classifier in float on request, and honours skip()', () => {
    const { graph: q, layers } = quantizeWithReport(convnet(), { weights: 'int8', keepFirstConv: true, keepClassifier: true });
    expect(layers.filter((l) => l.format === 'float').map((l) => l.note)).toEqual(['keepFirstConv', 'keepClassifier']);
    expect(ops(q).filter((o) => o === 'QConv')).toHaveLength(2);
    const skipped = quantize(mlp(), { weights: 'int8', skip: (n) => n.op.endsWith('MatMul') });
    expect(ops(skipped).filter((o) => o === 'QMatMul')).toHaveLength(2);
  });

  it('keeps the first n weight layers in float with keepFirstLayers, and rejects a bad count', () => {
    const { layers } = quantizeWithReport(convnet(), { weights: 'int8', keepFirstLayers: 2 });
    expect(layers.map((l) => l.format)).toEqual(['float', 'float', 'int8', 'int8']);
    expect(layers[0].note).toBe('keepFirstLayers 2');
    expect(() => quantize(convnet(), { weights: 'int8', keepFirstLayers: -1 })).toThrow(/'keepFirstLayers' must be a whole number >= 0, got -1/);
    expect(() => quantize(convnet(), { weights: 'int8', keepFirstLayers: 1.5 })).toThrow(/'keepFirstLayers'/);
  });

  it('quantizes embedding tables read by Gather; rows come out dequantized exactly', async () => {
    const b = new GraphBuilder('emb');
    const ids = b.input('ids', 'int64', [2, 5]);
    const table = normalTensor([50, 40], 1, 0.5);
    b.output(b.gather(b.constant(table, 'emb'), ids), 'y');
    const g = b.build();
    for (const weights of ['int8', 'int4'] as const) {
      const q = quantize(g, { weights });
      expect(ops(q)).toEqual(['QGather']);
      const idData = Array.from(randomInts(10, 3, -50, 49));
      const y = (await run(q, { ids: new Tensor('int64', [2, 5], idData.map(BigInt)) })).y.data as Float32Array;
      const deq = ([...q.initializers.values()][0] as PackedWeight).dequantize().data;
      idData.forEach((id, j) => { const r = id < 0 ? id + 50 : id; expect(Array.from(y.subarray(j * 40, j * 40 + 40))).toEqual(Array.from(deq.subarray(r * 40, r * 40 + 40))); });
    }
    expect(ops(quantize(g, { weights: 'int8', embeddings: false }))).toEqual(['Gather']);
  });

  it('Gemm: C of shape [M, N] keeps the layer float, with the reason', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [4, 8]);
    b.output(b.gemm(x, b.constant(normalTensor([8, 3], 1), 'w'), b.constant(normalTensor([4, 3], 2), 'c')), 'y');
    const { graph: q, layers } = quantizeWithReport(b.build(), { weights: 'int8', optimize: false });
    expect(ops(q)).toEqual(['Gemm']);
    expect(layers[0]).toMatchObject({ format: 'float', note: 'C [4,3] is not one value per output column' });
  });

  it('rejects bad options and already-quantized graphs with clear errors', () => {
    const g = mlp();
    expect(() => quantize(g, { weights: 'int2' as 'int8' })).toThrow(/option 'weights' must be 'int8' or 'int4', got "int2"/);
    expect(() => quantize(g, { weights: 'int4', groupSize: 16 as 32 })).toThrow(/'groupSize' must be one of 32, 64, 128, got 16/);
    expect(() => quantize(g, { weights: 'int8', groupSize: 32 })).toThrow(/applies to int4 weights only/);
    expect(() => quantize(g, { weights: 'int8', activations: 'int4' as 'float32' })).toThrow(/'activations' must be 'auto', 'float32' or 'int8-dynamic', got "int4"/);
    expect(() => quantize(g, { weights: 'int8', group: 32 } as never)).toThrow(/unknown quantize option 'group'/);
    const q = quantize(g, { weights: 'int8' });
    expect(() => quantize(q, { weights: 'int4' })).toThrow(QuantizeError);
    expect(() => quantize(q, { weights: 'int4' })).toThrow(/already quantized: initializer '.*' is a packed int8 weight/);
    const b = new GraphBuilder('nan');
    const x = b.input('x', 'float32', [1, 2]);
    b.output(b.matmul(x, b.constant(new Tensor('float32', [2, 2], [1, Infinity, 0, 1]), 'w')), 'y');
    expect(() => quantize(b.build(), { weights: 'int8' })).toThrow(/weight 'w' of node '.*' \(MatMul\): value Infinity at flat index 1 is not finite/);
  });

  it('shares one packed weight between nodes reading the same initializer', () => {
    const b = new GraphBuilder('tied');
    const x = b.input('x', 'float32', [2, 16]), w = b.constant(normalTensor([16, 16], 1), 'w');
    b.output(b.matmul(b.matmul(x, w), w), 'y');
    const q = quantize(b.build(), { weights: 'int8', optimize: false });
    expect(q.initializers.size).toBe(1);
    expect([...q.initializers.values()][0]).toBeInstanceOf(Int8Weight);
  });

  it('GPTQ lowers a layer\'s output error on correlated inputs (int8 and int4), given enough calibration rows', async () => {
    const K = 64, N = 32, R = 256;
    const b = new GraphBuilder('one');
    b.output(b.matmul(b.input('x', 'float32', ['R', K]), b.constant(normalTensor([K, N], 1, 0.1), 'w')), 'y');
    const g = b.build();
    const mix = normalTensor([K, K], 2).data as Float32Array;
    const inputs = (seed: number) => { // x = z M: strongly correlated features
      const z = normalTensor([R, K], seed).data as Float32Array, x = new Float32Array(R * K);
      for (let r = 0; r < R; r++) for (let j = 0; j < K; j++) { let v = 0; for (let i = 0; i < K; i += 8) v += z[r * K + i] * mix[i * K + j]; x[r * K + j] = v; }
      return { x: new Tensor('float32', [R, K], x) };
    };
    const calibration = { feeds: [inputs(10), inputs(11)] }, test = inputs(99);
    const want = (await run(g, test)).y.data as Float32Array;
    const err = async (q: Graph) => {
      const y = (await run(q, test)).y.data as Float32Array;
      let e = 0, s = 0;
      for (let i = 0; i < y.length; i++) { e += (y[i] - want[i]) ** 2; s += want[i] ** 2; }
      return e / s;
    };
    for (const weights of ['int8', 'int4'] as const) {
      const rtn = await err(quantize(g, { weights, activations: 'float32' }));
      const gptq = await err(quantize(g, { weights, activations: 'float32', gptq: true, calibration }));
      expect(gptq, weights).toBeLessThan(rtn / 4);
    }
  });

  it('bias correction removes most of the mean output shift of weight rounding', async () => {
    const b = new GraphBuilder('shift');
    b.output(b.matmul(b.input('x', 'float32', ['R', 96]), b.constant(normalTensor([96, 16], 3, 0.1), 'w')), 'y');
    const g = b.build();
    // Inputs with a large common mean: rounding errors add up to a per-channel offset.
    const feed = (seed: number) => ({ x: new Tensor('float32', [64, 96], (normalTensor([64, 96], seed).data as Float32Array).map((v) => v + 3)) });
    const test = feed(50), want = (await run(g, test)).y.data as Float32Array;
    const meanShift = async (q: Graph) => {
      const y = (await run(q, test)).y.data as Float32Array;
      let worst = 0;
      for (let n = 0; n < 16; n++) { let d = 0; for (let r = 0; r < 64; r++) d += y[r * 16 + n] - want[r * 16 + n]; worst = Math.max(worst, Math.abs(d / 64)); }
      return worst;
    };
    const plain = await meanShift(quantize(g, { weights: 'int4', activations: 'float32' }));
    const corrected = await meanShift(quantize(g, { weights: 'int4', activations: 'float32', biasCorrection: true, calibration: { feeds: [feed(1), feed(2), feed(3)] } }));
    expect(corrected).toBeLessThan(plain / 3);
  });
});

