import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { CsrWeight } from '../../src/sparse/index.js';
import { FLOAT, graph, INT64, model, node, sparseTensor, tensorProto, valueInfo } from '../onnx/fixtures.js';
import { expectClose, randomFloats } from '../util/numerics.js';

describe('ONNX sparse_initializer', () => {
  it('a MatMul weight stored as a sparse initializer runs on the sparse kernel and agrees with onnxruntime', async () => {
    const [K, N] = [64, 48], dense = randomFloats(K * N, 3), keep = randomFloats(K * N, 4, 0, 1);
    const idx: number[] = [], vals: number[] = [];
    for (let i = 0; i < K * N; i++) if (keep[i] < 0.08) { idx.push(i); vals.push(dense[i]); }
    const sp = sparseTensor(tensorProto({ name: 'W', dims: [vals.length], dataType: FLOAT, floatData: vals }),
      tensorProto({ name: '', dims: [idx.length], dataType: INT64, int64Data: idx }), [K, N]);
    const bytes = model(graph({
      nodes: [node('MatMul', ['x', 'W'], ['y'])], sparse: [sp],
      inputs: [valueInfo('x', FLOAT, ['batch', K])], outputs: [valueInfo('y', FLOAT, ['batch', N])],
    }), { opset: 17 });
    const s = await InferenceSession.create(bytes);
    expect(s.graph.nodes.map((n) => n.op)).toEqual(['SparseMatMul']);
    const w = [...s.graph.initializers.values()].find((v) => v instanceof CsrWeight) as CsrWeight;
    expect(w.nnz).toBe(vals.length);
    const x = randomFloats(5 * K, 5);
    const ours = (await s.run({ x: new Tensor('float32', [5, K], x) })).y.data as Float32Array;
    const o = await ort.InferenceSession.create(bytes);
    const theirs = (await o.run({ x: new ort.Tensor('float32', x, [5, K]) })).y.data as Float32Array;
    await o.release();
    expectClose(ours, theirs, 'sparse initializer', { k: K });
  });
});
