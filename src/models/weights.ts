import { Tensor } from '../tensor.js';

/**
 * Seeded, deterministic weights for the model builders.
 *
 * Every tensor gets its own generator, seeded from (model seed, tensor name), so a weight does
 * not depend on the order tensors are made in or on which other layers a config has: the same
 * seed gives identical weights, a different seed different ones. No state outlives a call.
 *
 * Scales keep activations finite and O(1) through deep nets without training: std
 * sqrt(gain / fanIn) with the gain of the activation that follows (He's 2 for ReLU, see GAIN),
 * and BatchNormalization running statistics measured on a seeded probe input (calibrate.ts),
 * so every BN normalizes as a trained one does.
 */
export class Rng {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) { this.state = seed >>> 0; }

  /** mulberry32: uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Standard normal by Marsaglia's polar method (no trig: twice as fast as Box-Muller in V8,
   * which matters for DistilBERT-base's 66M weights); the pair's second value is kept.
   */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let x: number, y: number, r: number;
    do {
      x = 2 * this.uniform() - 1;
      y = 2 * this.uniform() - 1;
      r = x * x + y * y;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    this.spare = y * f;
    return x * f;
  }
}

/** A generator for one named tensor of one seeded model (FNV-1a of the name, mixed with the seed). */
export function rngFor(seed: number, name: string): Rng {
  if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  let h = 0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  // Mix the final hash so names that differ only in their last character still diverge early.
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13;
  return new Rng(h >>> 0);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** float32 tensor of normal(mean, std) values. */
export function normal(seed: number, name: string, shape: number[], std: number, mean = 0): Tensor<'float32'> {
  const rng = rngFor(seed, name), data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor('float32', shape, data);
}

/** float32 tensor of uniform values in [lo, hi). */
export function uniform(seed: number, name: string, shape: number[], lo: number, hi: number): Tensor<'float32'> {
  const rng = rngFor(seed, name), data = new Float32Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return new Tensor('float32', shape, data);
}

/**
 * Variance gains: what a weight's std must be scaled by (std sqrt(gain / fanIn)) so a layer
 * followed by this activation keeps E[x^2] about constant. ReLU halves it (He's 2); SiLU keeps
 * E[silu(z)^2] = 1 for z ~ N(0, 2.4) (numerically: 0.355 at unit variance).
 */
export const GAIN = { linear: 1, relu: 2, silu: 2.4 } as const;

/** std sqrt(gain / fanIn): He-normal for gain 2, variance-preserving linear for gain 1. */
export function scaledNormal(seed: number, name: string, shape: number[], fanIn: number, gain: number): Tensor<'float32'> {
  return normal(seed, name, shape, Math.sqrt(gain / fanIn));
}

/** He-normal: std sqrt(2 / fanIn), for weights followed by ReLU or ReLU6. */
export function heNormal(seed: number, name: string, shape: number[], fanIn: number): Tensor<'float32'> {
  return scaledNormal(seed, name, shape, fanIn, GAIN.relu);
}

/** Variance-preserving for a linear (no activation) layer: std 1 / sqrt(fanIn). */
export function linearNormal(seed: number, name: string, shape: number[], fanIn: number): Tensor<'float32'> {
  return scaledNormal(seed, name, shape, fanIn, GAIN.linear);
}

/** Fan-in of a conv weight [M, C/group, kH, kW] or a Linear weight [out, in]. */
export function fanIn(shape: readonly number[]): number {
  return size(shape.slice(1));
}

/** BatchNormalization's four inputs. */
export interface BatchNormParams {
  scale: Tensor<'float32'>;
  bias: Tensor<'float32'>;
  mean: Tensor<'float32'>;
  variance: Tensor<'float32'>;
}

/**
 * BN parameters: scale in [0.8, 1.2) times `gain`, bias normal(0, 0.05); running mean 0 and
 * variance 1 are placeholders that calibrateBatchNorm replaces with the statistics a forward
 * pass actually sees. A gain below 1 on a residual branch's last BN keeps the trunk from
 * growing block after block (what zero-init-residual does in training, without making the
 * branch vanish).
 */
export function batchNorm(seed: number, name: string, channels: number, gain = 1): BatchNormParams {
  return {
    scale: uniform(seed, `${name}.weight`, [channels], 0.8 * gain, 1.2 * gain),
    bias: normal(seed, `${name}.bias`, [channels], 0.05),
    mean: new Tensor('float32', [channels]),
    variance: new Tensor('float32', [channels], new Float32Array(channels).fill(1)),
  };
}
