import type { GemmAttrs } from '../../src/ops/gemm.js';
import { webglKernel } from './types.js';
import { activate, checkFloat, divmod, kernelSource, lit } from './source.js';

/** Gemm / FusedGemm: Y = act(alpha * A' B' + beta * C), C broadcast to [M, N]. */
export const gemm = webglKernel<GemmAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const [M, N] = outputs[0].shape;
    const a = inputs[0]!.shape, K = attrs.transA ? a[0] : a[1];
    const aAt = attrs.transA ? `a[k * ${M} + m]` : `a[m * ${K} + k]`;
    const bAt = attrs.transB ? `b[n * ${K} + k]` : `b[k * ${N} + n]`;
    const body = [
      ...divmod('this.thread.x', N, 'm', 'n'),
      'let acc = 0;',
      `for (let k = 0; k < ${K}; k++) { acc += ${aAt} * ${bAt}; }`,
    ];
    if (attrs.alpha !== 1) body.push(`acc = acc * ${lit(attrs.alpha)};`);
    const c = inputs[2];
    const args = ['a', 'b'];
    if (c && attrs.beta !== 0) {
      // C is rank <= 2 and broadcasts unidirectionally to [M, N].
      const cs = c.shape, cM = cs.length === 2 ? cs[0] : 1, cN = cs.length >= 1 ? cs[cs.length - 1] : 1;
      const at = `${cM === 1 ? '0' : `m * ${cN}`} + ${cN === 1 ? '0' : 'n'}`;
      body.push(`acc += ${attrs.beta === 1 ? '' : `${lit(attrs.beta)} * `}c[${at}];`);
      args.push('c');
    }
    body.push(...activate('acc', attrs.activation), 'return acc;');
    return { source: kernelSource(args, body), outputSize: M * N, inputs: args.map((_, i) => i) };
  },
});
