import type { ConvAttrs } from '../../src/ops/conv.js';
import { window2d, type Window2d } from '../cpu/conv.js';
import { defineProgram, storageType, webgpuKernel, type Access, type BufferRef, type Dispatch, type GpuEnv, type UniformField } from './types.js';
import { actFunction, actUniforms, actUniformValues, header, storage, uniformBlock, type ActKind } from './snippets.js';
import { pickTile, tiledGemmMain, tileWorkgroups, type TileName } from './gemm-tile.js';
import { depthwiseDispatch } from './depthwise-conv.js';
import { dequantFns, QUANT_UNIFORMS, scaleType, type WeightFormat } from './q-weights.js';

/**
 * Conv as an implicit GEMM, per image and group: Y[m, p] = sum_k W[m, k] * patch(k, p), with
 * k = (c, kh, kw) and p = (oh, ow); the patch matrix is never built, loadB computes each
 * element's input position (zero in the padding). A 1x1, stride 1, unpadded conv is a plain
 * GEMM over X (vec4 loads when the image size allows). Depthwise convs go to their own direct
 * kernel (depthwise-conv.ts).
 *
 * QConv uses the same program: `wq` reads W packed (q-weights.ts), and `inputQuant` quantizes
 * each output pixel's receptive field to int8 as it is staged, with the per-pixel scales a
 * first dispatch computed (q-conv.ts), so the products are integers scaled once at the end.
 */
export interface ConvSpec {
  t: 'f32' | 'f16';
  tile: TileName;
  /** Float weights staged with vec4 loads along K (K a multiple of 4). */
  vecA: boolean;
  pointwise: boolean;
  /** Pointwise only: X staged with vec4 loads along the image (its size a multiple of 4). */
  vecB: boolean;
  bias: boolean;
  act: ActKind;
  wq: 'none' | WeightFormat;
  inputQuant: boolean;
}

const FIELDS = ['M', 'N', 'K', 'C', 'H', 'W', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'Cg', 'group', 'Mt'];

function uniforms(s: ConvSpec): UniformField[] {
  return [...FIELDS.map((name) => ({ name, type: 'u32' as const })), ...(s.wq !== 'none' ? QUANT_UNIFORMS : []), ...actUniforms(s.act)];
}

/** X, [pixel scales], W (or Wq and S), [bias], Y. */
function bindings(s: ConvSpec): Access[] {
  const r = 'read' as const;
  return [r, ...(s.inputQuant ? [r] : []), ...(s.wq !== 'none' ? [r, r] : [r]), ...(s.bias ? [r] : []), 'read_write'];
}

function loadA(s: ConvSpec): string {
  if (s.wq !== 'none') return `${dequantFns(s.wq)}\nfn loadA(b: u32, row: u32, k: u32) -> f32 { if (row >= u.M || k >= u.K) { return 0.0; } return dequant(mBase + row, k); }`;
  return s.vecA
    ? 'fn loadA4(b: u32, row: u32, k: u32) -> vec4<f32> { if (row >= u.M || k >= u.K) { return vec4<f32>(0.0); } return vec4<f32>(Wt[(aBase + row * u.K + k) / 4u]); }'
    : 'fn loadA(b: u32, row: u32, k: u32) -> f32 { if (row >= u.M || k >= u.K) { return 0.0; } return f32(Wt[aBase + row * u.K + k]); }';
}

function loadB(s: ConvSpec): string {
  if (s.vecB) return 'fn loadB4(b: u32, k: u32, col: u32) -> vec4<f32> { if (k >= u.K || col >= u.N) { return vec4<f32>(0.0); } return vec4<f32>(X[(xBase + k * u.N + col) / 4u]); }';
  // With input quantization the staged value is the pixel's int8 quant of x.
  const value = (x: string) => (s.inputQuant ? `clamp(round(${x} * pixInv(col)), -127.0, 127.0)` : x);
  if (s.pointwise) return `fn loadB(b: u32, k: u32, col: u32) -> f32 { if (k >= u.K || col >= u.N) { return 0.0; } return ${value('f32(X[xBase + k * u.N + col])')}; }`;
  return `fn loadB(b: u32, k: u32, col: u32) -> f32 {
  if (k >= u.K || col >= u.N) { return 0.0; }
  let khw = u.KH * u.KW;
  let c = k / khw; let r = k % khw; let kh = r / u.KW; let kw = r % u.KW;
  let oh = col / u.OW; let ow = col % u.OW;
  let ih = i32(oh * u.SH + kh * u.DH) - i32(u.PT);
  let iw = i32(ow * u.SW + kw * u.DW) - i32(u.PL);
  if (ih < 0 || iw < 0 || ih >= i32(u.H) || iw >= i32(u.W)) { return 0.0; }
  return ${value('f32(X[xBase + (c * u.H + u32(ih)) * u.W + u32(iw)])')};
}`;
}

