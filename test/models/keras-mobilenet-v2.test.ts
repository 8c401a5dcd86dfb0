import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { decodeTfjsWeights, kerasMobilenetV2FromTfjs, type TfjsLayersModel, type TfjsWeightSpec } from '../../src/models/keras-mobilenet-v2.js';
import { expectClose, randomFloats } from '../util/numerics.js';

/**
 * The tfjs layers (Keras) converter on a tiny model with every layer kind MobileNetV2 uses,
 * against a plain NHWC float64 reference written here from Keras' definitions: TF 'same'
 * padding with the odd pixel at the bottom / right, ZeroPadding2D + 'valid', HWIO and depthwise
 * [H, W, C, 1] kernels, BN with Keras' epsilon, ReLU6, Add, average pooling, Dense [in, out].
 * The trained model itself is checked in test/quant/trained-mobilenet.test.ts.
 */
type Img = { h: number; w: number; c: number; v: Float64Array };
const at = (x: Img, y: number, i: number, c: number) => (y < 0 || i < 0 || y >= x.h || i >= x.w ? 0 : x.v[(y * x.w + i) * x.c + c]);

function conv(x: Img, k: Float32Array, [kh, kw, cout]: number[], stride: number, top: number, left: number, oh: number, ow: number, depthwise: boolean): Img {
  const co = depthwise ? x.c : cout, v = new Float64Array(oh * ow * co);
  for (let y = 0; y < oh; y++) for (let i = 0; i < ow; i++) for (let o = 0; o < co; o++) {
    let s = 0;
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
      if (depthwise) s += at(x, y * stride + a - top, i * stride + b - left, o) * k[(a * kw + b) * x.c + o];
      else for (let c = 0; c < x.c; c++) s += at(x, y * stride + a - top, i * stride + b - left, c) * k[((a * kw + b) * x.c + c) * cout + o];
    }
    v[(y * ow + i) * co + o] = s;
  }
  return { h: oh, w: ow, c: co, v };
}
const map = (x: Img, f: (v: number, c: number) => number): Img => ({ ...x, v: x.v.map((v, j) => f(v, j % x.c)) });

const layer = (name: string, class_name: string, config: Record<string, unknown>, inputs: string[]) => ({ name, class_name, config: { name, ...config }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [] });
const topology = {
  model_config: {
    class_name: 'Model',
    config: {
      name: 'tiny', input_layers: [['in', 0, 0]], output_layers: [['d2', 0, 0]],
      layers: [
        layer('in', 'InputLayer', { batch_input_shape: [null, 8, 8, 2] }, []),
        layer('pad', 'ZeroPadding2D', { padding: [[0, 1], [0, 1]], data_format: 'channels_last' }, ['in']),
        layer('c1', 'Conv2D', { filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: false, activation: 'linear' }, ['pad']),
        layer('bn', 'BatchNormalization', { axis: -1, epsilon: 1e-3, center: true, scale: true }, ['c1']),
        layer('r6', 'ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }, ['bn']),
        layer('dw', 'DepthwiseConv2D', { kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: false, depth_multiplier: 1, activation: 'linear' }, ['r6']),
        layer('pw', 'Conv2D', { filters: 3, kernel_size: [1, 1], strides: [1, 1], padding: 'same', use_bias: true, activation: 'relu' }, ['dw']),
        layer('add', 'Add', {}, ['dw', 'pw']),
        layer('pool', 'AveragePooling2D', { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }, ['add']),
        layer('flat', 'Flatten', {}, ['pool']),
        layer('d1', 'Dense', { units: 4, activation: 'relu', use_bias: true }, ['flat']),
        layer('drop', 'Dropout', { rate: 0.5 }, ['d1']),
        layer('d2', 'Dense', { units: 3, activation: 'softmax', use_bias: true }, ['drop']),
      ],
    },
  },
};
const SHAPES: [string, number[], boolean][] = [
  ['c1/kernel', [3, 3, 2, 3], true], ['bn/gamma', [3], false], ['bn/beta', [3], false], ['bn/moving_mean', [3], false], ['bn/moving_variance', [3], true],
  ['dw/depthwise_kernel', [3, 3, 3, 1], true], ['pw/kernel', [1, 1, 3, 3], false], ['pw/bias', [3], false],
  ['d1/kernel', [3, 4], true], ['d1/bias', [4], false], ['d2/kernel', [4, 3], false], ['d2/bias', [3], false],
];

/** Half the tensors stored as tfjs uint8 (min + q * scale), half float32, in one buffer. */
function tinyModel(): { model: TfjsLayersModel; data: Uint8Array } {
  const specs: TfjsWeightSpec[] = [], parts: Uint8Array[] = [];
  SHAPES.forEach(([name, shape, quantized], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (quantized) {
      const q = Uint8Array.from(randomFloats(n, 100 + i, 0, 255), Math.round), min = name.includes('variance') ? 0.02 : -0.8, scale = name.includes('variance') ? 0.0003 : 0.0063;
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale } });
      parts.push(q);
    } else {
      specs.push({ name, shape, dtype: 'float32' });
      parts.push(new Uint8Array(Float32Array.from(randomFloats(n, 100 + i, -0.7, 0.7)).buffer));
    }
  });
  const data = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (data.set(p, o), o + p.length), 0);
  return { model: { modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }, data };
}

