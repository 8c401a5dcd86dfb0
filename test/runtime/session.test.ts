import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor } from '../../src/index.js';

function addRelu() {
  const b = new GraphBuilder('add-relu');
  const x = b.input('x', 'float32', ['batch', 3]);
  const y = b.input('y', 'float32', ['batch', 3]);
  b.output(b.relu(b.add(x, y)), 'out');
  return b.build();
}

describe('InferenceSession', () => {
  it('runs a graph and reports names', async () => {
    const s = await InferenceSession.create(addRelu());
    expect(s.inputNames).toEqual(['x', 'y']);
    expect(s.outputNames).toEqual(['out']);
    const out = await s.run({ x: new Tensor('float32', [2, 3], [1, -2, 3, -4, 5, -6]), y: new Tensor('float32', [2, 3], [1, 1, 1, 1, 1, 1]) });
    expect(Array.from(out.out.data as Float32Array)).toEqual([2, 0, 4, 0, 6, 0]);
    expect(out.out.shape).toEqual([2, 3]);
  });

  it('compiles one plan per shape signature and keeps results independent across runs', async () => {
    const s = await InferenceSession.create(addRelu());
    const a = await s.run({ x: new Tensor('float32', [1, 3], [1, 2, 3]), y: new Tensor('float32', [1, 3], [0, 0, 0]) });
    const b = await s.run({ x: new Tensor('float32', [4, 3]), y: new Tensor('float32', [4, 3], new Float32Array(12).fill(1)) });
    expect(Array.from(a.out.data as Float32Array)).toEqual([1, 2, 3]);
    expect(b.out.shape).toEqual([4, 3]);
    expect(Array.from(b.out.data as Float32Array)).toEqual(new Array(12).fill(1));
  });

  it('concurrent runs on one session do not interfere', async () => {
    const s = await InferenceSession.create(addRelu());
    const runs = Array.from({ length: 20 }, (_, i) => s.run({ x: new Tensor('float32', [1, 3], [i, i, i]), y: new Tensor('float32', [1, 3], [1, 1, 1]) }));
    const outs = await Promise.all(runs);
    outs.forEach((o, i) => expect(Array.from(o.out.data as Float32Array)).toEqual([i + 1, i + 1, i + 1]));
  });

  describe('feed validation happens before any kernel runs', () => {
    const x = new Tensor('float32', [2, 3]);
    it('missing input', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x })).rejects.toThrow(/missing input 'y' \(float32 \[batch, 3\]\)/);
    });
    it('unknown input', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: x, z: x })).rejects.toThrow(/unknown input 'z'; the model's inputs are 'x', 'y'/);
    });
    it('wrong dtype', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: new Tensor('int32', [2, 3]) })).rejects.toThrow(/input 'y' must be float32, got int32/);
    });
    it('wrong rank', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: new Tensor('float32', [6]) })).rejects.toThrow(/input 'y' must have rank 2 \(\[batch, 3\]\), got shape \[6\]/);
    });
    it('wrong fixed dimension', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: new Tensor('float32', [2, 4]) })).rejects.toThrow(/input 'y' dimension 1 must be 3, got 4/);
    });
    it('inconsistent symbolic dimension', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: new Tensor('float32', [5, 3]) })).rejects.toThrow(/input 'y' dimension 0 \('batch'\) is 5 but 'x' set 'batch' to 2/);
    });
    it('not a tensor', async () => {
      const s = await InferenceSession.create(addRelu());
      await expect(s.run({ x, y: [1, 2, 3] as never })).rejects.toThrow(/input 'y' must be a Tensor/);
    });
    it('after dispose', async () => {
      const s = await InferenceSession.create(addRelu());
      s.dispose();
      await expect(s.run({ x, y: x })).rejects.toThrow(/disposed/);
    });
  });

  it('int64 inputs and outputs convert at the edges', async () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', 'int64', [3]);
    b.output(b.add(ids, b.int64([10, 20, 30])), 'sum');
    const s = await InferenceSession.create(b.build());
    const out = await s.run({ ids: new Tensor('int64', [3], [1, 2, 3]) });
    expect(out.sum.data).toEqual(new BigInt64Array([11n, 22n, 33n]));
    await expect(s.run({ ids: new Tensor('int64', [3], [1n, 2n, 1n << 40n]) })).rejects.toThrow(/input 'ids': int64 value 1099511627776 at index 2/);
  });

  it('reports the arena against one buffer per intermediate', async () => {
    const b = new GraphBuilder();
    let v = b.input('x', 'float32', [1, 256]);
    for (let i = 0; i < 6; i++) v = b.relu(b.add(v, b.float(1)));
    b.output(v, 'y');
    const s = await InferenceSession.create(b.build());
    const stats = s.planStats({ x: [1, 256] });
    expect(stats.steps).toBe(12);
    expect(stats.naiveBytes).toBe(11 * 1024);
    expect(stats.arenaBytes).toBe(2 * 1024);
  });
});
