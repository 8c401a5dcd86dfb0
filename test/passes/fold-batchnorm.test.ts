import { describe, expect, it } from 'vitest';
import { GraphBuilder, Tensor } from '../../src/index.js';
import { f32ToF16 } from '../../src/dtype.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

/** x [1, 3, 7, 6] -> Conv(4 out, 3x3, pad 1) -> BatchNormalization -> Relu. */
function convBn(opts: { bias?: boolean; group?: number; extraConsumer?: boolean; scaleAsInput?: boolean } = {}) {
  const b = new GraphBuilder('conv-bn');
  const C = opts.group ? 4 : 3, M = 4, cg = C / (opts.group ?? 1);
  const x = b.input('x', 'float32', [1, C, 7, 6]);
  const w = b.constant(rand([M, cg, 3, 3], 1), 'w');
  const bias = opts.bias ? b.constant(rand([M], 2), 'b') : undefined;
  const y = b.conv(x, w, bias, { pads: [1, 1, 1, 1], group: opts.group });
  const scale = opts.scaleAsInput ? b.input('scale', 'float32', [M]) : b.constant(rand([M], 3, 0.5, 2), 'scale');
  const bn = b.batchNorm(y, scale, b.constant(rand([M], 4), 'beta'), b.constant(rand([M], 5), 'mean'),
    b.constant(rand([M], 6, 0.1, 3), 'var'), { epsilon: 1e-3 });
  b.output(b.relu(bn), 'out');
  if (opts.extraConsumer) b.output(b.sigmoid(y), 'side');
  return b.build();
}

const feeds = (C = 3) => ({ x: rand([1, C, 7, 6], 9, -2, 2) });

describe('fold-batchnorm', () => {
  it('Conv (with bias) + BN -> Conv with new weights and bias', async () => {
    const g = convBn({ bias: true });
    const h = run(g, ['fold-batchnorm', 'dce']);
    expect(ops(g)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
    expect(ops(h)).toEqual(['Conv', 'Relu']);
    // The BN parameters and the original weights are gone; the folded ones are new initializers.
    expect(h.initializers.size).toBe(2);
    expect(h.initializers.has('w')).toBe(false);
    await expectSameOutputs(g, h, feeds());
  });

  it('Conv without bias gets one', async () => {
    const g = convBn();
    const h = run(g, ['fold-batchnorm']);
    expect(ops(h)).toEqual(['Conv', 'Relu']);
    expect(h.nodes[0].inputs).toHaveLength(3);
    await expectSameOutputs(g, h, feeds());
  });

  it('depthwise Conv (group = C) folds per output channel', async () => {
    const g = convBn({ group: 4, bias: true });
    const h = run(g, ['fold-batchnorm']);
    expect(ops(h)).toEqual(['Conv', 'Relu']);
    await expectSameOutputs(g, h, feeds(4));
  });

  it('with the full pipeline Conv + BN + Relu becomes one FusedConv', async () => {
    const g = convBn({ bias: true });
    const h = run(g);
    expect(ops(h)).toEqual(['FusedConv']);
    expect(h.nodes[0].attrs.activation).toBe('Relu');
    expect(h.nodes[0].domain).toBe('tessera');
    await expectSameOutputs(g, h, feeds());
  });

  it('float16 weights fold and stay float16', async () => {
    const b = new GraphBuilder('conv-bn-f16');
    const half = (t: Tensor<'float32'>) => new Tensor('float16', t.shape, Uint16Array.from(t.data, f32ToF16));
    const x = b.input('x', 'float16', [1, 2, 5, 5]);
    const y = b.conv(x, b.constant(half(rand([3, 2, 3, 3], 1))), undefined, { pads: [1, 1, 1, 1] });
    const bn = b.batchNorm(y, b.constant(half(rand([3], 2, 0.5, 1.5))), b.constant(half(rand([3], 3))), b.constant(half(rand([3], 4))), b.constant(half(rand([3], 5, 0.5, 2))));
    b.output(bn, 'out');
    const g = b.build();
    const h = run(g, ['fold-batchnorm']);
    expect(ops(h)).toEqual(['Conv']);
    expect([...h.initializers.values()].filter((t) => t.shape.length === 4).map((t) => (t as Tensor).dtype)).toContain('float16');
    const fx = half(rand([1, 2, 5, 5], 8));
    // float16 storage rounds each weight: tolerance is half precision, not float32.
    await expectSameOutputs(g, h, { x: fx }, { atol: 2e-2, rtol: 1e-2 });
  });

  describe('left alone', () => {
    it('when the Conv output has another consumer', () => {
      const g = convBn({ extraConsumer: true });
      expect(ops(run(g, ['fold-batchnorm']))).toEqual(ops(g));
    });
    it('when a BN parameter is not a constant', () => {
      const g = convBn({ scaleAsInput: true });
      expect(ops(run(g, ['fold-batchnorm']))).toEqual(['Conv', 'BatchNormalization', 'Relu']);
    });
    it('when the Conv output is a graph output', () => {
      const b = new GraphBuilder();
      const x = b.input('x', 'float32', [1, 3, 4, 4]);
      const y = b.conv(x, b.constant(rand([2, 3, 1, 1], 1)));
      const bn = b.batchNorm(y, b.float([1, 2]), b.float([0, 0]), b.float([0, 1]), b.float([1, 1]));
      b.output(y, 'conv_out');
      b.output(bn, 'bn');
      const g = b.build();
      expect(ops(run(g, ['fold-batchnorm']))).toEqual(['Conv', 'BatchNormalization']);
    });
  });
});
