import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Value } from '../../src/index.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

type Act = (b: GraphBuilder, v: Value) => Value;
const ACTS: [string, Act, string, number[]?][] = [
  ['Relu', (b, v) => b.relu(v), 'Relu'],
  ['Clip 0..6 (ReLU6)', (b, v) => b.clip(v, 0, 6), 'Clip', [0, 6]],
  ['Clip with max only', (b, v) => b.clip(v, undefined, 0.5), 'Clip', [-Infinity, 0.5]],
  ['Sigmoid', (b, v) => b.sigmoid(v), 'Sigmoid'],
  ['SiLU as Mul(x, Sigmoid(x))', (b, v) => b.mul(v, b.sigmoid(v)), 'SiLU'],
  ['Gelu', (b, v) => b.gelu(v), 'Gelu'],
];

function conv(act: Act, opts: { bias?: boolean; addBias?: number[] } = {}) {
  const b = new GraphBuilder('conv-act');
  const x = b.input('x', 'float32', [2, 3, 6, 5]);
  let y = b.conv(x, b.constant(rand([4, 3, 3, 3], 1), 'w'), opts.bias ? b.constant(rand([4], 2), 'b') : undefined, { pads: [1, 1, 1, 1], strides: [1, 2] });
  if (opts.addBias) y = b.add(y, b.constant(rand([4], 3).reshape(opts.addBias), 'channel_bias'));
  b.output(act(b, y), 'out');
  return b.build();
}
const convFeeds = () => ({ x: rand([2, 3, 6, 5], 7, -2, 2) });

describe('fuse-activation: Conv', () => {
  for (const [label, act, name, params] of ACTS) {
    it(`Conv + ${label} -> FusedConv`, async () => {
      const g = conv(act, { bias: true });
      const h = run(g, ['fuse-activation', 'dce']);
      expect(ops(h)).toEqual(['FusedConv']);
      expect(h.nodes[0].attrs.activation).toBe(name);
      expect(h.nodes[0].attrs.activation_params).toEqual(params);
      expect(h.nodes[0].outputs).toEqual(['out']);
      await expectSameOutputs(g, h, convFeeds());
    });
  }

  it('a per-channel Add after the Conv merges into its bias: Conv + Add + Relu -> FusedConv', async () => {
    for (const shape of [[1, 4, 1, 1], [4, 1, 1]]) {
      for (const bias of [false, true]) {
        const g = conv((b, v) => b.relu(v), { bias, addBias: shape });
        expect(ops(g)).toEqual(['Conv', 'Add', 'Relu']);
        const h = run(g, ['fuse-activation', 'dce']);
        expect(ops(h)).toEqual(['FusedConv']);
        expect(h.nodes[0].inputs).toHaveLength(3);
        await expectSameOutputs(g, h, convFeeds());
      }
    }
  });

  it('Conv + per-channel Add alone -> Conv with bias', async () => {
    const g = conv((_b, v) => v, { addBias: [1, 4, 1, 1] });
    const h = run(g, ['fuse-activation']);
    expect(ops(h)).toEqual(['Conv']);
    await expectSameOutputs(g, h, convFeeds());
  });

  describe('left alone', () => {
    it('an Add that is not per channel', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]);
      const y = b.conv(x, b.constant(rand([2, 3, 1, 1], 1)));
      b.output(b.add(y, b.constant(rand([4], 2))), 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['Conv', 'Add']);
    });
    it('Conv output read by two nodes', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]);
      const y = b.conv(x, b.constant(rand([2, 3, 1, 1], 1)));
      b.output(b.add(b.relu(y), y), 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['Conv', 'Relu', 'Add']);
    });
    it('Conv output that is a graph output', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]);
      const y = b.conv(x, b.constant(rand([2, 3, 1, 1], 1)));
      const r = b.relu(y);
      b.output(y, 'conv_out');
      b.output(r, 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['Conv', 'Relu']);
    });
    it('Clip whose bound is computed', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]), hi = b.input('hi', 'float32', []);
      const y = b.conv(x, b.constant(rand([2, 3, 1, 1], 1)));
      b.output(b.op('Clip', [y, b.float(0), hi]), 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['Conv', 'Clip']);
    });
    it('SiLU whose Sigmoid reads another value', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]);
      const y = b.conv(x, b.constant(rand([3, 3, 1, 1], 1)));
      b.output(b.mul(y, b.sigmoid(x)), 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['Conv', 'Sigmoid', 'Mul']);
    });
    it('activations without a conv epilogue: LeakyRelu, HardSigmoid, tanh-GELU', () => {
      for (const act of [(b: GraphBuilder, v: Value) => b.op('LeakyRelu', [v], { alpha: 0.1 }), (b: GraphBuilder, v: Value) => b.op('HardSigmoid', [v]), (b: GraphBuilder, v: Value) => b.gelu(v, 'tanh')]) {
        const g = conv(act);
        expect(ops(run(g, ['fuse-activation']))).toEqual(ops(g));
      }
    });
  });
});

