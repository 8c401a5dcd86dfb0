import type { QConvAttrs } from '../../src/ops/q-conv.js';
import { quantView } from '../cpu/q-weights.js';
import { defineProgram, webgpuKernel, type BufferRef, type Dispatch } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';
import { baseConvSpec, convDims, convDispatch } from './conv.js';
import { depthwiseDispatch } from './depthwise-conv.js';
import { quantArrays } from './q-weights.js';

/**
 * QConv: the conv programs reading W packed by quantize(). Depthwise convs dequantize as they
 * read (and, like the CPU kernel, ignore input_quant: a few taps per output, nothing to gain).
 * Otherwise the implicit GEMM; with input_quant 'int8' a first dispatch computes each output
 * pixel's scale, max |receptive field| / 127 (padding counts as 0), and the GEMM stages
 * round(x / scale) clamped to [-127, 127], so every product is an integer.
 */
export interface PixelScalesSpec { t: 'f32' | 'f16' }

const FIELDS = ['total', 'P', 'K', 'C', 'H', 'W', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'Cg', 'group'].map((name) => ({ name, type: 'u32' as const }));

export const pixelScalesProgram = defineProgram<PixelScalesSpec>({
  name: 'conv-pixel-scales',
  bindings: () => ['read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'PS', 'f32', 'read_write')}
${uniformBlock(2, FIELDS)}
${main1d(`  if (gi >= u.total) { return; }
  let b = gi / u.P; let p = gi % u.P;
  let n = b / u.group; let g = b % u.group;
  let xBase = (n * u.C + g * u.Cg) * u.H * u.W;
  let oh = p / u.OW; let ow = p % u.OW;
  let khw = u.KH * u.KW;
  var m = 0.0;
  for (var k = 0u; k < u.K; k++) {
    let c = k / khw; let r = k % khw; let kh = r / u.KW; let kw = r % u.KW;
    let ih = i32(oh * u.SH + kh * u.DH) - i32(u.PT);
    let iw = i32(ow * u.SW + kw * u.DW) - i32(u.PL);
    if (ih >= 0 && iw >= 0 && ih < i32(u.H) && iw < i32(u.W)) { m = max(m, abs(f32(X[xBase + (c * u.H + u32(ih)) * u.W + u32(iw)]))); }
  }
  PS[gi] = m / 127.0;`)}`;
  },
});

export const qConv = webgpuKernel<QConvAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, w = inputs[1]!, y = outputs[0]!;
    let v;
    try {
      v = quantView(w.packed, 'QConv', 0);
    } catch (e) {
      return { unsupported: (e as Error).message };
    }
    if (y.shape.includes(0)) return { dispatches: [] };
    const d = convDims(attrs, x.shape, w.shape, y.shape);
    if (v.depth !== d.K) return { unsupported: `packed weight depth ${v.depth} is not C/group * kh * kw = ${d.K}` };
    const q = quantArrays(v);
    const weights: BufferRef[] = [{ data: q.quants }, { data: q.scales }];
    const bias = !!inputs[2];
    if (d.Cg === 1 && d.group > 1) return { dispatches: [depthwiseDispatch(d.win, d, weights, v.format, q.uniforms, bias, attrs.activation, env, x.dtype)] };
    if (d.N * d.group > env.maxGroups) return { unsupported: `batch x groups ${d.N * d.group} exceeds the dispatch limit ${env.maxGroups}` };
    const spec = baseConvSpec(d, env, x.dtype, bias, attrs.activation);
    spec.wq = v.format;
    spec.inputQuant = attrs.inputQuant === 'int8';
    spec.vecB = spec.pointwise && !spec.inputQuant && d.P % 4 === 0;
    if (!spec.inputQuant) return { dispatches: [convDispatch(d, spec, weights, undefined, q.uniforms, attrs.activation)] };
    const { win } = d, total = d.N * d.group * d.P;
    const scales: Dispatch = {
      program: pixelScalesProgram, spec: { t: spec.t } satisfies PixelScalesSpec, bindings: [{ input: 0 }, { scratch: 0 }], workgroups: grid1d(total, env.maxGroups),
      uniforms: { total, P: d.P, K: d.K, C: d.C, H: win.H, W: win.W, OW: win.OW, KH: win.KH, KW: win.KW, SH: win.SH, SW: win.SW, DH: win.DH, DW: win.DW, PT: win.PT, PL: win.PL, Cg: d.Cg, group: d.group },
    };
    return { dispatches: [scales, convDispatch(d, spec, weights, { scratch: 0 }, q.uniforms, attrs.activation)], scratchBytes: [4 * total] };
  },
});
