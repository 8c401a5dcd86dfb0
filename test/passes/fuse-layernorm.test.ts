import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Value } from '../../src/index.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

interface Form {
  axesInput?: boolean;     // opset 18: axes as input 1
  axes?: number[];
  square?: 'pow' | 'mul';
  gamma?: boolean;
  beta?: boolean;
  swap?: boolean;          // constant first in Add/Mul
  extraReader?: boolean;   // d also read by another node
  epsInput?: boolean;
  shape?: (number | string)[];
}

/** The PyTorch export of LayerNorm, decomposed. */
function decomposed(f: Form = {}) {
  const b = new GraphBuilder('ln', f.axesInput ? 18 : 17);
  const shape = f.shape ?? [2, 5, 8];
  const x = b.input('x', 'float32', shape);
  const axes = f.axes ?? [-1];
  const mean = (v: Value) => (f.axesInput ? b.op('ReduceMean', [v, b.int64(axes)]) : b.reduceMean(v, axes));
  const bin = (op: 'add' | 'mul', v: Value, c: Value) => (f.swap ? b[op](c, v) : b[op](v, c));
  const d = b.sub(x, mean(x));
  const sq = f.square === 'mul' ? b.mul(d, d) : b.pow(d, b.float(2));
  const eps = f.epsInput ? b.input('eps', 'float32', []) : b.float(1e-5, [], 'eps');
  let y = b.div(d, b.sqrt(bin('add', mean(sq), eps)));
  const n = typeof shape[shape.length - 1] === 'number' ? (shape[shape.length - 1] as number) : 8;
  const normSize = axes.length === 2 ? 5 * 8 : n;
  const pshape = axes.length === 2 ? [5, 8] : [n];
  if (f.gamma !== false) y = bin('mul', y, b.constant(rand([normSize], 1, 0.5, 1.5).reshape(pshape), 'gamma'));
  if (f.beta !== false) y = bin('add', y, b.constant(rand([normSize], 2).reshape(pshape), 'beta'));
  b.output(y, 'out');
  if (f.extraReader) b.output(b.relu(d), 'side');
  return b.build();
}

const DECOMPOSED = ['ReduceMean', 'Sub', 'Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Mul', 'Add'];
const feeds = (shape = [2, 5, 8]) => ({ x: rand(shape, 3, -3, 3) });

describe('fuse-layernorm', () => {
  it('the PyTorch decomposition becomes one LayerNormalization', async () => {
    const g = decomposed();
    expect(ops(g)).toEqual(DECOMPOSED);
    const h = run(g, ['fuse-layernorm', 'dce']);
    expect(ops(h)).toEqual(['LayerNormalization']);
    expect(h.nodes[0].attrs).toEqual({ axis: 2, epsilon: expect.closeTo(1e-5, 12) });
    expect(h.nodes[0].inputs).toEqual(['x', 'gamma', 'beta']);
    expect(h.initializers.size).toBe(2);
    await expectSameOutputs(g, h, feeds());
  });

  it('axes as input (opset 18), x*x for the square, constants first', async () => {
    const g = decomposed({ axesInput: true, square: 'mul', swap: true });
    const h = run(g, ['fuse-layernorm']);
    expect(ops(h)).toEqual(['LayerNormalization']);
    await expectSameOutputs(g, h, feeds());
  });

  it('axes given as rank - 1, and a symbolic batch', async () => {
    const g = decomposed({ axes: [2], shape: ['batch', 5, 8] });
    const h = run(g, ['fuse-layernorm']);
    expect(ops(h)).toEqual(['LayerNormalization']);
    await expectSameOutputs(g, h, feeds([3, 5, 8]));
  });

  it('normalising over the last two dims gives axis 1', async () => {
    const g = decomposed({ axes: [-2, -1] });
    const h = run(g, ['fuse-layernorm']);
    expect(ops(h)).toEqual(['LayerNormalization']);
    expect(h.nodes[0].attrs.axis).toBe(1);
    await expectSameOutputs(g, h, feeds());
  });

  it('without beta, and without gamma (a ones Scale is made)', async () => {
    for (const form of [{ beta: false }, { gamma: false }, { gamma: false, beta: false }]) {
      const g = decomposed(form);
      const h = run(g, ['fuse-layernorm']);
      expect(ops(h)).toEqual(['LayerNormalization']);
      await expectSameOutputs(g, h, feeds());
    }
  });

  describe('left alone', () => {
    it('when d = x - mean is read by a third node', () => {
      const g = decomposed({ extraReader: true });
      expect(ops(run(g, ['fuse-layernorm']))).toEqual(ops(g));
    });
    it('when epsilon is not a constant', () => {
      const g = decomposed({ epsInput: true });
      expect(ops(run(g, ['fuse-layernorm']))).toEqual(ops(g));
    });
    it('when the axes are not the trailing ones', () => {
      const g = decomposed({ axes: [1], gamma: false, beta: false });
      expect(ops(run(g, ['fuse-layernorm']))).toEqual(ops(g));
    });
    it('when gamma varies along a dim that is not normalised (only the Mul stays out)', async () => {
      const b = new GraphBuilder('ln');
      const x = b.input('x', 'float32', [2, 5, 8]);
      const d = b.sub(x, b.reduceMean(x, [-1]));
      const y = b.div(d, b.sqrt(b.add(b.reduceMean(b.pow(d, b.float(2)), [-1]), b.float(1e-5))));
      b.output(b.mul(y, b.constant(rand([40], 1).reshape([5, 8]))), 'out');
      const g = b.build();
      const h = run(g, ['fuse-layernorm']);
      expect(ops(h)).toEqual(['LayerNormalization', 'Mul']);
      await expectSameOutputs(g, h, feeds());
    });
  });
});
