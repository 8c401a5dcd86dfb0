import type { ConvActivation } from '../../src/ops/conv.js';
import type { DType } from '../../src/dtype.js';
import type { Window2d } from '../cpu/conv.js';
import { defineProgram, storageType, type Access, type BufferRef, type Dispatch, type GpuEnv, type UniformField } from './types.js';
import { actFunction, actUniforms, actUniformValues, grid1d, header, main1d, storage, uniformBlock, type ActKind } from './snippets.js';
import { dequantFns, QUANT_UNIFORMS, scaleType, type WeightFormat } from './q-weights.js';

/**
 * Depthwise conv (one input channel per group, any channel multiplier), direct: one thread per
 * output element sums its KH x KW window in a register. No reuse to exploit across output
 * channels, so no GEMM tiling; 3x3 windows are unrolled. Weights float, or packed int8/int4
 * (QConv: dequantized as they are read, the int8 row scale applied once per output).
 */
export interface DepthwiseSpec {
  t: 'f32' | 'f16';
  bias: boolean;
  act: ActKind;
  /** KH = KW = 3: the window loops are unrolled. */
  k3: boolean;
  wq: 'none' | WeightFormat;
}

const FIELDS = ['total', 'C', 'M', 'Mg', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL'];

function uniforms(s: DepthwiseSpec): UniformField[] {
  return [...FIELDS.map((name) => ({ name, type: 'u32' as const })), ...(s.wq !== 'none' ? QUANT_UNIFORMS : []), ...actUniforms(s.act)];
}

function bindings(s: DepthwiseSpec): Access[] {
  return ['read', ...(s.wq !== 'none' ? ['read' as const, 'read' as const] : ['read' as const]), ...(s.bias ? ['read' as const] : []), 'read_write'];
}

export const depthwiseProgram = defineProgram<DepthwiseSpec>({
  name: 'depthwise-conv',
  bindings,
  uniforms,
  wgsl(s) {
    const t = s.t;
    let bi = 0;
    const decl = [
      storage(bi++, 'X', t, 'read'),
      s.wq !== 'none' ? `${storage(bi++, 'Wq', 'u32', 'read')}\n${storage(bi++, 'S', scaleType(s.wq), 'read')}` : storage(bi++, 'Wt', t, 'read'),
      s.bias ? storage(bi++, 'bias', t, 'read') : '', storage(bi++, 'Y', t, 'read_write'), uniformBlock(bi, uniforms(s)),
    ].filter(Boolean).join('\n');
    const weight = (kh: string, kw: string) => (s.wq !== 'none' ? `dequant(m, ${kh} * u.KW + ${kw})` : `f32(Wt[wb + ${kh} * u.KW + ${kw}])`);
    const tap = (kh: string, kw: string) => `{
      let ih = ih0 + i32(${kh} * u.DH); let iw = iw0 + i32(${kw} * u.DW);
      if (ih >= 0 && iw >= 0 && ih < i32(u.H) && iw < i32(u.W)) { sum = fma(f32(X[xb + u32(ih) * u.W + u32(iw)]), ${weight(kh, kw)}, sum); }
    }`;
    const loops = s.k3
      ? [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => tap(`${i}u`, `${j}u`))).join('\n    ')
      : `for (var kh = 0u; kh < u.KH; kh++) { for (var kw = 0u; kw < u.KW; kw++) ${tap('kh', 'kw')} }`;
    return `${header([t])}${decl}
${s.wq !== 'none' ? dequantFns(s.wq) : ''}
${actFunction(s.act)}
${main1d(`  if (gi >= u.total) { return; }
  let ow = gi % u.OW; let r0 = gi / u.OW;
  let oh = r0 % u.OH; let r1 = r0 / u.OH;
  let m = r1 % u.M; let n = r1 / u.M;
  let c = m / u.Mg;
  let xb = (n * u.C + c) * u.H * u.W;
  let wb = m * u.KH * u.KW;
  let ih0 = i32(oh * u.SH) - i32(u.PT);
  let iw0 = i32(ow * u.SW) - i32(u.PL);
  var sum = 0.0;
    ${loops}
  ${s.wq !== 'none' ? 'sum = sum * rowScale(m);' : ''}
  ${s.bias ? 'sum = sum + f32(bias[m]);' : ''}
  Y[gi] = ${t}(act(sum));`)}`;
  },
});

/** The depthwise dispatch: X is input 0, the weights `weights` (float W, or Wq and S), bias input 2. */
export function depthwiseDispatch(win: Window2d, d: { N: number; C: number; M: number; Mg: number }, weights: BufferRef[], wq: 'none' | WeightFormat, extra: Record<string, number>,
  bias: boolean, act: ConvActivation | undefined, env: GpuEnv, dtype: DType): Dispatch {
  const total = d.N * d.M * win.OH * win.OW;
  const spec: DepthwiseSpec = { t: storageType(dtype, env.f16) as 'f32' | 'f16', bias, act: act?.kind ?? 'none', k3: win.KH === 3 && win.KW === 3, wq };
  return {
    program: depthwiseProgram, spec,
    bindings: [{ input: 0 }, ...weights, ...(bias ? [{ input: 2 }] : []), { output: 0 }],
    uniforms: {
      total, C: d.C, M: d.M, Mg: d.Mg, H: win.H, W: win.W, OH: win.OH, OW: win.OW, KH: win.KH, KW: win.KW,
      SH: win.SH, SW: win.SW, DH: win.DH, DW: win.DW, PT: win.PT, PL: win.PL, ...extra, ...actUniformValues(act),
    },
    workgroups: grid1d(total, env.maxGroups),
  };
}
