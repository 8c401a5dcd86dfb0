import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { makeDivisible } from '../../src/models/layers.js';
import { randomFloats } from '../util/numerics.js';

type Builder = (o: { seed?: number; classes?: number; resolution?: number; batch?: number | string }) => Graph;

/** Small configurations: every builder at a size that runs in milliseconds. */
const SMALL: { name: string; build: Builder; res: number }[] = [
  { name: 'mobilenetV2', build: (o) => models.mobilenetV2({ width: 0.35, ...o }), res: 48 },
  { name: 'mobilenetV1', build: (o) => models.mobilenetV1({ width: 0.25, ...o }), res: 32 },
  { name: 'squeezenet', build: (o) => models.squeezenet(o), res: 33 },
  { name: 'efficientnetB0', build: (o) => models.efficientnetB0(o), res: 32 },
];

/** Unit-variance input, the scale the BatchNorm statistics are calibrated for. */
function image(n: number, res: number, seed: number): Tensor<'float32'> {
  return new Tensor('float32', [n, 3, res, res], randomFloats(n * 3 * res * res, seed, -Math.sqrt(3), Math.sqrt(3)));
}

function weightsOf(g: Graph): Map<string, Float32Array> {
  return new Map([...g.initializers].map(([k, w]) => [k, (w as Tensor).data as Float32Array]));
}

/** One build per configuration, shared by the tests that only read it (builds calibrate BN: not free). */
const cache = new Map<string, Graph>();
function cached(name: string, make: () => Graph): Graph {
  if (!cache.has(name)) cache.set(name, make());
  return cache.get(name)!;
}

describe.each(SMALL)('$name (small)', ({ name, build, res }) => {
  const small = () => cached(name, () => build({ seed: 1, classes: 10, resolution: res }));

  it('builds a valid graph with input [N, 3, res, res] and logits [N, classes]', () => {
    const g = small();
    expect(g.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['N', 3, res, res] }]);
    expect(g.outputs).toEqual([{ name: 'logits', dtype: 'float32', shape: ['N', 10] }]);
    // Initializers are the weights only: float32 tensors, no scalars or shape vectors.
    for (const [name, w] of g.initializers) {
      expect(w instanceof Tensor && w.dtype === 'float32' && w.shape.length >= 1, name).toBe(true);
    }
  });

  it('runs on the CPU with finite, input-dependent logits of the right shape for any batch', async () => {
    const s = await InferenceSession.create(small(), { backend: 'cpu' });
    const x = image(2, res, 3);
    const out = await s.run({ input: x });
    expect(out.logits.shape).toEqual([2, 10]);
    const y = Array.from(out.logits.data as Float32Array);
    expect(y.every(Number.isFinite)).toBe(true);
    const rms = Math.sqrt(y.reduce((a, v) => a + v * v, 0) / y.length);
    expect(rms).toBeGreaterThan(1e-3);
    expect(rms).toBeLessThan(100);
    expect(y.slice(0, 10)).not.toEqual(y.slice(10)); // the two images give different logits
    // Batch 1 on the same session gives the first row again (rows are independent).
    const one = await s.run({ input: new Tensor('float32', [1, 3, res, res], (x.data as Float32Array).slice(0, 3 * res * res)) });
    const first = Array.from(one.logits.data as Float32Array);
    first.forEach((v, i) => expect(v).toBeCloseTo(y[i], 4));
    s.dispose();
  });

  it('is deterministic: same seed, identical weights; another seed, different weights', () => {
    const a = weightsOf(small());
    const b = weightsOf(build({ seed: 1, classes: 10, resolution: res }));
    const c = weightsOf(build({ seed: 2, classes: 10, resolution: res }));
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) {
      expect(Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(b.get(k)!.buffer, b.get(k)!.byteOffset, b.get(k)!.byteLength)), k).toBe(true);
    }
    const differ = [...a].filter(([k, v]) => v.length > 1 && v.some((x, i) => x !== c.get(k)![i]));
    // Every weight with more than one element differs (zero-padding-free tensors of seeded noise).
    expect(differ.length).toBe([...a.values()].filter((v) => v.length > 1).length);
  });

  it('takes a fixed batch size', () => {
    const g = build({ classes: 3, resolution: res, batch: 4 });
    expect(g.inputs[0].shape).toEqual([4, 3, res, res]);
    expect(g.outputs[0].shape).toEqual([4, 3]);
  });

  it('rejects bad options with an error naming the option', () => {
    expect(() => build({ classes: 0, resolution: res })).toThrow(/option 'classes' must be a positive integer, got 0/);
    expect(() => build({ classes: 10, resolution: 2.5 })).toThrow(/option 'resolution' must be a positive integer, got 2.5/);
    expect(() => build({ seed: 1.5, classes: 10, resolution: res })).toThrow(/'seed' must be an integer/);
    expect(() => build({ classes: 10, resolution: res, batch: -1 })).toThrow(/option 'batch' must be a positive integer, got -1/);
  });
});

