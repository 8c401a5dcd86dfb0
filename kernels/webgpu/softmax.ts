import type { SoftmaxAttrs } from '../../src/ops/softmax.js';
import { defineProgram, sizeOf, storageType, webgpuKernel } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Softmax over one axis, the tensor seen as [outer, n, inner]. Last axis (inner = 1): one
 * workgroup per row, max and sum by tree reductions in workgroup memory. Other axes: one thread
 * per (outer, inner) column, three passes down the column.
 */
export interface SoftmaxSpec { t: 'f32' | 'f16'; mode: 'row' | 'column' }

const WG = 64;
const FIELDS = ['rows', 'n', 'inner'].map((name) => ({ name, type: 'u32' as const }));

const ROW = (t: string) => `var<workgroup> part: array<f32, ${WG}>;
fn reduce(li: u32, v: f32, isMax: bool) -> f32 {
  workgroupBarrier();
  part[li] = v;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = select(part[li] + part[li + w], max(part[li], part[li + w]), isMax); }
    workgroupBarrier();
  }
  return part[0];
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wid.y * nwg.x + wid.x;
  let ok = row < u.rows;
  let base = row * u.n;
  var m = -3.4028234663852886e38;
  if (ok) { for (var i = li; i < u.n; i += ${WG}u) { m = max(m, f32(X[base + i])); } }
  m = reduce(li, m, true);
  var s = 0.0;
  if (ok) { for (var i = li; i < u.n; i += ${WG}u) { s += exp(f32(X[base + i]) - m); } }
  s = reduce(li, s, false);
  let inv = 1.0 / s;
  if (ok) { for (var i = li; i < u.n; i += ${WG}u) { Y[base + i] = ${t}(exp(f32(X[base + i]) - m) * inv); } }
}`;

const COLUMN = (t: string) => main1d(`  if (gi >= u.rows * u.inner) { return; }
  let j = gi % u.inner; let o = gi / u.inner;
  let base = o * u.n * u.inner + j;
  var m = -3.4028234663852886e38;
  for (var k = 0u; k < u.n; k++) { m = max(m, f32(X[base + k * u.inner])); }
  var s = 0.0;
  for (var k = 0u; k < u.n; k++) { s += exp(f32(X[base + k * u.inner]) - m); }
  let inv = 1.0 / s;
  for (var k = 0u; k < u.n; k++) { let at = base + k * u.inner; Y[at] = ${t}(exp(f32(X[at]) - m) * inv); }`);

export const softmaxProgram = defineProgram<SoftmaxSpec>({
  name: 'softmax',
  bindings: () => ['read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'Y', s.t, 'read_write')}
${uniformBlock(2, FIELDS)}
${s.mode === 'row' ? ROW(s.t) : COLUMN(s.t)}`;
  },
});

export const softmax = webgpuKernel<SoftmaxAttrs>({
  lower(attrs, inputs, _outputs, env) {
    const shape = inputs[0]!.shape, ax = attrs.axis < 0 ? attrs.axis + shape.length : attrs.axis;
    const rows = sizeOf(shape.slice(0, ax)), n = shape[ax], inner = sizeOf(shape.slice(ax + 1));
    if (rows * n * inner === 0) return { dispatches: [] };
    const mode = inner === 1 ? 'row' : 'column';
    const spec: SoftmaxSpec = { t: storageType(inputs[0]!.dtype, env.f16) as 'f32' | 'f16', mode };
    return {
      dispatches: [{
        program: softmaxProgram, spec, bindings: [{ input: 0 }, { output: 0 }], uniforms: { rows, n, inner },
        workgroups: mode === 'row' ? grid1d(rows, env.maxGroups, 1) : grid1d(rows * inner, env.maxGroups),
      }],
    };
  },
});
