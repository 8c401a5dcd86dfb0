import type { RefTensor } from './tensor.js';

/** erf to ~1e-15: Maclaurin series near 0, continued fraction for erfc in the tails. */
export function erf64(x: number): number {
  if (Math.abs(x) < 3) {
    let sum = 0, term = x;
    for (let n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const a = Math.abs(x);
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (a + f);
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}

export const UNARY_REF: Record<string, (x: number, alpha: number, beta: number) => number> = {
  Relu: (x) => Math.max(x, 0),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: (x) => Math.tanh(x),
  Erf: (x) => erf64(x),
  Sqrt: (x) => Math.sqrt(x),
  Exp: (x) => Math.exp(x),
  Log: (x) => Math.log(x),
  Neg: (x) => -x,
  Abs: (x) => Math.abs(x),
  Reciprocal: (x) => 1 / x,
  Floor: (x) => Math.floor(x),
  Ceil: (x) => Math.ceil(x),
  Softplus: (x) => Math.log(1 + Math.exp(x)),
  HardSigmoid: (x, a, b) => Math.max(0, Math.min(1, a * x + b)),
  HardSwish: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  LeakyRelu: (x, a) => (x >= 0 ? x : a * x),
  Not: (x) => (x ? 0 : 1),
};

export function unaryRef(op: string, x: RefTensor, alpha = 0, beta = 0): RefTensor {
  const f = UNARY_REF[op];
  return { shape: x.shape.slice(), data: x.data.map((v) => f(v, alpha, beta)) };
}
