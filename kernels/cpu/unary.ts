import type { UnaryAttrs, UnaryOpName } from '../../src/ops/unary.js';
import { cpuKernel } from '../types.js';
import { erf } from './erf.js';

const CODES: Record<UnaryOpName, number> = {
  Relu: 0, Sigmoid: 1, Tanh: 2, Erf: 3, Sqrt: 4, Exp: 5, Log: 6, Neg: 7, Abs: 8, Reciprocal: 9,
  Floor: 10, Ceil: 11, Softplus: 12, HardSigmoid: 13, HardSwish: 14, LeakyRelu: 15, Not: 16,
};

interface UnaryPlan { code: number; alpha: number; beta: number }

export const unary = cpuKernel<UnaryAttrs, UnaryPlan>({
  prepare: (attrs) => ({ code: CODES[attrs.op], alpha: attrs.alpha, beta: attrs.beta }),
  run(inputs, { code, alpha, beta }, outputs) {
    const x = inputs[0]!.data, y = outputs[0].data, n = y.length;
    switch (code) {
      case 0: for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : 0; } break;
      case 1: for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i])); break;
      case 2: for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); break;
      case 3: for (let i = 0; i < n; i++) y[i] = erf(x[i]); break;
      case 4: for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]); break;
      case 5: for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); break;
      case 6: for (let i = 0; i < n; i++) y[i] = Math.log(x[i]); break;
      case 7: for (let i = 0; i < n; i++) y[i] = -x[i]; break;
      case 8: for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]); break;
      case 9: for (let i = 0; i < n; i++) y[i] = 1 / x[i]; break;
      case 10: for (let i = 0; i < n; i++) y[i] = Math.floor(x[i]); break;
      case 11: for (let i = 0; i < n; i++) y[i] = Math.ceil(x[i]); break;
      case 12: for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 20 ? v : Math.log1p(Math.exp(v)); } break;
      case 13: for (let i = 0; i < n; i++) y[i] = Math.max(0, Math.min(1, alpha * x[i] + beta)); break;
      case 14: for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v * Math.max(0, Math.min(1, v / 6 + 0.5)); } break;
      case 15: for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v >= 0 ? v : alpha * v; } break;
      case 16: for (let i = 0; i < n; i++) y[i] = x[i] ? 0 : 1; break;
    }
  },
});
