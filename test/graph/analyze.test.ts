import { describe, expect, it } from 'vitest';
import { Graph, GraphBuilder, InferenceSession } from '../../src/index.js';

const f = (name: string) => ({ name, dtype: 'float32' as const, shape: [2] });

describe('graph validation names the node and op', () => {
  it('lists every unsupported op with its nodes, domain and opset', async () => {
    const g = new Graph({
      inputs: [f('x')], outputs: [f('z')], opset: 17,
      nodes: [
        { name: 'n1', op: 'FancyOp', inputs: ['x'], outputs: ['y'], attrs: {} },
        { name: 'n2', op: 'FancyOp', inputs: ['y'], outputs: ['y2'], attrs: {} },
        { name: 'n3', op: 'Other', domain: 'com.example', inputs: ['y2'], outputs: ['z'], attrs: {} },
      ],
    });
    const err = await InferenceSession.create(g).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/unsupported ops:\n  FancyOp \(domain ai\.onnx, opset 17\) at nodes 'n1', 'n2'\n  Other \(domain com\.example, opset 17\) at node 'n3'/);
  });

  it('dangling inputs', async () => {
    const g = new Graph({ inputs: [f('x')], outputs: [f('y')], nodes: [{ name: 'add1', op: 'Add', inputs: ['x', 'nope'], outputs: ['y'], attrs: {} }] });
    await expect(InferenceSession.create(g)).rejects.toThrow(/node 'add1' \(Add\): input 1 'nope' is not a graph input, an initializer, or any node's output/);
  });

  it('cycles', async () => {
    const g = new Graph({
      inputs: [f('x')], outputs: [f('b')],
      nodes: [
        { name: 'a', op: 'Add', inputs: ['x', 'b'], outputs: ['a'], attrs: {} },
        { name: 'b', op: 'Relu', inputs: ['a'], outputs: ['b'], attrs: {} },
      ],
    });
    await expect(InferenceSession.create(g)).rejects.toThrow(/cycle through nodes 'a' \(Add\), 'b' \(Relu\)/);
  });

  it('values produced twice, wrong arity, unknown attributes, missing outputs', async () => {
    const twice = new Graph({ inputs: [f('x')], outputs: [f('y')], nodes: [
      { name: 'r1', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} },
      { name: 'r2', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} }] });
    await expect(InferenceSession.create(twice)).rejects.toThrow(/node 'r2' \(Relu\): output 'y' is already produced by node 'r1'/);
    const arity = new Graph({ inputs: [f('x')], outputs: [f('y')], nodes: [{ name: 'r', op: 'Relu', inputs: ['x', 'x'], outputs: ['y'], attrs: {} }] });
    await expect(InferenceSession.create(arity)).rejects.toThrow(/node 'r' \(Relu\): takes 1 inputs, got 2/);
    const attr = new Graph({ inputs: [f('x')], outputs: [f('y')], nodes: [{ name: 'r', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: { alpha: 1 } }] });
    await expect(InferenceSession.create(attr)).rejects.toThrow(/node 'r' \(Relu\): unknown attribute 'alpha'; Relu takes no attributes/);
    const typed = new Graph({ inputs: [f('x')], outputs: [f('y')], nodes: [{ name: 'l', op: 'LeakyRelu', inputs: ['x'], outputs: ['y'], attrs: { alpha: 'big' } }] });
    await expect(InferenceSession.create(typed)).rejects.toThrow(/node 'l' \(LeakyRelu\): attribute 'alpha' must be float, got "big"/);
    const missing = new Graph({ inputs: [f('x')], outputs: [f('q')], nodes: [] });
    await expect(InferenceSession.create(missing)).rejects.toThrow(/graph output 'q' is not produced by any node/);
  });

  it('shape conflicts surface at build time', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const y = b.input('y', 'float32', [4, 3]);
    b.output(b.add(x, y));
    expect(() => b.build()).toThrow(/node 'add' \(Add\): shapes \[2, 3\] and \[4, 3\] cannot be broadcast \(dimension 0: 2 vs 4\)/);
  });

  it('dtype conflicts surface at build time', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    const y = b.input('y', 'int32', [2]);
    b.output(b.add(x, y));
    expect(() => b.build()).toThrow(/node 'add' \(Add\): inputs A and B must have the same dtype, got float32 and int32/);
  });
});