describe('kerasMobilenetV2FromTfjs', () => {
  it('matches an NHWC float64 reference of the Keras layers (asymmetric same pads, depthwise, BN 1e-3, ReLU6, Dense head, softmax)', async () => {
    const { model, data } = tinyModel();
    const w = decodeTfjsWeights(model.weightsManifest[0].weights, data), W = (n: string) => w.get(n)!.data;
    const x: Img = { h: 8, w: 8, c: 2, v: Float64Array.from(randomFloats(128, 7, 0, 1)) };
    let y = conv(x, W('c1/kernel'), [3, 3, 3], 2, 0, 0, 4, 4, false);
    y = map(y, (v, c) => (v - W('bn/moving_mean')[c]) / Math.sqrt(W('bn/moving_variance')[c] + 1e-3) * W('bn/gamma')[c] + W('bn/beta')[c]);
    y = map(y, (v) => Math.min(6, Math.max(0, v)));
    const dw = conv(y, W('dw/depthwise_kernel'), [3, 3, 3], 2, 0, 0, 2, 2, true); // 4 -> 2 at stride 2: TF pads 0 top, 1 bottom
    const pw = map(conv(dw, W('pw/kernel'), [1, 1, 3], 1, 0, 0, 2, 2, false), (v, c) => Math.max(0, v + W('pw/bias')[c]));
    const pooled = [0, 1, 2].map((c) => (dw.v[c] + dw.v[3 + c] + dw.v[6 + c] + dw.v[9 + c] + pw.v[c] + pw.v[3 + c] + pw.v[6 + c] + pw.v[9 + c]) / 4);
    const dense = (v: number[], k: Float32Array, b: Float32Array, units: number) => Array.from({ length: units }, (_, o) => v.reduce((s, vi, i) => s + vi * k[i * units + o], b[o]));
    const logits = dense(dense(pooled, W('d1/kernel'), W('d1/bias'), 4).map((v) => Math.max(0, v)), W('d2/kernel'), W('d2/bias'), 3);
    const e = logits.map((v) => Math.exp(v - Math.max(...logits))), probs = e.map((v) => v / e.reduce((a, b) => a + b, 0));

    const nchw = new Float32Array(128);
    for (let i = 0; i < 64; i++) for (let c = 0; c < 2; c++) nchw[c * 64 + i] = x.v[i * 2 + c];
    for (const softmax of [false, true]) {
      const g = kerasMobilenetV2FromTfjs(model, data, { batch: 1, softmax });
      const s = await InferenceSession.create(g);
      const out = await s.run({ input: new Tensor('float32', [1, 2, 8, 8], nchw) });
      s.dispose();
      expect(Object.keys(out)).toEqual([softmax ? 'probabilities' : 'logits']);
      expectClose(Object.values(out)[0].data as Float32Array, Float32Array.from(softmax ? probs : logits), { softmax }, { atol: 1e-5, rtol: 1e-5 });
    }
  });

  it('dequantizes tfjs uint8 weights as tfjs does and refuses what it cannot convert', () => {
    const { model, data } = tinyModel();
    const w = decodeTfjsWeights(model.weightsManifest[0].weights, data);
    expect(w.get('c1/kernel')!.data[0]).toBeCloseTo(-0.8 + data[0] * 0.0063, 6);
    expect(() => decodeTfjsWeights(model.weightsManifest[0].weights, data.subarray(0, data.length - 1))).toThrow(/runs past|reads/);
    const bad = structuredClone(model);
    bad.modelTopology.model_config!.config.layers[4].class_name = 'PReLU';
    expect(() => kerasMobilenetV2FromTfjs(bad, data)).toThrow(/r6 of class PReLU is not supported/);
  });
});
