import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import { Tensor } from '../../src/tensor.js';
import { quantize, type QuantizeOptions } from '../../src/quant/index.js';
import { toStandardOnnx } from '../../src/quant/onnx-export.js';
import { saveOnnx, loadOnnx } from '../../src/onnx/index.js';
import { randomFloats, randomInts } from '../util/numerics.js';
import { normalTensor } from './gen.js';
import { runOrt, runTessera } from './ort.js';

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}
const maxRelErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let scale = 0, e = 0;
  for (let i = 0; i < b.length; i++) { scale = Math.max(scale, Math.abs(b[i])); e = Math.max(e, Math.abs(a[i] - b[i])); }
  return e / scale;
};

/** Embedding -> MatMul+bias+GELU -> MatMul -> Gemm(transB); plus a small convnet with ReLU6, depthwise and 1x1. */
function textModel(): Graph {
  const b = new GraphBuilder('text');
  const ids = b.input('ids', 'int64', [2, 6]);
  let h = b.gather(b.constant(normalTensor([40, 64], 1, 0.5), 'emb'), ids);
  h = b.add(b.matmul(h, b.constant(normalTensor([64, 96], 2, 0.12), 'w1')), b.constant(normalTensor([96], 3, 0.1), 'b1'));
  h = b.gelu(h);
  h = b.matmul(h, b.constant(normalTensor([96, 64], 4, 0.1), 'w2'));
  h = b.reshape(h, [12, 64]);
  b.output(b.gemm(h, b.constant(normalTensor([5, 64], 5, 0.1), 'head.w'), b.constant(normalTensor([5], 6, 0.1), 'head.b'), { transB: 1 }), 'y');
  return b.build();
}
function convModel(): Graph {
  const b = new GraphBuilder('conv');
  const x = b.input('x', 'float32', [1, 3, 10, 10]);
  let h = b.clip(b.conv(x, b.constant(normalTensor([16, 3, 3, 3], 1, 0.3), 'c1'), b.constant(normalTensor([16], 2, 0.1), 'c1.b'), { pads: [1, 1, 1, 1] }), 0, 6);
  h = b.relu(b.conv(h, b.constant(normalTensor([16, 1, 3, 3], 3, 0.3), 'dw'), undefined, { pads: [1, 1, 1, 1], group: 16 }));
  h = b.conv(h, b.constant(normalTensor([48, 16, 1, 1], 4, 0.25), 'pw'), b.constant(normalTensor([48], 5, 0.1), 'pw.b'));
  b.output(b.sigmoid(b.conv(h, b.constant(normalTensor([40, 48, 1, 1], 6, 0.2), 'pw2'))), 'y');
  return b.build();
}

const feedsFor = (g: Graph): Record<string, Tensor> => g.name === 'text'
  ? { ids: new Tensor('int64', [2, 6], Array.from(randomInts(12, 1, 0, 39), BigInt)) }
  : { x: new Tensor('float32', [1, 3, 10, 10], randomFloats(300, 2, -1, 1)) };

describe('saveOnnx of quantized graphs: standard ops that onnxruntime runs', () => {
  const cases: [string, () => Graph, QuantizeOptions, string[]][] = [
    ['text int8 weights-only', textModel, { weights: 'int8', activations: 'float32' }, ['DequantizeLinear', 'MatMul', 'Gather']],
    ['text int8 dynamic', textModel, { weights: 'int8' }, ['DynamicQuantizeLinear', 'MatMulInteger']],
    ['text int4 g32', textModel, { weights: 'int4' }, ['MatMulNBits']],
    ['text int4 g64 int8 inputs', textModel, { weights: 'int4', groupSize: 64, activations: 'int8-dynamic' }, ['MatMulNBits']],
    ['conv int8 weights-only', convModel, { weights: 'int8', activations: 'float32' }, ['DequantizeLinear', 'Conv', 'Clip', 'Relu']],
    ['conv int8 dynamic', convModel, { weights: 'int8', activations: 'int8-dynamic' }, ['ConvInteger', 'DynamicQuantizeLinear', 'Sigmoid']],
    ['conv int8 default (float inputs for convs)', convModel, { weights: 'int8' }, ['DequantizeLinear', 'Conv']],
    ['conv int4', convModel, { weights: 'int4' }, ['Conv']],
  ];
  for (const [name, build, opts, expectOps] of cases) {
    it(name, async () => {
      const g = build(), feeds = feedsFor(g), q = quantize(g, opts);
      const acts = opts.activations ?? 'auto', int8Inputs = acts === 'int8-dynamic' || (acts === 'auto' && g.name === 'text');
      const lowered = toStandardOnnx(q);
      expect(lowered.nodes.every((n) => n.domain !== 'tessera')).toBe(true);
      for (const op of expectOps) expect(lowered.nodes.map((n) => n.op)).toContain(op);
      const bytes = saveOnnx(lowered);
      // The file keeps the weights quantized: well under the float model's size.
      expect(bytes.length).toBeLessThan(saveOnnx(g).length * (name.includes('conv int4') ? 1.1 : 0.5));
      if (!int8Inputs) expect(lowered.nodes.map((n) => n.op)).not.toContain('DynamicQuantizeLinear');
      const ours = (await runTessera(q, feeds)).y.data as Float32Array;
      // onnxruntime's extended optimizations turn DequantizeLinear(int8 W) + MatMul into its own
      // dynamic int8 kernel (quantizing the activations too); 'basic' runs the ops as written.
      const ort = (await runOrt(bytes, feeds, { graphOptimizationLevel: 'basic' })).y.data;
      const ortDefault = (await runOrt(bytes, feeds)).y.data;
      expect(cosine(ortDefault, ours)).toBeGreaterThan(0.995);
      const reloaded = (await runTessera(loadOnnx(bytes), feeds)).y.data as Float32Array;
      if (!int8Inputs) {
        // Same arithmetic on the same dequantized weights: float32 rounding apart.
        expect(maxRelErr(ort, ours)).toBeLessThan(1e-4);
        expect(maxRelErr(reloaded, ours)).toBeLessThan(1e-4);
      } else {
        // Row-wise symmetric (Tessera) vs per-tensor asymmetric (DynamicQuantizeLinear) or
        // per-block (MatMulNBits accuracy_level 4) input quantization: equal up to quantization error.
        expect(cosine(ort, ours)).toBeGreaterThan(0.995);
        // Tessera running the exported integer ops agrees with onnxruntime (MatMulNBits Tessera computes in float).
        if (opts.weights === 'int8') expect(maxRelErr(reloaded, ort)).toBeLessThan(1e-4);
        else expect(cosine(reloaded, ort)).toBeGreaterThan(0.995);
      }
    });
  }

  it('leaves graphs without tessera ops alone', () => {
    const g = textModel();
    expect(toStandardOnnx(g)).toBe(g);
  });
});
