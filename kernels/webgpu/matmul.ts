import type { MatMulAttrs } from '../../src/ops/matmul.js';
import type { KMeta } from '../types.js';
import { defineProgram, storageType, webgpuKernel, type Access, type Dispatch, type GpuEnv, type UniformField } from './types.js';
import { actFunction, actUniforms, actUniformValues, header, storage, uniformBlock, type ActKind } from './snippets.js';
import { pickTile, tiledGemmMain, tileWorkgroups, type TileName, type VecMode } from './gemm-tile.js';

/**
 * Batched, tiled float GEMM with an epilogue: Y[b] = act(alpha * A'[b] B'[b] + beta * C),
 * A' = transA ? A^T : A (likewise B); C is read through row/column strides, so it is Gemm's C
 * (broadcast) or a bias (row stride 0). Batch dims broadcast (up to 4 after merging); each
 * batch's A and B offsets come from per-dim strides in the uniforms. Serves MatMul,
 * FusedMatMul, Gemm and FusedGemm.
 */
export interface MatMulSpec {
  t: 'f32' | 'f16';
  tile: TileName;
  transA: boolean;
  transB: boolean;
  vecA: VecMode;
  vecB: VecMode;
  /** Batch dims resolved in the shader (0: a single GEMM). */
  batchRank: number;
  c: boolean;
  act: ActKind;
}

const range = (n: number) => [...Array(n).keys()];

function uniforms(s: MatMulSpec): UniformField[] {
  const f: UniformField[] = [{ name: 'M', type: 'u32' }, { name: 'N', type: 'u32' }, { name: 'K', type: 'u32' }, { name: 'alpha', type: 'f32' }];
  for (const i of range(s.batchRank)) f.push({ name: `bd${i}`, type: 'u32' }, { name: `as${i}`, type: 'u32' }, { name: `bs${i}`, type: 'u32' });
  if (s.c) f.push({ name: 'beta', type: 'f32' }, { name: 'rsC', type: 'u32' }, { name: 'csC', type: 'u32' });
  return [...f, ...actUniforms(s.act)];
}

function bindings(s: MatMulSpec): Access[] {
  return ['read', 'read', ...(s.c ? ['read' as const] : []), 'read_write'];
}

/** loadA / loadA4 (or B): the operand's layout (transposed or not) and vec mode. */
function operand(name: 'A' | 'B', trans: boolean, vec: VecMode): string {
  const isA = name === 'A';
  const at = isA ? (trans ? 'k * u.M + row' : 'row * u.K + k') : (trans ? 'col * u.K + k' : 'k * u.N + col');
  const args = isA ? 'b: u32, row: u32, k: u32' : 'b: u32, k: u32, col: u32';
  const inside = isA ? 'row < u.M && k < u.K' : 'k < u.K && col < u.N';
  const base = isA ? 'aBase' : 'bBase';
  if (vec === 'none') return `fn load${name}(${args}) -> f32 { if (!(${inside})) { return 0.0; } return f32(${name}[${base} + ${at}]); }`;
  return `fn load${name}4(${args}) -> vec4<f32> { if (!(${inside})) { return vec4<f32>(0.0); } return vec4<f32>(${name}[(${base} + ${at}) / 4u]); }`;
}

export const matmulProgram = defineProgram<MatMulSpec>({
  name: 'matmul',
  bindings,
  uniforms,
  wgsl(s) {
    const t = s.t, vt = (v: VecMode) => (v === 'none' ? t : `vec4<${t}>`);
    let bi = 0;
    const decl = [
      storage(bi++, 'A', vt(s.vecA), 'read'),
      storage(bi++, 'B', vt(s.vecB), 'read'),
      s.c ? storage(bi++, 'C', t, 'read') : '',
      storage(bi++, 'Y', t, 'read_write'),
      uniformBlock(bi, uniforms(s)),
    ].filter(Boolean).join('\n');
    // Batch offsets: decompose the batch index over the batch dims, innermost last.
    const offsets = range(s.batchRank).reverse()
      .map((i) => `{ let d = rem % u.bd${i}; rem = rem / u.bd${i}; aBase += d * u.as${i}; bBase += d * u.bs${i}; }`).join('\n  ');
    const epilogue = `var v = u.alpha * acc;${s.c ? ' v = v + u.beta * f32(C[row * u.rsC + col * u.csC]);' : ''} Y[b * u.M * u.N + row * u.N + col] = ${t}(act(v));`;
    return `${header([t])}${decl}
var<private> aBase: u32;
var<private> bBase: u32;
fn setBatch(b: u32) {
  aBase = 0u; bBase = 0u;
  var rem = b;
  ${offsets}
}
${operand('A', s.transA, s.vecA)}
${operand('B', s.transB, s.vecB)}
${actFunction(s.act)}
fn store(b: u32, row: u32, col: u32, acc: f32) { ${epilogue} }
${tiledGemmMain(s.tile, s.vecA, s.vecB, 'setBatch(b);')}`;
  },
});

