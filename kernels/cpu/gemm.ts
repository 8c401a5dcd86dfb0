import type { Activation, GemmAttrs } from '../../src/ops/gemm.js';
import { cpuKernel } from '../types.js';
import { sgemm, sgemmWorkspaceFloats } from './sgemm.js';
import { gemmEpilogue, type GemmEpilogue } from './gemm-epilogue.js';
import type { ParallelGemm } from './parallel.js';
import { geluErf, geluTanh } from './gelu.js';

/** Epilogue activation as a plan-time code, so run() switches once per row, not per element. */
export interface ActivationPlan { code: number; lo: number; hi: number }

const CODES: Record<Activation['kind'], number> = { relu: 1, clip: 2, sigmoid: 3, silu: 4, gelu: 5, gelu_tanh: 6 };

export function planActivation(act: Activation | undefined): ActivationPlan {
  if (!act) return { code: 0, lo: -Infinity, hi: Infinity };
  return { code: CODES[act.kind], lo: act.min ?? -Infinity, hi: act.max ?? Infinity };
}

/** Apply the fused activation in place to y[off, off + n). */
export function activate(y: Float32Array, off: number, n: number, act: ActivationPlan): void {
  const end = off + n, lo = act.lo, hi = act.hi;
  switch (act.code) {
    case 1: for (let i = off; i < end; i++) { const v = y[i]; y[i] = v > 0 ? v : 0; } break;
    case 2: for (let i = off; i < end; i++) { const v = y[i]; y[i] = v < lo ? lo : v > hi ? hi : v; } break;
    case 3: for (let i = off; i < end; i++) y[i] = 1 / (1 + Math.exp(-y[i])); break;
    case 4: for (let i = off; i < end; i++) { const v = y[i]; y[i] = v / (1 + Math.exp(-v)); } break;
    case 5: for (let i = off; i < end; i++) y[i] = geluErf(y[i]); break;
    case 6: for (let i = off; i < end; i++) y[i] = geluTanh(y[i]); break;
  }
}

interface GemmPlan {
  M: number; N: number; K: number;
  rsA: number; csA: number; rsB: number; csB: number;
  alpha: number; beta: number;
  /** C's strides over [M, N] (0 along a broadcast dim); -1 row stride when C is absent or beta = 0. */
  rsC: number; csC: number;
  act: ActivationPlan;
  /** Set when C is absent or a bias vector (alpha = beta = 1): the GEMM applies C and the activation in its tile stores. */
  fused?: GemmEpilogue;
}

export const gemm = cpuKernel<GemmAttrs, GemmPlan>({
  prepare(attrs, inputs, outputs) {
    const [M, N] = outputs[0].shape, a = inputs[0].shape, b = inputs[1].shape;
    const K = attrs.transA ? a[0] : a[1];
    // A transpose is a stride swap: A^T[i, k] = A[k, i].
    const [rsA, csA] = attrs.transA ? [1, a[1]] : [a[1], 1];
    const [rsB, csB] = attrs.transB ? [1, b[1]] : [b[1], 1];
    let rsC = -1, csC = 0;
    const c = inputs[2]?.shape;
    if (inputs.length > 2 && c && attrs.beta !== 0) {
      const rows = c.length === 2 ? c[0] : 1, cols = c.length >= 1 ? c[c.length - 1] : 1;
      rsC = rows === 1 ? 0 : cols;
      csC = cols === 1 ? 0 : 1;
    }
    const act = attrs.activation, perCol = rsC === 0 && csC === 1, perRow = rsC === 1 && csC === 0;
    const fusable = attrs.alpha === 1 && (rsC < 0 || (attrs.beta === 1 && (perCol || perRow)));
    const fused = fusable ? gemmEpilogue(act?.kind, act?.min, act?.max, perRow) : undefined;
    return { M, N, K, rsA, csA, rsB, csB, alpha: attrs.alpha, beta: attrs.beta, rsC, csC, act: planActivation(act), fused };
  },
  scratchBytes: (p) => sgemmWorkspaceFloats(p.M, p.N, p.K) * 4,
  run(inputs, p, outputs, scratch, par?: ParallelGemm) {
    const a = inputs[0]!.data as Float32Array, b = inputs[1]!.data as Float32Array, y = outputs[0].data as Float32Array;
    const { M, N, alpha, beta, csC, act } = p;
    const c = inputs[2]?.data;
    const rsC = c ? p.rsC : -1;
    if (p.fused) {
      sgemm(M, N, p.K, a, 0, p.rsA, p.csA, b, 0, p.rsB, p.csB, y, 0, N, false, scratch, 0, p.fused, rsC >= 0 ? c as Float32Array : undefined, 0, par);
      return;
    }
    sgemm(M, N, p.K, a, 0, p.rsA, p.csA, b, 0, p.rsB, p.csB, y, 0, N, false, scratch, 0, undefined, undefined, 0, par);
    if (alpha === 1 && rsC < 0 && act.code === 0) return;
    for (let i = 0, row = 0; i < M; i++, row += N) {
      if (rsC >= 0) {
        for (let j = 0, ci = i * rsC; j < N; j++, ci += csC) y[row + j] = alpha * y[row + j] + beta * c![ci];
      } else if (alpha !== 1) {
        for (let j = row; j < row + N; j++) y[j] *= alpha;
      }
      activate(y, row, N, act);
    }
  },
});