// Width 1.0 / 1000 classes at resolution 32: parameter counts do not depend on the resolution.
const mobilenetV2Full = () => cached('mobilenetV2-1.0', () => models.mobilenetV2({ width: 1.0, resolution: 32, classes: 1000 }));

describe('architecture details', () => {
  it("makeDivisible matches torchvision's _make_divisible", () => {
    expect([32 * 0.35, 16 * 0.35, 24 * 0.35, 320 * 0.35, 1280 * 1.4, 32 * 0.5, 96 * 0.75].map((v) => makeDivisible(v)))
      .toEqual([16, 8, 8, 112, 1792, 16, 72]);
  });

  it('MobileNetV2: ReLU6 is Clip(0, 6), BN nodes are explicit, residual Adds where stride 1 and channels match', () => {
    const g = mobilenetV2Full();
    const count = (op: string) => g.nodes.filter((n) => n.op === op).length;
    expect(count('Conv')).toBe(52);
    expect(count('BatchNormalization')).toBe(52);
    expect(count('Clip')).toBe(35);
    expect(count('Add')).toBe(10);
    expect(count('Gemm')).toBe(1);
    expect(g.initializers.get('features.18.0.weight')!.shape).toEqual([1280, 320, 1, 1]);
    expect(g.initializers.get('features.2.conv.1.0.weight')!.shape).toEqual([96, 1, 3, 3]); // depthwise
    expect(g.initializers.get('classifier.1.weight')!.shape).toEqual([1000, 1280]);
    // Width 1.4 widens the last conv to 1792 (1280 * max(1, width)).
    expect(models.mobilenetV2({ width: 1.4, resolution: 32, classes: 10 }).initializers.get('features.18.0.weight')!.shape).toEqual([1792, 448, 1, 1]);
  });

  it('SqueezeNet 1.1: ceil-mode pools, fire modules concatenated, Dropout, conv classifier', () => {
    const g = models.squeezenet({ resolution: 224, classes: 1000 });
    expect(g.nodes.filter((n) => n.op === 'MaxPool').every((n) => n.attrs.ceil_mode === 1)).toBe(true);
    expect(g.nodes.filter((n) => n.op === 'Concat')).toHaveLength(8);
    expect(g.nodes.filter((n) => n.op === 'Dropout')).toHaveLength(1);
    expect(g.initializers.get('classifier.1.weight')!.shape).toEqual([1000, 512, 1, 1]);
    expect(() => models.squeezenet({ resolution: 24 })).toThrow(/'resolution' must be at least 25/);
    expect(models.squeezenet({ resolution: 25, classes: 4 }).outputs[0].shape).toEqual(['N', 4]);
  });

  it('EfficientNet-B0: SiLU as x * Sigmoid(x), squeeze-excitation on every block', () => {
    const g = cached('efficientnetB0', () => models.efficientnetB0({ seed: 1, resolution: 32, classes: 10 }));
    const sig = g.nodes.filter((n) => n.op === 'Sigmoid');
    // Stem and head SiLU; first block: depthwise SiLU, SE SiLU, SE gate; 15 more: expand, depthwise, SE SiLU and gate.
    expect(sig).toHaveLength(2 + 3 + 15 * 4);
    expect(g.nodes.filter((n) => n.op === 'GlobalAveragePool')).toHaveLength(16 + 1);
    expect(g.initializers.get('features.6.3.block.2.fc1.weight')!.shape).toEqual([48, 1152, 1, 1]);
    expect(g.initializers.get('features.6.3.block.1.0.weight')!.shape).toEqual([1152, 1, 5, 5]);
  });
});

describe('parameter counts match the reference implementations', () => {
  // Counts do not depend on the resolution; 32 keeps the BN calibration pass cheap.
  it("MobileNetV2 1.0: torchvision's 3,504,872 learnable parameters plus 34,112 BN running statistics", () => {
    const g = mobilenetV2Full();
    expect(models.learnableParameterCount(g)).toBe(3_504_872);
    expect(g.parameterCount).toBe(3_504_872 + 34_112);
  });
  it("MobileNetV1 1.0: Keras MobileNet's 4,253,864 weights (4,231,976 trainable)", () => {
    const g = models.mobilenetV1({ width: 1.0, resolution: 32, classes: 1000 });
    expect(g.parameterCount).toBe(4_253_864);
    expect(models.learnableParameterCount(g)).toBe(4_231_976);
  });
  it("SqueezeNet 1.1: torchvision's 1,235,496", () => {
    expect(models.squeezenet({ resolution: 32, classes: 1000 }).parameterCount).toBe(1_235_496);
  });
  it("EfficientNet-B0: torchvision's 5,288,548 learnable parameters", () => {
    expect(models.learnableParameterCount(models.efficientnetB0({ resolution: 32, classes: 1000 }))).toBe(5_288_548);
  });
});
