import { defineProgram, type Dispatch, type GpuEnv, type StorageType, type UniformField } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * The data-movement core of Transpose, Slice and Expand: Y[i] = X[base + sum_d c_d * s_d], with
 * (c_0, ..., c_r-1) the output index i decomposed over the dims d_*. Strides are signed (a
 * negative-step Slice walks backwards) and 0 along broadcast dims (Expand).
 */
export interface StridedCopySpec { t: StorageType; rank: number }

function uniforms(s: StridedCopySpec): UniformField[] {
  const f: UniformField[] = [{ name: 'total', type: 'u32' }, { name: 'base', type: 'i32' }];
  for (let i = 0; i < s.rank; i++) f.push({ name: `d${i}`, type: 'u32' }, { name: `s${i}`, type: 'i32' });
  return f;
}

export const stridedCopyProgram = defineProgram<StridedCopySpec>({
  name: 'strided-copy',
  bindings: () => ['read', 'read_write'],
  uniforms,
  wgsl(s) {
    const steps: string[] = [];
    for (let i = s.rank - 1; i >= 0; i--) steps.push(`  { let c = rem % u.d${i}; rem = rem / u.d${i}; src += i32(c) * u.s${i}; }`);
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'Y', s.t, 'read_write')}
${uniformBlock(2, uniforms(s))}
${main1d(`  if (gi >= u.total) { return; }
  var rem = gi; var src = u.base;
${steps.join('\n')}
  Y[gi] = X[u32(src)];`)}`;
  },
});

/** Output dims with the input stride of each (size-1 dims dropped, runs that stay contiguous merged). */
export function stridedCopy(t: StorageType, dims: readonly number[], strides: readonly number[], base: number, env: GpuEnv): Dispatch | null {
  const d: number[] = [], s: number[] = [];
  dims.forEach((n, i) => {
    if (n === 1) return;
    const k = d.length - 1;
    if (k >= 0 && s[k] === strides[i] * n) { d[k] *= n; s[k] = strides[i]; return; }
    d.push(n); s.push(strides[i]);
  });
  const total = dims.reduce((a, b) => a * b, 1);
  if (total === 0) return null;
  const u: Record<string, number> = { total, base };
  d.forEach((n, i) => { u[`d${i}`] = n; u[`s${i}`] = s[i]; });
  return { program: stridedCopyProgram, spec: { t, rank: d.length } satisfies StridedCopySpec, bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: grid1d(total, env.maxGroups) };
}