export const convProgram = defineProgram<ConvSpec>({
  name: 'conv',
  bindings,
  uniforms,
  wgsl(s) {
    const t = s.t;
    let bi = 0;
    const decl = [
      storage(bi++, 'X', s.vecB ? `vec4<${t}>` : t, 'read'),
      s.inputQuant ? storage(bi++, 'PS', 'f32', 'read') : '',
      s.wq !== 'none' ? `${storage(bi++, 'Wq', 'u32', 'read')}\n${storage(bi++, 'S', scaleType(s.wq), 'read')}` : storage(bi++, 'Wt', s.vecA ? `vec4<${t}>` : t, 'read'),
      s.bias ? storage(bi++, 'bias', t, 'read') : '',
      storage(bi++, 'Y', t, 'read_write'),
      uniformBlock(bi, uniforms(s)),
    ].filter(Boolean).join('\n');
    const scale = [s.wq !== 'none' ? 'v = v * rowScale(mBase + row);' : '', s.inputQuant ? 'v = v * PS[pBase + col];' : ''].join(' ');
    const store = `fn store(b: u32, row: u32, col: u32, acc: f32) { var v = acc; ${scale} ${s.bias ? 'v = v + f32(bias[mBase + row]);' : ''} Y[yBase + row * u.N + col] = ${t}(act(v)); }`;
    return `${header([t])}${decl}
var<private> aBase: u32;
var<private> xBase: u32;
var<private> yBase: u32;
var<private> mBase: u32;
var<private> pBase: u32;
fn setBatch(b: u32) {
  let n = b / u.group; let g = b % u.group;
  aBase = g * u.M * u.K;
  xBase = (n * u.C + g * u.Cg) * u.H * u.W;
  mBase = g * u.M;
  pBase = b * u.N;
  yBase = (n * u.Mt + g * u.M) * u.N;
}
${s.inputQuant ? 'fn pixInv(col: u32) -> f32 { let sc = PS[pBase + col]; return select(0.0, 1.0 / sc, sc != 0.0); }' : ''}
${loadA(s)}
${loadB(s)}
${actFunction(s.act)}
${store}
${tiledGemmMain(s.tile, s.vecA ? 'k' : 'none', s.vecB ? 'mn' : 'none', 'setBatch(b);')}`;
  },
});

/** Conv dimensions as the program sees them. */
export interface ConvDims { N: number; C: number; M: number; group: number; Cg: number; Mg: number; K: number; P: number; win: Window2d }

export function convDims(attrs: ConvAttrs, x: readonly number[], w: readonly number[], y: readonly number[]): ConvDims {
  const win = window2d(attrs, w.slice(2), x, y);
  const [N, C] = x, M = w[0], group = attrs.group, Cg = w[1], Mg = M / group;
  return { N, C, M, group, Cg, Mg, K: Cg * win.KH * win.KW, P: win.OH * win.OW, win };
}

export const isPointwise = (w: Window2d) => w.KH === 1 && w.KW === 1 && w.SH === 1 && w.SW === 1 && w.PT + w.PL + w.PB + w.PR === 0;

/** The implicit-GEMM dispatch; `weights` are the W bindings (float W, or Wq and S) and `extra` the quantization uniforms. */
export function convDispatch(d: ConvDims, spec: ConvSpec, weights: BufferRef[], pixelScales: BufferRef | undefined, extra: Record<string, number>, act: ConvAttrs['activation']): Dispatch {
  const { win } = d;
  const u: Record<string, number> = {
    M: d.Mg, N: d.P, K: d.K, C: d.C, H: win.H, W: win.W, OW: win.OW, KH: win.KH, KW: win.KW, SH: win.SH, SW: win.SW,
    DH: win.DH, DW: win.DW, PT: win.PT, PL: win.PL, Cg: d.Cg, group: d.group, Mt: d.M, ...extra, ...actUniformValues(act),
  };
  return {
    program: convProgram, spec, uniforms: u,
    bindings: [{ input: 0 }, ...(pixelScales ? [pixelScales] : []), ...weights, ...(spec.bias ? [{ input: 2 }] : []), { output: 0 }],
    workgroups: tileWorkgroups(spec.tile, d.Mg, d.P, d.N * d.group),
  };
}

export function baseConvSpec(d: ConvDims, env: GpuEnv, dtype: Parameters<typeof storageType>[0], bias: boolean, act: ConvAttrs['activation']): ConvSpec {
  return {
    t: storageType(dtype, env.f16) as 'f32' | 'f16', tile: pickTile(d.Mg, d.P), vecA: false, pointwise: isPointwise(d.win), vecB: false,
    bias, act: act?.kind ?? 'none', wq: 'none', inputQuant: false,
  };
}

export const conv = webgpuKernel<ConvAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, w = inputs[1]!, y = outputs[0]!;
    if (x.dtype !== 'float32' && x.dtype !== 'float16') return { unsupported: `Conv on ${x.dtype}` };
    if (y.shape.includes(0)) return { dispatches: [] };
    const d = convDims(attrs, x.shape, w.shape, y.shape);
    if (d.Cg === 1 && d.group > 1) return { dispatches: [depthwiseDispatch(d.win, d, [{ input: 1 }], 'none', {}, !!inputs[2], attrs.activation, env, x.dtype)] };
    if (d.N * d.group > env.maxGroups) return { unsupported: `batch x groups ${d.N * d.group} exceeds the dispatch limit ${env.maxGroups}` };
    const spec = baseConvSpec(d, env, x.dtype, !!inputs[2], attrs.activation);
    spec.vecA = d.K % 4 === 0;
    spec.vecB = spec.pointwise && d.P % 4 === 0;
    return { dispatches: [convDispatch(d, spec, [{ input: 1 }], undefined, {}, attrs.activation)] };
  },
});
