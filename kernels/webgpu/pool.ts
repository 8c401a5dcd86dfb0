import type { GlobalPoolAttrs, PoolAttrs } from '../../src/ops/pool.js';
import { window2d } from '../cpu/conv.js';
import type { KMeta } from '../types.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type GpuEnv, type Lowering, type Unsupported } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * AveragePool / MaxPool (one thread per output, taps outside X skipped; the average divides by
 * the taps inside X, or inside the padded extent with count_include_pad, as the CPU kernel), and
 * GlobalAveragePool / GlobalMaxPool (one workgroup per (n, c) row, a tree reduction).
 */
export interface PoolSpec {
  t: 'f32' | 'f16';
  kind: 'avg' | 'max';
  includePad: boolean;
}

const FIELDS = ['total', 'H', 'W', 'OH', 'OW', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL', 'PB', 'PR'];
const poolUniforms = () => FIELDS.map((name) => ({ name, type: 'u32' as const }));

export const poolProgram = defineProgram<PoolSpec>({
  name: 'pool',
  bindings: () => ['read', 'read_write'],
  uniforms: poolUniforms,
  wgsl(s) {
    const t = s.t, avg = s.kind === 'avg';
    // Counted taps: inside X, or (count_include_pad) inside the padded extent.
    const counted = (i: string, n: string, pb: string, pe: string) => (s.includePad ? `${i} >= -i32(u.${pb}) && ${i} < i32(u.${n} + u.${pe})` : `${i} >= 0 && ${i} < i32(u.${n})`);
    return `${header([t])}${storage(0, 'X', t, 'read')}
${storage(1, 'Y', t, 'read_write')}
${uniformBlock(2, poolUniforms())}
${main1d(`  if (gi >= u.total) { return; }
  let ow = gi % u.OW; let r0 = gi / u.OW;
  let oh = r0 % u.OH; let nc = r0 / u.OH;
  let xb = nc * u.H * u.W;
  let ih0 = i32(oh * u.SH) - i32(u.PT);
  let iw0 = i32(ow * u.SW) - i32(u.PL);
  var acc = ${avg ? '0.0' : '-3.4028234663852886e38'};
  var first = true;
  ${avg ? 'var ch = 0u; var cw = 0u;' : ''}
  for (var kh = 0u; kh < u.KH; kh++) {
    let ih = ih0 + i32(kh * u.DH);
    ${avg ? `if (${counted('ih', 'H', 'PT', 'PB')}) { ch++; }` : ''}
    if (ih < 0 || ih >= i32(u.H)) { continue; }
    for (var kw = 0u; kw < u.KW; kw++) {
      let iw = iw0 + i32(kw * u.DW);
      if (iw < 0 || iw >= i32(u.W)) { continue; }
      let v = f32(X[xb + u32(ih) * u.W + u32(iw)]);
      ${avg ? 'acc += v;' : 'if (first || v > acc) { acc = v; } first = false;'}
    }
  }
  ${avg ? `for (var kw = 0u; kw < u.KW; kw++) { let iw = iw0 + i32(kw * u.DW); if (${counted('iw', 'W', 'PL', 'PR')}) { cw++; } }
  acc = acc / f32(ch * cw);` : ''}
  Y[gi] = ${t}(acc);`)}`;
  },
});

export interface GlobalPoolSpec { t: 'f32' | 'f16'; kind: 'avg' | 'max' }

const GWG = 64;
const globalUniforms = () => [{ name: 'rows', type: 'u32' as const }, { name: 'S', type: 'u32' as const }];

export const globalPoolProgram = defineProgram<GlobalPoolSpec>({
  name: 'global-pool',
  bindings: () => ['read', 'read_write'],
  uniforms: globalUniforms,
  wgsl(s) {
    const t = s.t, avg = s.kind === 'avg';
    const combine = avg ? 'a + b' : 'max(a, b)';
    return `${header([t])}${storage(0, 'X', t, 'read')}
${storage(1, 'Y', t, 'read_write')}
${uniformBlock(2, globalUniforms())}
var<workgroup> part: array<f32, ${GWG}>;
fn combine(a: f32, b: f32) -> f32 { return ${combine}; }
@compute @workgroup_size(${GWG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wid.y * nwg.x + wid.x;
  let base = row * u.S;
  var acc = ${avg ? '0.0' : '-3.4028234663852886e38'};
  if (row < u.rows) { for (var i = li; i < u.S; i += ${GWG}u) { acc = combine(acc, f32(X[base + i])); } }
  part[li] = acc;
  workgroupBarrier();
  for (var w = ${GWG / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = combine(part[li], part[li + w]); }
    workgroupBarrier();
  }
  if (li == 0u && row < u.rows) { Y[row] = ${t}(${avg ? 'part[0] / f32(u.S)' : 'part[0]'}); }
}`;
  },
});

function floatCheck(x: KMeta, op: string): Unsupported | undefined {
  return x.dtype === 'float32' || x.dtype === 'float16' ? undefined : { unsupported: `${op} on ${x.dtype}` };
}

function lowerPool(kind: 'avg' | 'max', attrs: PoolAttrs, x: KMeta, y: KMeta, env: GpuEnv): Lowering {
  const win = window2d(attrs, attrs.kernelShape, x.shape, y.shape);
  const total = sizeOf(y.shape);
  if (total === 0) return { dispatches: [] };
  const spec: PoolSpec = { t: storageType(x.dtype, env.f16) as 'f32' | 'f16', kind, includePad: kind === 'avg' && attrs.countIncludePad };
  return {
    dispatches: [{
      program: poolProgram, spec, bindings: [{ input: 0 }, { output: 0 }], workgroups: grid1d(total, env.maxGroups),
      uniforms: { total, H: win.H, W: win.W, OH: win.OH, OW: win.OW, KH: win.KH, KW: win.KW, SH: win.SH, SW: win.SW, DH: win.DH, DW: win.DW, PT: win.PT, PL: win.PL, PB: win.PB, PR: win.PR },
    }],
  };
}

export const averagePool = webgpuKernel<PoolAttrs>({
  lower: (attrs, inputs, outputs, env) => floatCheck(inputs[0]!, 'AveragePool') ?? lowerPool('avg', attrs, inputs[0]!, outputs[0]!, env),
});

export const maxPool = webgpuKernel<PoolAttrs>({
  lower(attrs, inputs, outputs, env) {
    if (outputs[1]) return { unsupported: 'MaxPool Indices output' };
    return floatCheck(inputs[0]!, 'MaxPool') ?? lowerPool('max', attrs, inputs[0]!, outputs[0]!, env);
  },
});

function lowerGlobal(kind: 'avg' | 'max', x: KMeta, env: GpuEnv): Lowering | Unsupported {
  const bad = floatCheck(x, kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool');
  if (bad) return bad;
  const rows = x.shape[0] * x.shape[1], S = sizeOf(x.shape.slice(2));
  if (rows === 0) return { dispatches: [] };
  const spec: GlobalPoolSpec = { t: storageType(x.dtype, env.f16) as 'f32' | 'f16', kind };
  return { dispatches: [{ program: globalPoolProgram, spec, bindings: [{ input: 0 }, { output: 0 }], uniforms: { rows, S }, workgroups: grid1d(rows, env.maxGroups, 1) }] };
}

export const globalAveragePool = webgpuKernel<GlobalPoolAttrs>({ lower: (_a, inputs, _o, env) => lowerGlobal('avg', inputs[0]!, env) });
export const globalMaxPool = webgpuKernel<GlobalPoolAttrs>({ lower: (_a, inputs, _o, env) => lowerGlobal('max', inputs[0]!, env) });
