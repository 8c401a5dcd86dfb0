import type { MatMulAttrs } from '../../src/ops/matmul.js';
import { webglKernel } from './types.js';
import { activate, checkFloat, kernelSource, size, unravel } from './source.js';

/**
 * MatMul (numpy semantics, batch dims broadcast) and FusedMatMul (+ bias [N], activation): one
 * output element per thread, a K-long dot product, then the epilogue.
 */
export const matMul = webglKernel<MatMulAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const a = inputs[0]!.shape, b = inputs[1]!.shape;
    const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
    const M = A[A.length - 2], K = A[A.length - 1], N = B[B.length - 1];
    const rank = Math.max(A.length, B.length) - 2;
    const batch = Array.from({ length: rank }, (_, d) => Math.max(dimAt(A, d, rank), dimAt(B, d, rank)));
    const body = unravel('this.thread.x', [...batch, M, N], 'o');
    const m = `o${rank}`, n = `o${rank + 1}`;
    // Batch offsets: a broadcast (size-1 or missing) dim contributes nothing.
    const offset = (S: readonly number[], inner: number) => {
      const terms: string[] = [];
      let stride = inner;
      for (let d = rank - 1; d >= 0; d--) {
        if (dimAt(S, d, rank) !== 1) terms.push(`o${d} * ${stride}`);
        stride *= dimAt(S, d, rank);
      }
      return terms.length ? terms.join(' + ') : '0';
    };
    body.push(
      `let aBase = ${offset(A, M * K)} + ${m} * ${K};`,
      `let bBase = ${offset(B, K * N)} + ${n};`,
      'let acc = 0;',
      `for (let k = 0; k < ${K}; k++) { acc += a[aBase + k] * b[bBase + k * ${N}]; }`,
    );
    if (attrs.bias) body.push(`acc += bias[${n}];`);
    body.push(...activate('acc', attrs.activation), 'return acc;');
    const args = attrs.bias ? ['a', 'b', 'bias'] : ['a', 'b'];
    return { source: kernelSource(args, body), outputSize: size(outputs[0].shape), inputs: args.map((_, i) => i) };
  },
});

/** Dim d of the right-aligned batch dims of S (1 where S has fewer). */
function dimAt(S: readonly number[], d: number, rank: number): number {
  const k = d - (rank - (S.length - 2));
  return k >= 0 ? S[k] : 1;
}
