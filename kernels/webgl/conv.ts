import type { ConvAttrs } from '../../src/ops/conv.js';
import { planEpilogue, window2d } from '../cpu/conv.js';
import { webglKernel } from './types.js';
import { activate, checkFloat, divmod, kernelSource, size, unravel, type GlActivation } from './source.js';

/**
 * Conv / FusedConv, 1-D and 2-D NCHW, grouped; a depthwise conv (one input channel per output
 * channel) drops the channel loop. Direct convolution: one output element per thread, taps
 * outside the image skipped (zero padding). The window is resolved by the CPU kernel's own
 * window2d, so both backends agree on padding.
 */
export const conv = webglKernel<ConvAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const x = inputs[0]!.shape, w = inputs[1]!.shape, y = outputs[0].shape;
    const q = window2d(attrs, w.slice(2), x, y);
    const [N, C] = x, M = w[0], Cg = w[1], Mg = M / attrs.group;
    const { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL } = q;
    const depthwise = Cg === 1 && Mg === 1;
    const body = [
      ...unravel('this.thread.x', [N, M, OH, OW], 'o'),
      // o0 = n, o1 = m (output channel), o2 = oh, o3 = ow
      ...(depthwise ? ['let c0 = o1;'] : [...divmod('o1', Mg, 'g', 'mg'), `let c0 = g * ${Cg};`]),
      'let acc = 0;',
    ];
    const tap = (c: string) => [
      `for (let kh = 0; kh < ${KH}; kh++) {`,
      `  let ih = o2 * ${SH} - ${PT} + kh * ${DH};`,
      `  if (ih >= 0 && ih < ${H}) {`,
      `    for (let kw = 0; kw < ${KW}; kw++) {`,
      `      let iw = o3 * ${SW} - ${PL} + kw * ${DW};`,
      `      if (iw >= 0 && iw < ${W}) {`,
      `        acc += x[((o0 * ${C} + ${c}) * ${H} + ih) * ${W} + iw] * w[((o1 * ${Cg} + ${depthwise ? '0' : 'c'}) * ${KH} + kh) * ${KW} + kw];`,
      '      }',
      '    }',
      '  }',
      '}',
    ];
    if (depthwise) body.push(...tap('c0'));
    else body.push(`for (let c = 0; c < ${Cg}; c++) {`, ...tap('c0 + c').map((l) => `  ${l}`), '}');
    const args = ['x', 'w'];
    if (inputs[2]) { body.push('acc += bias[o1];'); args.push('bias'); }
    const e = planEpilogue(attrs.activation);
    body.push(...activate('acc', e.kind === 'none' ? undefined : (e as GlActivation)), 'return acc;');
    return { source: kernelSource(args, body), outputSize: size(y), inputs: args.map((_, i) => i) };
  },
});
