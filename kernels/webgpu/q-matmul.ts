import type { QMatMulAttrs } from '../../src/ops/q-matmul.js';
import { quantView } from '../cpu/q-weights.js';
import { dequantFns, quantArrays, QUANT_UNIFORMS, scaleType } from './q-weights.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type Access, type BufferRef, type Dispatch, type UniformField } from './types.js';
import { actFunction, actUniforms, actUniformValues, grid1d, header, storage, uniformBlock, type ActKind } from './snippets.js';
import { pickTile, tiledGemmMain, tileWorkgroups, type TileName } from './gemm-tile.js';

/**
 * QMatMul: act(A @ W + bias) with W packed by quantize() (src/quant/formats), read as it is
 * laid out (q-weights.ts; one packed row per output column n); nothing is dequantized ahead of
 * time: int4 group scales are applied as the weight is staged, the int8 column scale once in the
 * epilogue.
 * input_quant 'int8' first quantizes each row of A to int8 (scale max |row| / 127, round half
 * to even: a separate dispatch into scratch), then multiplies integer values (accumulated in
 * f32: exact while partial sums stay below 2^24) and applies row scale x column scale once.
 */
export interface QMatMulSpec {
  t: 'f32' | 'f16';
  tile: TileName;
  format: 'int8' | 'int4';
  inputQuant: boolean;
  /** A (or its int8 quants) staged with vec4 loads (K a multiple of 4). */
  vecA: boolean;
  bias: boolean;
  act: ActKind;
}

function uniforms(s: QMatMulSpec): UniformField[] {
  return [...['M', 'N', 'K'].map((name) => ({ name, type: 'u32' as const })), ...QUANT_UNIFORMS, ...actUniforms(s.act)];
}

function bindings(s: QMatMulSpec): Access[] {
  return [...(s.inputQuant ? ['read', 'read'] as const : ['read'] as const), 'read', 'read', ...(s.bias ? ['read' as const] : []), 'read_write'];
}

export const qMatmulProgram = defineProgram<QMatMulSpec>({
  name: 'q-matmul',
  bindings,
  uniforms,
  wgsl(s) {
    const t = s.t, a = s.inputQuant ? 'i32' : t;
    let bi = 0;
    const decl = [
      storage(bi++, 'A', s.vecA ? `vec4<${a}>` : a, 'read'),
      s.inputQuant ? storage(bi++, 'RS', 'f32', 'read') : '',
      storage(bi++, 'Wq', 'u32', 'read'),
      storage(bi++, 'S', scaleType(s.format), 'read'),
      s.bias ? storage(bi++, 'bias', t, 'read') : '',
      storage(bi++, 'Y', t, 'read_write'),
      uniformBlock(bi, uniforms(s)),
    ].filter(Boolean).join('\n');
    const loadA = s.vecA
      ? 'fn loadA4(b: u32, row: u32, k: u32) -> vec4<f32> { if (row >= u.M || k >= u.K) { return vec4<f32>(0.0); } return vec4<f32>(A[(row * u.K + k) / 4u]); }'
      : 'fn loadA(b: u32, row: u32, k: u32) -> f32 { if (row >= u.M || k >= u.K) { return 0.0; } return f32(A[row * u.K + k]); }';
    const loadB = `${dequantFns(s.format)}
fn loadB(b: u32, k: u32, col: u32) -> f32 { if (k >= u.K || col >= u.N) { return 0.0; } return dequant(col, k); }`;
    const epilogue = [
      'var v = acc;',
      'v = v * rowScale(col);',
      s.inputQuant ? 'v = v * RS[row];' : '',
      s.bias ? 'v = v + f32(bias[col]);' : '',
      `Y[row * u.N + col] = ${t}(act(v));`,
    ].filter(Boolean).join(' ');
    return `${header([t])}${decl}
${loadA}
${loadB}
${actFunction(s.act)}
fn store(b: u32, row: u32, col: u32, acc: f32) { ${epilogue} }
${tiledGemmMain(s.tile, s.vecA ? 'k' : 'none', 'none')}`;
  },
});

/** Row-wise dynamic int8 quantization of A: QA[r, k] = clamp(round(A[r, k] / s_r), -127, 127), RS[r] = s_r = max |A[r, :]| / 127. */
export interface QuantizeRowsSpec { t: 'f32' | 'f16' }

const WG = 64;
const QR_FIELDS = [{ name: 'M', type: 'u32' as const }, { name: 'K', type: 'u32' as const }];

export const quantizeRowsProgram = defineProgram<QuantizeRowsSpec>({
  name: 'quantize-rows-int8',
  bindings: () => ['read', 'read_write', 'read_write'],
  uniforms: () => QR_FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'A', s.t, 'read')}
${storage(1, 'QA', 'i32', 'read_write')}
${storage(2, 'RS', 'f32', 'read_write')}
${uniformBlock(3, QR_FIELDS)}
var<workgroup> part: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wid.y * nwg.x + wid.x;
  let ok = row < u.M;
  let base = row * u.K;
  var m = 0.0;
  if (ok) { for (var k = li; k < u.K; k += ${WG}u) { m = max(m, abs(f32(A[base + k]))); } }
  part[li] = m;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = max(part[li], part[li + w]); }
    workgroupBarrier();
  }
  if (!ok) { return; }
  let sc = part[0] / 127.0;
  let inv = select(0.0, 1.0 / sc, sc != 0.0);
  if (li == 0u) { RS[row] = sc; }
  // round() rounds half to even, as the CPU quantizer does.
  for (var k = li; k < u.K; k += ${WG}u) { QA[base + k] = i32(clamp(round(f32(A[base + k]) * inv), -127.0, 127.0)); }
}`;
  },
});

export const qMatMul = webgpuKernel<QMatMulAttrs>({
  lower(attrs, inputs, outputs, env) {
    const a = inputs[0]!, w = inputs[1]!, y = outputs[0]!;
    let v;
    try {
      v = quantView(w.packed, 'QMatMul', 1);
    } catch (e) {
      return { unsupported: (e as Error).message };
    }
    const [K, N] = w.shape, M = a.shape.length === 1 ? 1 : sizeOf(a.shape.slice(0, -1));
    if (sizeOf(y.shape) === 0) return { dispatches: [] };
    const inputQuant = attrs.inputQuant === 'int8';
    const t = storageType(a.dtype, env.f16) as 'f32' | 'f16';
    const q = quantArrays(v);
    const spec: QMatMulSpec = { t, tile: pickTile(M, N), format: v.format, inputQuant, vecA: K % 4 === 0, bias: !!inputs[2], act: attrs.activation?.kind ?? 'none' };
    const uniforms = { M, N, K, ...q.uniforms, ...actUniformValues(attrs.activation) };
    const weights: BufferRef[] = [{ data: q.quants }, { data: q.scales }];
    const gemm: Dispatch = {
      program: qMatmulProgram, spec, uniforms, workgroups: tileWorkgroups(spec.tile, M, N, 1),
      bindings: [...(inputQuant ? [{ scratch: 0 }, { scratch: 1 }] : [{ input: 0 }]), ...weights, ...(spec.bias ? [{ input: 2 }] : []), { output: 0 }],
    };
    if (!inputQuant) return { dispatches: [gemm] };
    const quantize: Dispatch = {
      program: quantizeRowsProgram, spec: { t }, uniforms: { M, K },
      bindings: [{ input: 0 }, { scratch: 0 }, { scratch: 1 }], workgroups: grid1d(M, env.maxGroups, 1),
    };
    return { dispatches: [quantize, gemm], scratchBytes: [4 * M * K, 4 * M] };
  },
});
