import type { BinaryAttrs, BinaryOpName } from '../../src/ops/binary.js';
import type { KernelData } from '../../src/dtype.js';
import { cpuKernel, type KMeta } from '../types.js';

const CODES: Record<BinaryOpName, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Max: 5, Min: 6, Equal: 7, Less: 8, Greater: 9, And: 10, Or: 11 };

/**
 * Broadcast plan: output dims coalesced where both inputs are contiguous across them, so the
 * common cases (same shape, scalar, bias row) become one long inner loop.
 */
export interface BinaryPlan {
  code: number;
  intDiv: boolean;
  outShape: number[];
  aStrides: number[];
  bStrides: number[];
  /** Odometer for the outer dims; kernels run synchronously, so one per plan suffices. */
  idx: Int32Array;
}

export function planBroadcast(a: readonly number[], b: readonly number[], out: readonly number[]): { shape: number[]; as: number[]; bs: number[] } {
  const r = out.length;
  const pad = (s: readonly number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const pa = pad(a), pb = pad(b);
  const st = (s: number[]) => { const o = new Array<number>(r); let acc = 1; for (let i = r - 1; i >= 0; i--) { o[i] = s[i] === 1 ? 0 : acc; acc *= s[i]; } return o; };
  const sa = st(pa), sb = st(pb);
  const shape: number[] = [], as: number[] = [], bs: number[] = [];
  for (let i = 0; i < r; i++) {
    if (out[i] === 1) continue;
    const k = shape.length - 1;
    // Merge dim i into the previous one when each input steps through both contiguously (or not at all).
    if (k >= 0 && as[k] === sa[i] * out[i] && bs[k] === sb[i] * out[i]) {
      shape[k] *= out[i]; as[k] = sa[i]; bs[k] = sb[i];
    } else { shape.push(out[i]); as.push(sa[i]); bs.push(sb[i]); }
  }
  if (shape.length === 0) { shape.push(1); as.push(0); bs.push(0); }
  return { shape, as, bs };
}

export const binary = cpuKernel<BinaryAttrs, BinaryPlan>({
  prepare(attrs, inputs: readonly KMeta[], outputs: readonly KMeta[]) {
    const p = planBroadcast(inputs[0].shape, inputs[1].shape, outputs[0].shape);
    const t = inputs[0].dtype;
    return { code: CODES[attrs.op], intDiv: t !== 'float32' && t !== 'float16', outShape: p.shape, aStrides: p.as, bStrides: p.bs, idx: new Int32Array(p.shape.length) };
  },
  run(inputs, p, outputs) {
    const a = inputs[0]!.data, b = inputs[1]!.data, o = outputs[0].data;
    if (o.length === 0) return;
    const r = p.outShape.length, n = p.outShape[r - 1], sa = p.aStrides[r - 1], sb = p.bStrides[r - 1];
    if (r === 1) { loop(p.code, p.intDiv, a, 0, sa, b, 0, sb, o, 0, n); return; }
    // Odometer over the outer dims; the innermost dim is one loop call.
    const idx = p.idx;
    idx.fill(0);
    let ai = 0, bi = 0;
    for (let oi = 0; oi < o.length; oi += n) {
      loop(p.code, p.intDiv, a, ai, sa, b, bi, sb, o, oi, n);
      for (let d = r - 2; d >= 0; d--) {
        ai += p.aStrides[d]; bi += p.bStrides[d];
        if (++idx[d] < p.outShape[d]) break;
        ai -= p.aStrides[d] * p.outShape[d]; bi -= p.bStrides[d] * p.outShape[d]; idx[d] = 0;
      }
    }
  },
});

function loop(code: number, intDiv: boolean, a: KernelData, ai: number, sa: number, b: KernelData, bi: number, sb: number, o: KernelData, oi: number, n: number): void {
  const end = oi + n;
  switch (code) {
    case 0: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] + b[bi]; break;
    case 1: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] - b[bi]; break;
    case 2: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] * b[bi]; break;
    case 3:
      if (intDiv) for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = Math.trunc(a[ai] / b[bi]);
      else for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] / b[bi];
      break;
    case 4: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = Math.pow(a[ai], b[bi]); break;
    case 5: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] >= b[bi] || a[ai] !== a[ai] ? a[ai] : b[bi]; break;
    case 6: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] <= b[bi] || a[ai] !== a[ai] ? a[ai] : b[bi]; break;
    case 7: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] === b[bi] ? 1 : 0; break;
    case 8: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] < b[bi] ? 1 : 0; break;
    case 9: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] > b[bi] ? 1 : 0; break;
    case 10: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] && b[bi] ? 1 : 0; break;
    case 11: for (; oi < end; oi++, ai += sa, bi += sb) o[oi] = a[ai] || b[bi] ? 1 : 0; break;
  }
}
