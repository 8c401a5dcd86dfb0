import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, type Value } from '../../src/index.js';
import { optimize, PASS_NAMES } from '../../src/graph/passes/index.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

/** An inverted-residual block as MobileNetV2 exports it: 1x1 expand, 3x3 depthwise, 1x1 project, each with BN. */
function mobileBlock() {
  const b = new GraphBuilder('mbv2-block');
  const x = b.input('x', 'float32', [1, 4, 9, 9]);
  let seed = 1;
  const bn = (v: Value, c: number) => b.batchNorm(v, b.constant(rand([c], seed++, 0.5, 1.5)), b.constant(rand([c], seed++)),
    b.constant(rand([c], seed++)), b.constant(rand([c], seed++, 0.5, 2)));
  const e = b.clip(bn(b.conv(x, b.constant(rand([12, 4, 1, 1], seed++))), 12), 0, 6);
  const d = b.clip(bn(b.conv(e, b.constant(rand([12, 1, 3, 3], seed++)), undefined, { pads: [1, 1, 1, 1], group: 12 }), 12), 0, 6);
  const p = bn(b.conv(d, b.constant(rand([4, 12, 1, 1], seed++))), 4);
  b.output(b.add(x, p), 'out');
  return b.build();
}

/** A transformer FFN sublayer as PyTorch exports it: decomposed LayerNorm and GELU, Linear layers as MatMul + Add. */
function ffnBlock() {
  const b = new GraphBuilder('ffn');
  const x = b.input('x', 'float32', ['batch', 'seq', 8]);
  const d = b.sub(x, b.reduceMean(x, [-1]));
  const ln = b.add(b.mul(b.div(d, b.sqrt(b.add(b.reduceMean(b.pow(d, b.float(2)), [-1]), b.float(1e-12)))), b.constant(rand([8], 1, 0.5, 1.5))), b.constant(rand([8], 2)));
  const h = b.add(b.matmul(ln, b.constant(rand([8, 16], 3))), b.constant(rand([16], 4)));
  const gelu = b.mul(b.mul(h, b.float(0.5)), b.add(b.float(1), b.erf(b.div(h, b.float(1.4142135)))));
  const o = b.add(b.constant(rand([8], 6)), b.matmul(gelu, b.constant(rand([16, 8], 5))));
  b.output(b.add(o, x), 'out');
  return b.build();
}

describe('optimize', () => {
  it('a MobileNetV2 block: every Conv + BN (+ ReLU6) becomes one node', async () => {
    const g = mobileBlock();
    const h = run(g);
    expect(ops(h)).toEqual(['FusedConv', 'FusedConv', 'Conv', 'Add']);
    expect(h.nodes.slice(0, 2).map((n) => n.attrs.activation_params)).toEqual([[0, 6], [0, 6]]);
    await expectSameOutputs(g, h, { x: rand([1, 4, 9, 9], 11, -2, 2) });
  });

  it('a transformer FFN block: LayerNorm, MatMul + bias + GELU, MatMul + bias', async () => {
    const g = ffnBlock();
    const h = run(g);
    expect(ops(h)).toEqual(['LayerNormalization', 'FusedMatMul', 'FusedMatMul', 'Add']);
    expect(h.nodes.map((n) => n.attrs.activation)).toEqual([undefined, 'Gelu', undefined, undefined]);
    await expectSameOutputs(g, h, { x: rand([2, 3, 8], 12, -2, 2) });
  });

  it('passes can be chosen or disabled; unknown names are an error', () => {
    const g = mobileBlock();
    expect(ops(run(g, { disable: ['fuse-activation'] }))).toEqual(['Conv', 'Clip', 'Conv', 'Clip', 'Conv', 'Add']);
    expect(ops(run(g, ['fuse-activation']))).toEqual(ops(g));
    expect(() => optimize(g, { passes: ['fold-bn'] })).toThrow(`unknown optimization pass 'fold-bn'; the passes are ${PASS_NAMES.join(', ')}`);
    expect(() => optimize(g, { passes: { disable: ['x', 'y'] } })).toThrow(/unknown optimization passes 'x', 'y'/);
  });

  it('the optimized graph is a valid graph that survives a second optimize unchanged', () => {
    for (const g of [mobileBlock(), ffnBlock()]) {
      const h = run(g);
      expect(ops(run(h))).toEqual(ops(h));
    }
  });
});

describe('InferenceSession.create runs optimize', () => {
  it('by default, on a copy of the graph', async () => {
    const g = ffnBlock();
    const s = await InferenceSession.create(g);
    expect(ops(s.graph)).toEqual(['LayerNormalization', 'FusedMatMul', 'FusedMatMul', 'Add']);
    expect(ops(g)).toHaveLength(19);
    const plain = await InferenceSession.create(g, { optimize: false });
    expect(ops(plain.graph)).toEqual(ops(g));
  });

  it('with passes disabled', async () => {
    const s = await InferenceSession.create(mobileBlock(), { optimize: { disable: ['fold-batchnorm', 'fuse-activation'] } });
    expect(ops(s.graph)).toEqual(ops(mobileBlock()));
    await expect(InferenceSession.create(mobileBlock(), { optimize: { disable: ['nope'] } })).rejects.toThrow(/unknown optimization pass 'nope'/);
  });
});