describe('fuse-activation: Gemm', () => {
  function gemm(opts: { c?: boolean; add?: number[]; act?: Act; transB?: number; alpha?: number }) {
    const b = new GraphBuilder('gemm-act');
    const a = b.input('a', 'float32', [5, 8]);
    const w = b.constant(rand(opts.transB ? [6, 8] : [8, 6], 1), 'w');
    let y = b.gemm(a, w, opts.c ? b.constant(rand([6], 2), 'c') : undefined, { transB: opts.transB, alpha: opts.alpha });
    if (opts.add) y = b.add(b.constant(rand([6], 3).reshape(opts.add), 'bias'), y);
    b.output(opts.act ? opts.act(b, y) : y, 'out');
    return b.build();
  }
  const feeds = () => ({ a: rand([5, 8], 4) });

  for (const [label, act, name] of [...ACTS, ['tanh GELU', (b: GraphBuilder, v: Value) => b.gelu(v, 'tanh'), 'GeluTanh'] as [string, Act, string]]) {
    it(`Gemm + ${label} -> FusedGemm`, async () => {
      const g = gemm({ c: true, act, transB: 1 });
      const h = run(g, ['fuse-activation', 'dce']);
      expect(ops(h)).toEqual(['FusedGemm']);
      expect(h.nodes[0].attrs.activation).toBe(name);
      await expectSameOutputs(g, h, feeds());
    });
  }

  it('Gemm without C + Add(bias) + Relu -> FusedGemm with the bias as C (alpha kept off it)', async () => {
    for (const add of [[6], [1, 6]]) {
      const g = gemm({ add, act: (b, v) => b.relu(v), alpha: 0.5 });
      const h = run(g, ['fuse-activation', 'dce']);
      expect(ops(h)).toEqual(['FusedGemm']);
      expect(h.nodes[0].inputs).toHaveLength(3);
      await expectSameOutputs(g, h, feeds());
    }
  });

  it('Gemm with C + Add stays two nodes (only the activation could fuse)', () => {
    const g = gemm({ c: true, add: [6] });
    expect(ops(run(g, ['fuse-activation']))).toEqual(['Gemm', 'Add']);
  });
});

