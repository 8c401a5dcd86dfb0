import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { GraphBuilder, Value } from '../graph/builder.js';
import { GAIN, batchNorm, fanIn, linearNormal, normal, scaledNormal } from './weights.js';

/** How a conv's output is activated. SiLU is written x * Sigmoid(x), ReLU6 Clip(x, 0, 6): what exporters emit. */
export type Activation = 'relu' | 'relu6' | 'silu' | 'sigmoid' | 'none';

export interface ConvSpec {
  /** Weight name prefix, torchvision style ('features.0.0'): initializers are `${name}.weight`/`.bias`. */
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  /** Default (kernel - 1) / 2: 'same' for odd kernels at stride 1. */
  pad?: number;
  group?: number;
  bias?: boolean;
  /** Which activation follows (possibly after a BN): sets the weight's variance gain. Default 'none'. */
  act?: Activation;
}

/**
 * The shared state of one convnet build: the builder, the seed, and constants created once.
 * Small constants (shape vectors, scalars) are Constant nodes, not initializers, so a graph's
 * initializers are exactly its weights, as in PyTorch's parameter and buffer lists.
 */
export class NetBuilder {
  private readonly consts = new Map<string, Value>();

  constructor(readonly b: GraphBuilder, readonly seed: number) {}

  /** A small constant as a Constant node, shared by every use of the same value. */
  constant(dtype: DType, values: number[], shape: number[]): Value {
    const key = `${dtype}|${shape.join('x')}|${values.join(',')}`;
    let v = this.consts.get(key);
    if (!v) {
      const t = new Tensor(dtype, shape, dtype === 'int64' ? values.map(BigInt) : values);
      v = this.b.node('Constant', [], { value: t }, { name: 'const' })[0];
      this.consts.set(key, v);
    }
    return v;
  }
  scalar(x: number): Value { return this.constant('float32', [x], []); }
  ints(values: number[]): Value { return this.constant('int64', values, [values.length]); }

  weight(name: string, t: Tensor): Value { return this.b.constant(t, name); }

  activate(x: Value, act: Activation, name: string): Value {
    const b = this.b;
    switch (act) {
      case 'none': return x;
      case 'relu': return b.op('Relu', [x], {}, `${name}.relu`);
      case 'relu6': return b.op('Clip', [x, this.scalar(0), this.scalar(6)], {}, `${name}.relu6`);
      case 'sigmoid': return b.op('Sigmoid', [x], {}, `${name}.sigmoid`);
      case 'silu': return b.op('Mul', [x, b.op('Sigmoid', [x], {}, `${name}.sigmoid`)], {}, `${name}.silu`);
    }
  }

  /** Conv2d with seeded weights [out, in/group, k, k] (and bias [out] when asked). */
  conv(x: Value, s: ConvSpec): Value {
    const group = s.group ?? 1, stride = s.stride ?? 1, pad = s.pad ?? (s.kernel - 1) >> 1;
    const shape = [s.outChannels, s.inChannels / group, s.kernel, s.kernel];
    if (!Number.isInteger(shape[1])) throw new Error(`${s.name}: ${s.inChannels} input channels are not divisible by group ${group}`);
    const w = this.weight(`${s.name}.weight`, scaledNormal(this.seed, `${s.name}.weight`, shape, fanIn(shape), gainOf(s.act ?? 'none')));
    const bias = s.bias ? this.weight(`${s.name}.bias`, normal(this.seed, `${s.name}.bias`, [s.outChannels], 0.05)) : undefined;
    return this.b.op('Conv', [x, w, bias], {
      dilations: [1, 1], group, kernel_shape: [s.kernel, s.kernel], pads: [pad, pad, pad, pad], strides: [stride, stride],
    }, s.name);
  }

  /** Explicit BatchNormalization (inference form), as PyTorch exports it before any folding. */
  batchNorm(x: Value, name: string, channels: number, gain = 1, epsilon = 1e-5): Value {
    const p = batchNorm(this.seed, name, channels, gain);
    return this.b.op('BatchNormalization', [
      x, this.weight(`${name}.weight`, p.scale), this.weight(`${name}.bias`, p.bias),
      this.weight(`${name}.running_mean`, p.mean), this.weight(`${name}.running_var`, p.variance),
    ], { epsilon, momentum: 0.9 }, name);
  }

  /** Conv -> BN -> activation (torchvision's Conv2dNormActivation): conv weights `${prefix}.0`, BN `${prefix}.1`. */
  convBnAct(x: Value, prefix: string, spec: Omit<ConvSpec, 'name'>, act: Activation, bnGain = 1): Value {
    const y = this.conv(x, { ...spec, name: `${prefix}.0`, act });
    return this.activate(this.batchNorm(y, `${prefix}.1`, spec.outChannels, bnGain), act, prefix);
  }

  /** GlobalAveragePool -> Flatten -> Gemm(transB) with a [classes, features] weight: torchvision's head as exported. */
  classifierHead(x: Value, name: string, features: number, classes: number): Value {
    const b = this.b;
    const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x], {}, 'avgpool')], { axis: 1 }, 'flatten');
    const w = this.weight(`${name}.weight`, linearNormal(this.seed, `${name}.weight`, [classes, features], features));
    const bias = this.weight(`${name}.bias`, normal(this.seed, `${name}.bias`, [classes], 0.05));
    return b.op('Gemm', [pooled, w, bias], { alpha: 1, beta: 1, transB: 1 }, name);
  }
}

function gainOf(act: Activation): number {
  return act === 'relu' || act === 'relu6' ? GAIN.relu : act === 'silu' ? GAIN.silu : GAIN.linear;
}

/** torchvision's _make_divisible: round to a multiple of `divisor`, never below 90% of v. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Shared option checks: positive integers where the builders need them. */
export function checkPositiveInt(model: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${model}: option '${name}' must be a positive integer, got ${String(v)}`);
  return v;
}

export function checkBatch(model: string, batch: unknown, def: string): number | string {
  if (batch === undefined) return def;
  if (typeof batch === 'string' && batch.length) return batch;
  return checkPositiveInt(model, 'batch', batch);
}
