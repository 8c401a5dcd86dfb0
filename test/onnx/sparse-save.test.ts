import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor } from '../../src/index.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { expectClose, randomFloats, RUNS } from '../util/numerics.js';

/** A MatMul whose weight has `zeros` of its [K, N] elements set to zero (seeded positions). */
function model(K: number, N: number, zeros: number, seed: number) {
  const w = randomFloats(K * N, seed);
  const order = Array.from(w.keys()).sort((a, b) => Math.sin(a * 12.9898 + seed) - Math.sin(b * 12.9898 + seed));
  for (const i of order.slice(0, Math.ceil(zeros * K * N))) w[i] = 0;
  const b = new GraphBuilder('sparse-save');
  const x = b.input('x', 'float32', [2, K]);
  b.output(b.matmul(x, b.constant(new Tensor('float32', [K, N], w), 'w')), 'y');
  return { graph: b.build(), w };
}

describe('saveOnnx sparseInitializers', () => {
  it('writes zero-heavy weights as sparse_initializer that load back exactly, and smaller', () => {
    fc.assert(fc.property(fc.integer({ min: 16, max: 48 }), fc.integer({ min: 16, max: 48 }), fc.double({ min: 0.75, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (K, N, zeros, seed) => {
      const { graph, w } = model(K, N, zeros, seed);
      const dense = saveOnnx(graph), sparse = saveOnnx(graph, { sparseInitializers: 0.7 });
      expect(sparse.length).toBeLessThan(dense.length);
      expect(Array.from((loadOnnx(sparse).initializers.get('w') as Tensor).data as Float32Array)).toEqual(Array.from(w));
    }), { numRuns: RUNS });
  });

  it('keeps weights below the threshold dense', () => {
    const { graph } = model(16, 16, 0.5, 3);
    expect(saveOnnx(graph, { sparseInitializers: 0.7 })).toEqual(saveOnnx(graph));
  });

  it('gives files onnxruntime runs with the same outputs', async () => {
    const { graph } = model(64, 48, 0.9, 5);
    const x = new Tensor('float32', [2, 64], randomFloats(128, 6));
    const o = await ort.InferenceSession.create(saveOnnx(graph, { sparseInitializers: 0.8 }));
    const theirs = (await o.run({ x: new ort.Tensor('float32', x.data as Float32Array, [2, 64]) })).y.data as Float32Array;
    await o.release();
    const ours = (await (await InferenceSession.create(graph)).run({ x })).y.data as Float32Array;
    expectClose(ours, theirs, 'sparse_initializer in onnxruntime', { k: 64 });
  });

  it('refuses a threshold where sparse storage would be larger', () => {
    const { graph } = model(8, 8, 0.9, 1);
    expect(() => saveOnnx(graph, { sparseInitializers: 0.5 })).toThrow(/sparseInitializers must be a zero fraction in \[0\.67, 1\].*got 0\.5/);
  });
});