describe('fuse-activation: MatMul', () => {
  function matmul(opts: { add?: number[]; act?: Act; a?: (string | number)[]; bInput?: boolean; addInput?: boolean }) {
    const b = new GraphBuilder('matmul-act');
    const a = b.input('a', 'float32', opts.a ?? [2, 5, 8]);
    const w = opts.bInput ? b.input('w', 'float32', [8, 6]) : b.constant(rand([8, 6], 1), 'w');
    let y = b.matmul(a, w);
    if (opts.add) y = b.add(y, b.constant(rand([6], 2).reshape(opts.add), 'bias'));
    if (opts.addInput) y = b.add(y, b.input('bias', 'float32', [6]));
    b.output(opts.act ? opts.act(b, y) : y, 'out');
    return b.build();
  }
  const feeds = (shape = [2, 5, 8]) => ({ a: rand(shape, 4) });

  it('MatMul + Add(bias [N]) -> FusedMatMul without activation', async () => {
    const g = matmul({ add: [6] });
    const h = run(g, ['fuse-activation', 'dce']);
    expect(ops(h)).toEqual(['FusedMatMul']);
    expect(h.nodes[0].attrs.activation).toBeUndefined();
    expect(h.nodes[0].inputs[2]).toBe('bias');
    await expectSameOutputs(g, h, feeds());
  });

  for (const [label, act, name] of [...ACTS, ['tanh GELU', (b: GraphBuilder, v: Value) => b.gelu(v, 'tanh'), 'GeluTanh'] as [string, Act, string]]) {
    it(`MatMul + Add([1, 1, N]) + ${label} -> FusedMatMul`, async () => {
      const g = matmul({ add: [1, 1, 6], act });
      const h = run(g, ['fuse-activation', 'dce']);
      expect(ops(h)).toEqual(['FusedMatMul']);
      expect(h.nodes[0].attrs.activation).toBe(name);
      await expectSameOutputs(g, h, feeds());
    });
  }

  it('MatMul + Relu without a bias gets a zero bias', async () => {
    const g = matmul({ act: (b, v) => b.relu(v), a: [5, 8] });
    const h = run(g, ['fuse-activation', 'dce']);
    expect(ops(h)).toEqual(['FusedMatMul']);
    await expectSameOutputs(g, h, feeds([5, 8]));
  });

  it('symbolic batch dims are fine: only N must be known', async () => {
    const g = matmul({ add: [6], act: (b, v) => b.gelu(v), a: ['batch', 'seq', 8], bInput: true });
    const h = run(g, ['fuse-activation', 'dce']);
    expect(ops(h)).toEqual(['FusedMatMul']);
    await expectSameOutputs(g, h, { a: rand([3, 4, 8], 4), w: rand([8, 6], 5) });
  });

  describe('left alone', () => {
    it('a bias that is not a constant', () => {
      expect(ops(run(matmul({ addInput: true }), ['fuse-activation']))).toEqual(['MatMul', 'Add']);
    });
    it('an Add that broadcasts along rows, not columns', () => {
      expect(ops(run(matmul({ add: [6, 1], a: [2, 6, 8] }), ['fuse-activation']))).toEqual(['MatMul', 'Add']);
    });
    it('integer MatMul', () => {
      const b = new GraphBuilder();
      const a = b.input('a', 'int64', [2, 3]);
      b.output(b.relu(b.matmul(a, b.int64([1, 2, 3, 4, 5, 6], [3, 2]))), 'out');
      expect(ops(run(b.build(), ['fuse-activation']))).toEqual(['MatMul', 'Relu']);
    });
  });
});

describe('fused op schemas', () => {
  const build = (op: string, attrs: Record<string, string | number[]>, inputs = 3) => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', op === 'FusedConv' ? [1, 2, 3, 3] : [2, 2]);
    const w = b.constant(rand(op === 'FusedConv' ? [2, 2, 1, 1] : [2, 2], 1));
    b.output(b.node(op, [x, w, ...(inputs > 2 ? [b.constant(rand([2], 2))] : [])], attrs, { domain: 'tessera' })[0], 'out');
    return () => b.build();
  };
  it('reject activations with no kernel epilogue, by name', () => {
    expect(build('FusedConv', { activation: 'LeakyRelu' })).toThrow(/FusedConv.*activation 'LeakyRelu' has no fused kernel epilogue here; supported: Relu, Clip, Sigmoid, SiLU, Gelu$/);
    expect(build('FusedConv', { activation: 'GeluTanh' })).toThrow(/activation 'GeluTanh' has no fused kernel epilogue/);
    expect(build('FusedGemm', { activation: 'Swish' })).toThrow(/attribute 'activation' must be one of Relu, Clip/);
  });
  it('check activation_params', () => {
    expect(build('FusedGemm', { activation: 'Clip' })).toThrow(/activation 'Clip' needs activation_params \[min, max\], got \[\]/);
    expect(build('FusedGemm', { activation: 'Relu', activation_params: [1] })).toThrow(/activation 'Relu' takes no activation_params/);
    expect(build('FusedMatMul', { activation_params: [1] })).toThrow(/'activation_params' is given without 'activation'/);
  });
  it('FusedMatMul needs its bias input', () => {
    expect(build('FusedMatMul', { activation: 'Relu' }, 2)).toThrow(/FusedMatMul.*takes 3 inputs, got 2/);
    expect(build('FusedMatMul', { activation: 'Relu' })).not.toThrow();
  });
});
