import { randomFloats } from '../util/numerics.js';
import { Tensor } from '../../src/tensor.js';

/** Normally distributed float32 values (Box-Muller over the seeded uniform generator). */
export function normals(n: number, seed: number, std = 1): Float32Array {
  const u = randomFloats(2 * n, seed, 0, 1), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - u[2 * i])) * Math.cos(2 * Math.PI * u[2 * i + 1]);
  return out;
}

export function normalTensor(shape: number[], seed: number, std = 1): Tensor<'float32'> {
  return new Tensor('float32', shape, normals(shape.reduce((a, b) => a * b, 1), seed, std));
}

/** Normalized mean squared error: sum (a - b)^2 / sum b^2. */
export function nmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) { e += (a[i] - b[i]) ** 2; s += b[i] ** 2; }
  return s === 0 ? (e === 0 ? 0 : Infinity) : e / s;
}
