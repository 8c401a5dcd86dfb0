import { describe, expect, it } from 'vitest';
import { countFlops, models } from '../../src/index.js';
import { quantize } from '../../src/quant/index.js';
import { prune, sparsify } from '../../src/sparse/index.js';

describe('countFlops', () => {
  const g = models.mobilenetV2({ width: 0.5, resolution: 32, classes: 10, seed: 1 });
  const shapes = { input: [2, 3, 32, 32] };

  it('counts 2 FLOPs per multiply-add of every Conv and Gemm', () => {
    // By hand from the graph: 2 x output elements x (C/group x kh x kw) per Conv, 2 x N x K x M for the classifier.
    let want = 0;
    const sizes = new Map<string, number[]>([['input', shapes.input]]);
    for (const n of g.nodes) {
      const x = sizes.get(n.inputs[0]);
      if (n.op === 'Conv') {
        const w = (g.initializers.get(n.inputs[1]) as { shape: readonly number[] }).shape, s = (n.attrs.strides as number[] | undefined)?.[0] ?? 1;
        const pad = (n.attrs.pads as number[] | undefined)?.[0] ?? 0, H = Math.floor((x![2] + 2 * pad - w[2]) / s) + 1;
        sizes.set(n.outputs[0], [x![0], w[0], H, H]);
        want += 2 * x![0] * w[0] * H * H * w[1] * w[2] * w[3];
      } else if (n.op === 'Gemm') {
        const w = (g.initializers.get(n.inputs[1]) as { shape: readonly number[] }).shape;
        want += 2 * x![0] * w[0] * w[1];
      } else if (n.op === 'GlobalAveragePool') sizes.set(n.outputs[0], [x![0], x![1], 1, 1]);
      else if (n.op === 'Flatten') sizes.set(n.outputs[0], [x![0], x![1]]);
      else if (x) sizes.set(n.outputs[0], x);
    }
    expect(want).toBeGreaterThan(0);
    expect(countFlops(g, shapes)).toBe(want);
  });

  it('counts quantized and sparse forms as the dense ops they replace', () => {
    const dense = countFlops(g, shapes);
    expect(countFlops(quantize(g, { weights: 'int8' }), shapes)).toBe(dense);
    expect(countFlops(sparsify(prune(g, { sparsity: 0.9, pattern: 'unstructured' })), shapes)).toBe(dense);
  });
});
