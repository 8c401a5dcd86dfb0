import type { TransposeAttrs } from '../../src/ops/transpose.js';
import { resolvePerm } from '../../src/ops/transpose.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type StorageType, type UniformField } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Transpose as a gather over the output: each output element decomposes its index over the
 * output dims and reads the input through the permuted strides. Size-1 dims are dropped and runs
 * of dims that stay adjacent are merged first; when that leaves the order unchanged, the
 * transpose is a reshape and costs nothing (no copy, no dispatch).
 */
export interface TransposeSpec { t: StorageType; rank: number }

function uniforms(s: TransposeSpec): UniformField[] {
  const f: UniformField[] = [{ name: 'total', type: 'u32' }];
  for (let i = 0; i < s.rank; i++) f.push({ name: `d${i}`, type: 'u32' }, { name: `s${i}`, type: 'u32' });
  return f;
}

export const transposeProgram = defineProgram<TransposeSpec>({
  name: 'transpose',
  bindings: () => ['read', 'read_write'],
  uniforms,
  wgsl(s) {
    const steps: string[] = [];
    for (let i = s.rank - 1; i >= 0; i--) steps.push(`  { let c = rem % u.d${i}; rem = rem / u.d${i}; src += c * u.s${i}; }`);
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'Y', s.t, 'read_write')}
${uniformBlock(2, uniforms(s))}
${main1d(`  if (gi >= u.total) { return; }
  var rem = gi; var src = 0u;
${steps.join('\n')}
  Y[gi] = X[src];`)}`;
  },
});

/** Input dims and the permutation with size-1 dims dropped and adjacent runs merged. */
export function simplifyPerm(shape: readonly number[], perm: readonly number[]): { dims: number[]; perm: number[] } {
  const keep = perm.filter((p) => shape[p] !== 1);
  // Renumber the kept input axes 0..k-1 in input order.
  const order = keep.slice().sort((a, b) => a - b);
  const p = keep.map((a) => order.indexOf(a)), dims = order.map((a) => shape[a]);
  // Merge output-adjacent axes that are also input-adjacent.
  const groups: number[][] = [];
  for (const a of p) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === a) g.push(a); else groups.push([a]);
  }
  const gOrder = groups.slice().sort((a, b) => a[0] - b[0]);
  return { dims: gOrder.map((g) => g.reduce((n, a) => n * dims[a], 1)), perm: groups.map((g) => gOrder.indexOf(g)) };
}

export const transpose = webgpuKernel<TransposeAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, total = sizeOf(x.shape);
    const { dims, perm } = simplifyPerm(x.shape, resolvePerm(attrs.perm, x.shape.length));
    if (perm.every((p, i) => p === i)) return { alias: 0 };
    if (total === 0) return { dispatches: [] };
    const inStride = dims.map((_, i) => sizeOf(dims.slice(i + 1)));
    const u: Record<string, number> = { total };
    perm.forEach((p, i) => { u[`d${i}`] = dims[p]; u[`s${i}`] = inStride[p]; });
    const spec: TransposeSpec = { t: storageType(x.dtype, env.f16), rank: perm.length };
    return { dispatches: [{ program: transposeProgram, spec, bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: grid1d(total, env.maxGroups) }] };
  },
});
