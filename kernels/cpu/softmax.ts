import type { SoftmaxAttrs } from '../../src/ops/softmax.js';
import { cpuKernel } from '../types.js';

/** The tensor as [outer, n, inner] around the softmax axis. */
interface SoftmaxPlan { outer: number; n: number; inner: number }

export const softmax = cpuKernel<SoftmaxAttrs, SoftmaxPlan>({
  prepare(attrs, inputs) {
    const s = inputs[0].shape, ax = attrs.axis < 0 ? attrs.axis + s.length : attrs.axis;
    const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
    return { outer: prod(s.slice(0, ax)), n: s[ax], inner: prod(s.slice(ax + 1)) };
  },
  // Column case (inner > 1) keeps a running max and sum per column in scratch, so every pass
  // walks memory contiguously instead of striding by `inner`.
  scratchBytes: (p) => (p.inner > 1 ? 8 * p.inner : 0),
  run(inputs, { outer, n, inner }, outputs, scratch) {
    const x = inputs[0]!.data as Float32Array, y = outputs[0].data as Float32Array;
    if (inner === 1) {
      for (let o = 0, base = 0; o < outer; o++, base += n) softmaxRow(x, y, base, n);
      return;
    }
    const block = n * inner;
    for (let o = 0, base = 0; o < outer; o++, base += block) softmaxColumns(x, y, base, n, inner, scratch);
  },
});

function softmaxRow(x: Float32Array, y: Float32Array, base: number, n: number): void {
  const end = base + n;
  let max = -Infinity;
  for (let i = base; i < end; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = base; i < end; i++) { const e = Math.exp(x[i] - max); y[i] = e; sum += e; }
  const inv = 1 / sum;
  for (let i = base; i < end; i++) y[i] *= inv;
}

function softmaxColumns(x: Float32Array, y: Float32Array, base: number, n: number, inner: number, scratch: Float32Array): void {
  // scratch[0, inner): max per column; scratch[inner, 2 inner): sum per column.
  scratch.fill(-Infinity, 0, inner);
  scratch.fill(0, inner, 2 * inner);
  for (let k = 0, row = base; k < n; k++, row += inner) {
    for (let j = 0; j < inner; j++) if (x[row + j] > scratch[j]) scratch[j] = x[row + j];
  }
  for (let k = 0, row = base; k < n; k++, row += inner) {
    for (let j = 0; j < inner; j++) { const e = Math.exp(x[row + j] - scratch[j]); y[row + j] = e; scratch[inner + j] += e; }
  }
  for (let j = 0; j < inner; j++) scratch[inner + j] = 1 / scratch[inner + j];
  for (let k = 0, row = base; k < n; k++, row += inner) {
    for (let j = 0; j < inner; j++) y[row + j] *= scratch[inner + j];
  }
}
