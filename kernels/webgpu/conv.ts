import type { ConvAttrs } from '../../src/ops/conv.js';
import { window2d } from '../cpu/conv.js';
import { defineProgram, storageType, webgpuKernel, type Access, type UniformField } from './types.js';
import { actFunction, actUniforms, actUniformValues, header, storage, uniformBlock, type ActKind } from './snippets.js';
import { pickTile, tiledGemmMain, tileWorkgroups, type TileName } from './gemm-tile.js';
import { depthwiseDispatch } from './depthwise-conv.js';

/**
 * Conv as an implicit GEMM, per image and group: Y[m, p] = sum_k W[m, k] * patch(k, p), with
 * k = (c, kh, kw) and p = (oh, ow); the patch matrix is never built, loadB computes each
 * element's input position (zero in the padding). A 1x1, stride 1, unpadded conv is a plain
 * GEMM over X (vec4 loads when the image size allows). Depthwise convs go to their own direct
 * kernel (depthwise-conv.ts).
 */
export interface ConvSpec {
  t: 'f32' | 'f16';
  tile: TileName;
  /** Weights staged with vec4 loads along K (K a multiple of 4). */
  vecA: boolean;
  pointwise: boolean;
  /** Pointwise only: X staged with vec4 loads along the image (its size a multiple of 4). */
  vecB: boolean;
  bias: boolean;
  act: ActKind;
}

const FIELDS = ['M', 'N', 'K', 'C', 'H', 'W', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'Cg', 'group', 'Mt'];

function uniforms(s: ConvSpec): UniformField[] {
  return [...FIELDS.map((name) => ({ name, type: 'u32' as const })), ...actUniforms(s.act)];
}

function bindings(s: ConvSpec): Access[] {
  return ['read', 'read', ...(s.bias ? ['read' as const] : []), 'read_write'];
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
      storage(bi++, 'Wt', s.vecA ? `vec4<${t}>` : t, 'read'),
      s.bias ? storage(bi++, 'bias', t, 'read') : '',
      storage(bi++, 'Y', t, 'read_write'),
      uniformBlock(bi, uniforms(s)),
    ].filter(Boolean).join('\n');
    const loadA = s.vecA
      ? 'fn loadA4(b: u32, row: u32, k: u32) -> vec4<f32> { if (row >= u.M || k >= u.K) { return vec4<f32>(0.0); } return vec4<f32>(Wt[(aBase + row * u.K + k) / 4u]); }'
      : 'fn loadA(b: u32, row: u32, k: u32) -> f32 { if (row >= u.M || k >= u.K) { return 0.0; } return f32(Wt[aBase + row * u.K + k]); }';
    const loadB = s.pointwise
      ? s.vecB
        ? 'fn loadB4(b: u32, k: u32, col: u32) -> vec4<f32> { if (k >= u.K || col >= u.N) { return vec4<f32>(0.0); } return vec4<f32>(X[(xBase + k * u.N + col) / 4u]); }'
        : 'fn loadB(b: u32, k: u32, col: u32) -> f32 { if (k >= u.K || col >= u.N) { return 0.0; } return f32(X[xBase + k * u.N + col]); }'
      : `fn loadB(b: u32, k: u32, col: u32) -> f32 {
  if (k >= u.K || col >= u.N) { return 0.0; }
  let khw = u.KH * u.KW;
  let c = k / khw; let r = k % khw; let kh = r / u.KW; let kw = r % u.KW;
  let oh = col / u.OW; let ow = col % u.OW;
  let ih = i32(oh * u.SH + kh * u.DH) - i32(u.PT);
  let iw = i32(ow * u.SW + kw * u.DW) - i32(u.PL);
  if (ih < 0 || iw < 0 || ih >= i32(u.H) || iw >= i32(u.W)) { return 0.0; }
  return f32(X[xBase + (c * u.H + u32(ih)) * u.W + u32(iw)]);
}`;
    const store = `fn store(b: u32, row: u32, col: u32, acc: f32) { var v = acc; ${s.bias ? 'v = v + f32(bias[mBase + row]);' : ''} Y[yBase + row * u.N + col] = ${t}(act(v)); }`;
    return `${header([t])}${decl}
var<private> aBase: u32;
var<private> xBase: u32;
var<private> yBase: u32;
var<private> mBase: u32;
fn setBatch(b: u32) {
  let n = b / u.group; let g = b % u.group;
  aBase = g * u.M * u.K;
  xBase = (n * u.C + g * u.Cg) * u.H * u.W;
  mBase = g * u.M;
  yBase = (n * u.Mt + g * u.M) * u.N;
}
${loadA}
${loadB}
${actFunction(s.act)}
${store}
${tiledGemmMain(s.tile, s.vecA ? 'k' : 'none', s.vecB ? 'mn' : 'none', 'setBatch(b);')}`;
  },
});

export const conv = webgpuKernel<ConvAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, w = inputs[1]!, y = outputs[0]!;
    if (x.dtype !== 'float32' && x.dtype !== 'float16') return { unsupported: `Conv on ${x.dtype}` };
    if (y.shape.includes(0)) return { dispatches: [] };
    const win = window2d(attrs, w.shape.slice(2), x.shape, y.shape);
    const [N, C] = x.shape, M = w.shape[0], group = attrs.group, Cg = w.shape[1], Mg = M / group;
    const act = attrs.activation;
    if (Cg === 1 && group > 1) return { dispatches: [depthwiseDispatch(win, { N, C, M, Mg }, !!inputs[2], act, env, x.dtype)] };
    const K = Cg * win.KH * win.KW, P = win.OH * win.OW;
    if (N * group > env.maxGroups) return { unsupported: `batch x groups ${N * group} exceeds the dispatch limit ${env.maxGroups}` };
    const pointwise = win.KH === 1 && win.KW === 1 && win.SH === 1 && win.SW === 1 && win.PT + win.PL + win.PB + win.PR === 0;
    const spec: ConvSpec = {
      t: storageType(x.dtype, env.f16) as 'f32' | 'f16', tile: pickTile(Mg, P),
      vecA: K % 4 === 0, pointwise, vecB: pointwise && P % 4 === 0, bias: !!inputs[2], act: act?.kind ?? 'none',
    };
    const u: Record<string, number> = {
      M: Mg, N: P, K, C, H: win.H, W: win.W, OW: win.OW, KH: win.KH, KW: win.KW, SH: win.SH, SW: win.SW,
      DH: win.DH, DW: win.DW, PT: win.PT, PL: win.PL, Cg, group, Mt: M, ...actUniformValues(act),
    };
    return {
      dispatches: [{
        program: convProgram, spec, uniforms: u,
        bindings: [{ input: 0 }, { input: 1 }, ...(spec.bias ? [{ input: 2 }] : []), { output: 0 }],
        workgroups: tileWorkgroups(spec.tile, Mg, P, N * group),
      }],
    };
  },
});