/** Everything a GEMM-shaped node needs to become one matmul dispatch. */
export interface GemmShape {
  M: number; N: number; K: number;
  transA: boolean; transB: boolean;
  /** Broadcast batch dims (size-1 dims dropped, contiguous ones merged) with A's and B's element strides per dim. */
  batch: { dims: number[]; as: number[]; bs: number[] };
  /** Gemm's C or a bias: added as beta * C[row * rs + col * cs]. */
  c?: { rs: number; cs: number; beta: number };
  alpha: number;
  act?: { kind: Exclude<ActKind, 'none'>; min?: number; max?: number };
}

/** One matmul dispatch; A, B are inputs 0 and 1, C is input `cInput`. */
export function gemmDispatch(g: GemmShape, env: GpuEnv, dtype: KMeta['dtype'], cInput = 2): Dispatch | string {
  if (g.batch.dims.length > 4) return `more than 4 broadcast batch dims (${g.batch.dims.join('x')})`;
  const nb = g.batch.dims.reduce((a, b) => a * b, 1);
  if (nb > env.maxGroups) return `${nb} batches exceed the dispatch limit ${env.maxGroups}`;
  // vec4 loads where 4 consecutive elements of an operand are contiguous (and every batch offset is a multiple of 4).
  const vecA: VecMode = g.transA ? (g.M % 4 === 0 ? 'mn' : 'none') : g.K % 4 === 0 ? 'k' : 'none';
  const vecB: VecMode = g.transB ? (g.K % 4 === 0 ? 'k' : 'none') : g.N % 4 === 0 ? 'mn' : 'none';
  const spec: MatMulSpec = {
    t: storageType(dtype, env.f16) as 'f32' | 'f16', tile: pickTile(g.M, g.N), transA: g.transA, transB: g.transB,
    vecA, vecB, batchRank: g.batch.dims.length, c: !!g.c, act: g.act?.kind ?? 'none',
  };
  const u: Record<string, number> = { M: g.M, N: g.N, K: g.K, alpha: g.alpha, ...actUniformValues(g.act) };
  g.batch.dims.forEach((d, i) => { u[`bd${i}`] = d; u[`as${i}`] = g.batch.as[i]; u[`bs${i}`] = g.batch.bs[i]; });
  if (g.c) Object.assign(u, { beta: g.c.beta, rsC: g.c.rs, csC: g.c.cs });
  const bindings = [{ input: 0 }, { input: 1 }, ...(g.c ? [{ input: cInput }] : []), { output: 0 }];
  return { program: matmulProgram, spec, bindings, uniforms: u, workgroups: tileWorkgroups(spec.tile, g.M, g.N, nb) };
}

/** Broadcast batch dims of two stacks of matrices, with each side's element stride per dim. */
export function batchStrides(aBatch: readonly number[], bBatch: readonly number[], aMat: number, bMat: number): { dims: number[]; as: number[]; bs: number[] } {
  const r = Math.max(aBatch.length, bBatch.length);
  const pad = (s: readonly number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const pa = pad(aBatch), pb = pad(bBatch);
  const sa = new Array<number>(r), sb = new Array<number>(r);
  for (let i = r - 1, accA = aMat, accB = bMat; i >= 0; i--) {
    sa[i] = pa[i] === 1 ? 0 : accA; accA *= pa[i];
    sb[i] = pb[i] === 1 ? 0 : accB; accB *= pb[i];
  }
  const dims: number[] = [], as: number[] = [], bs: number[] = [];
  for (let i = 0; i < r; i++) {
    const d = Math.max(pa[i], pb[i]);
    if (d === 1) continue;
    const k = dims.length - 1;
    // Merge with the previous dim when both sides step through the pair as one dim.
    if (k >= 0 && as[k] === sa[i] * d && bs[k] === sb[i] * d) { dims[k] *= d; as[k] = sa[i]; bs[k] = sb[i]; continue; }
    dims.push(d); as.push(sa[i]); bs.push(sb[i]);
  }
  return { dims, as, bs };
}

export const matMul = webgpuKernel<MatMulAttrs>({
  lower(attrs, inputs, outputs, env) {
    const a = inputs[0]!, b = inputs[1]!;
    if (a.dtype !== 'float32' && a.dtype !== 'float16') return { unsupported: `integer MatMul (${a.dtype}) has no WGSL kernel` };
    if (outputs[0]!.shape.includes(0)) return { dispatches: [] };
    const A = a.shape.length === 1 ? [1, a.shape[0]] : a.shape, B = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
    const M = A[A.length - 2], K = A[A.length - 1], N = B[B.length - 1];
    const aBatch = A.slice(0, -2), bBatch = B.slice(0, -2);
    const prod = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
    // One shared B (a Linear layer): the batch is just more rows of one GEMM.
    const fold = prod(bBatch) === 1;
    const d = gemmDispatch({
      M: fold ? M * prod(aBatch) : M, N, K, transA: false, transB: false,
      batch: fold ? { dims: [], as: [], bs: [] } : batchStrides(aBatch, bBatch, M * K, K * N),
      c: attrs.bias === true ? { rs: 0, cs: 1, beta: 1 } : undefined, alpha: 1,
      act: attrs.activation && { kind: attrs.activation.kind, min: attrs.activation.min, max: attrs.activation.max },
    }, env, a.dtype);
    return typeof d === 'string' ? { unsupported: d } : { dispatches: [d] };
  },
});
