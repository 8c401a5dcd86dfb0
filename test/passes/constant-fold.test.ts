import { describe, expect, it } from 'vitest';
import { Graph, GraphBuilder, Tensor } from '../../src/index.js';
import { optimize } from '../../src/graph/passes/index.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

describe('constant-fold', () => {
  it('Constant nodes and arithmetic on constants become initializers', async () => {
    const b = new GraphBuilder('consts');
    const x = b.input('x', 'float32', [2, 4]);
    const c = b.op('Constant', [], { value: new Tensor('float32', [4], [1, 2, 3, 4]) });
    const w = b.mul(b.transpose(b.constant(rand([4, 1], 1)), [1, 0]), c);   // [1, 4]
    b.output(b.add(x, b.sqrt(b.add(w, b.float(2)))), 'out');
    const g = b.build();
    expect(ops(g)).toEqual(['Constant', 'Transpose', 'Mul', 'Add', 'Sqrt', 'Add']);
    const h = run(g, ['constant-fold', 'dce']);
    expect(ops(h)).toEqual(['Add']);
    expect(h.initializers.size).toBe(1);
    const folded = [...h.initializers.values()][0] as Tensor;
    expect(folded.shape).toEqual([1, 4]);
    await expectSameOutputs(g, h, { x: rand([2, 4], 2) });
  });

  it('a static Shape -> Gather -> Unsqueeze -> Concat chain folds into Reshape\'s shape', async () => {
    const b = new GraphBuilder('shapes');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const s = b.shape(x);
    const n = b.unsqueeze(b.gather(s, b.int64(0, [])), [0]);
    const rest = b.unsqueeze(b.mul(b.gather(s, b.int64(1, [])), b.gather(s, b.int64(2, []))), [0]);
    b.output(b.reshape(x, b.concat([n, rest], 0)), 'out');
    const g = b.build();
    expect(ops(g)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Gather', 'Gather', 'Mul', 'Unsqueeze', 'Concat', 'Reshape']);
    const h = run(g, ['constant-fold', 'dce']);
    expect(ops(h)).toEqual(['Reshape']);
    expect((h.initializers.get(h.nodes[0].inputs[1]) as Tensor).toArray()).toEqual([2, 12]);
    await expectSameOutputs(g, h, { x: rand([2, 3, 4], 3) });
  });

  it('with a symbolic batch, the static dims picked out of Shape still fold', async () => {
    const b = new GraphBuilder('shapes');
    const x = b.input('x', 'float32', ['batch', 3, 4]);
    const s = b.shape(x);
    const n = b.unsqueeze(b.gather(s, b.int64(0, [])), [0]);
    const rest = b.unsqueeze(b.mul(b.gather(s, b.int64(1, [])), b.gather(s, b.int64(-1, []))), [0]);
    b.output(b.reshape(x, b.concat([n, rest], 0)), 'out');
    const g = b.build();
    const h = run(g, ['constant-fold', 'dce']);
    // batch stays a runtime value; 3 * 4 = 12 is now an initializer.
    expect(ops(h)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']);
    const concat = h.nodes[3];
    expect((h.initializers.get(concat.inputs[1]) as Tensor).toArray()).toEqual([12]);
    for (const batch of [1, 5]) await expectSameOutputs(g, h, { x: rand([batch, 3, 4], batch) });
  });

  it('without an evaluator only Constant nodes and shape arithmetic fold', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 2]);
    const c = b.op('Constant', [], { value_floats: [1, 2] });
    b.output(b.reshape(b.add(x, b.mul(c, b.float(3))), b.shape(x)), 'out');
    const g = b.build();
    const h = optimize(g, { passes: ['constant-fold', 'dce'] });
    expect(ops(h)).toEqual(['Mul', 'Add', 'Reshape']);
  });

  it('does not fold outputs that would store a large tensor made from a small one', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [512, 256]);
    const big = b.expand(b.float(0.5, [1]), b.int64([512, 256]));   // 128K elements from 1
    const small = b.expand(b.float(0.25, [1]), b.int64([16, 256]));  // 4K: cheap to store
    b.output(b.add(b.mul(x, big), b.constant(rand([1, 256], 1))), 'out');
    b.output(small, 'small');
    const g = b.build();
    const h = run(g, ['constant-fold', 'dce']);
    expect(ops(h)).toEqual(['Expand', 'Mul', 'Add']);
    expect(h.initializers.has('small')).toBe(true);
    await expectSameOutputs(g, h, { x: rand([512, 256], 2) });
  });

  it('folds a big weight transform that stores no more than it replaces (Transpose of a [1100, 1000] weight)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 1000]);
    b.output(b.matmul(x, b.transpose(b.constant(rand([1100, 1000], 1), 'w'))), 'out');
    const g = b.build();
    const h = run(g, ['constant-fold', 'dce']);
    expect(ops(h)).toEqual(['MatMul']);
    expect(h.initializers.has('w')).toBe(false);
    expect(h.weightBytes).toBe(g.weightBytes);
    await expectSameOutputs(g, h, { x: rand([2, 1000], 2) });
  });

  it('a folded value can be a graph output', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    b.output(b.add(x, b.float(1)), 'y');
    b.output(b.mul(b.float([1, 2, 3]), b.float(2)), 'k');
    const g = b.build();
    const h = run(g, ['constant-fold', 'dce']);
    expect(ops(h)).toEqual(['Add']);
    expect((h.initializers.get('k') as Tensor).toArray()).toEqual([2, 4, 6]);
    await expectSameOutputs(g, h, { x: rand([3], 1) });
  });

  it('int64 constants keep their dtype and values', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 6]);
    const shape = b.concat([b.int64([3]), b.op('Constant', [], { value_ints: [-1] })], 0);
    b.output(b.reshape(x, shape), 'out');
    const h = run(b.build(), ['constant-fold', 'dce']);
    const t = h.initializers.get(h.nodes[0].inputs[1]) as Tensor;
    expect(t.dtype).toBe('int64');
    expect(t.toArray()).toEqual([3, -1]);
  });
  it('an initializer that is also a graph input is a default the feed overrides: not folded', async () => {
    const g = new Graph({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'k', dtype: 'float32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      nodes: [
        { name: 'm', op: 'Mul', inputs: ['k', 'two'], outputs: ['k2'], attrs: {} },
        { name: 'a', op: 'Add', inputs: ['x', 'k2'], outputs: ['y'], attrs: {} },
      ],
      initializers: new Map([['k', new Tensor('float32', [2], [1, 1])], ['two', new Tensor('float32', [], [2])]]),
    });
    const h = run(g);
    expect(ops(h)).toEqual(['Mul', 'Add']);
    await expectSameOutputs(g, h, { x: new Tensor('float32', [2], [1, 2]), k: new Tensor('float32', [2], [10, 20]) });
  });
});

describe('dce', () => {
  it('drops nodes that reach no output and initializers nothing reads; keeps unused inputs', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [4]);
    b.input('unused', 'float32', [4]);
    const dead = b.mul(b.relu(x), b.float([1, 2, 3, 4], undefined, 'dead_w'));
    void dead;
    b.constant(rand([8], 1), 'orphan');
    b.output(b.sigmoid(x), 'out');
    const g = b.build();
    expect(ops(g)).toEqual(['Relu', 'Mul', 'Sigmoid']);
    const h = run(g, ['dce']);
    expect(ops(h)).toEqual(['Sigmoid']);
    expect(h.initializers.size).toBe(0);
    expect(h.inputs.map((v) => v.name)).toEqual(['x', 'unused']);
    await expectSameOutputs(g, h, { x: rand([4], 2), unused: rand([4], 3) });
  });

  it('keeps a multi-output node when any of its outputs is used', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [4, 2]);
    const [p] = b.node('Split', [x, b.int64([2, 2])], { axis: 0 }, { outputs: 2 });
    b.output(p, 'out');
    const h = run(b.build(), ['dce']);
    expect(ops(h)).toEqual(['Split']);
  });
});
