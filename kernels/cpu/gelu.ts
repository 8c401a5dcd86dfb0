import type { GeluAttrs } from '../../src/ops/gelu.js';
import { cpuKernel } from '../types.js';
import { erf } from './erf.js';

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU: x * Phi(x). */
export function geluErf(x: number): number { return 0.5 * x * (1 + erf(x * SQRT1_2)); }

/** tanh approximation (approximate = 'tanh', GPT-2's "gelu_new"). */
export function geluTanh(x: number): number { return 0.5 * x * (1 + Math.tanh(SQRT_2_PI * (x + 0.044715 * x * x * x))); }

export const gelu = cpuKernel<GeluAttrs>({
  run(inputs, attrs, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data, n = y.length;
    if (attrs.approximate === 'tanh') for (let i = 0; i < n; i++) y[i] = geluTanh(x[i]);
    else for (let i = 0; i < n; i++) y[i] = geluErf(x[i]);
  },
});
