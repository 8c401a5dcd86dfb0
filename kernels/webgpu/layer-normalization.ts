import type { LayerNormalizationAttrs } from '../../src/ops/layer-normalization.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type Access } from './types.js';
import { header, grid1d, storage, uniformBlock } from './snippets.js';

/**
 * LayerNormalization, one workgroup per row: the mean, then the variance as the mean of squared
 * deviations (two reductions; no E[x^2] - E[x]^2 cancellation), then the scaled, shifted row.
 * Scale and B must be dense over the normalised dims (the usual [d]); other broadcasts fall back.
 * The optional Mean and InvStdDev outputs are written when the graph uses them.
 */
export interface LayerNormSpec { t: 'f32' | 'f16'; bias: boolean; stats: boolean }

const WG = 64;
const FIELDS = [{ name: 'rows', type: 'u32' as const }, { name: 'd', type: 'u32' as const }, { name: 'eps', type: 'f32' as const }];

function bindings(s: LayerNormSpec): Access[] {
  return ['read', 'read', ...(s.bias ? ['read' as const] : []), 'read_write', ...(s.stats ? ['read_write' as const, 'read_write' as const] : [])];
}

export const layerNormProgram = defineProgram<LayerNormSpec>({
  name: 'layer-normalization',
  bindings,
  uniforms: () => FIELDS,
  wgsl(s) {
    const t = s.t;
    let bi = 0;
    const decl = [
      storage(bi++, 'X', t, 'read'), storage(bi++, 'G', t, 'read'), s.bias ? storage(bi++, 'B', t, 'read') : '',
      storage(bi++, 'Y', t, 'read_write'),
      s.stats ? `${storage(bi++, 'Mean', 'f32', 'read_write')}\n${storage(bi++, 'InvStd', 'f32', 'read_write')}` : '',
      uniformBlock(bi, FIELDS),
    ].filter(Boolean).join('\n');
    return `${header([t])}${decl}
var<workgroup> part: array<f32, ${WG}>;
fn sum(li: u32, v: f32) -> f32 {
  workgroupBarrier();
  part[li] = v;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = part[li] + part[li + w]; }
    workgroupBarrier();
  }
  return part[0];
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wid.y * nwg.x + wid.x;
  let ok = row < u.rows;
  let base = row * u.d;
  var s = 0.0;
  if (ok) { for (var i = li; i < u.d; i += ${WG}u) { s += f32(X[base + i]); } }
  let mean = sum(li, s) / f32(u.d);
  var q = 0.0;
  if (ok) { for (var i = li; i < u.d; i += ${WG}u) { let c = f32(X[base + i]) - mean; q += c * c; } }
  let inv = 1.0 / sqrt(sum(li, q) / f32(u.d) + u.eps);
  if (!ok) { return; }
  for (var i = li; i < u.d; i += ${WG}u) {
    Y[base + i] = ${t}((f32(X[base + i]) - mean) * inv * f32(G[i])${s.bias ? ' + f32(B[i])' : ''});
  }
  ${s.stats ? 'if (li == 0u) { Mean[row] = mean; InvStd[row] = inv; }' : ''}
}`;
  },
});

export const layerNormalization = webgpuKernel<LayerNormalizationAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, s = x.shape, axis = attrs.axis < 0 ? attrs.axis + s.length : attrs.axis;
    const d = sizeOf(s.slice(axis)), rows = sizeOf(s.slice(0, axis));
    const dense = (i: number) => !inputs[i] || sizeOf(inputs[i]!.shape) === d;
    if (!dense(1) || !dense(2)) return { unsupported: 'LayerNormalization with Scale or B broadcast inside the normalised dims' };
    if (d === 0) return { unsupported: 'LayerNormalization over an empty axis' };
    if (rows === 0) return { dispatches: [] };
    const stats = !!(outputs[1] || outputs[2]);
    if (stats && outputs.length < 3) return { unsupported: 'LayerNormalization Mean output without InvStdDev' };
    const spec: LayerNormSpec = { t: storageType(x.dtype, env.f16) as 'f32' | 'f16', bias: !!inputs[2], stats };
    return {
      dispatches: [{
        program: layerNormProgram, spec, uniforms: { rows, d, eps: attrs.epsilon }, workgroups: grid1d(rows, env.maxGroups, 1),
        bindings: [{ input: 0 }, { input: 1 }, ...(spec.bias ? [{ input: 2 }] : []), { output: 0 }, ...(stats ? [{ output: 1 }, { output: 2 }] : [])],
      }],
    };
  },
});
