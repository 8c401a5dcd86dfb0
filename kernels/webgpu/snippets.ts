import type { Access, StorageType, UniformField } from './types.js';

/**
 * WGSL text shared by the generators: declarations, the 1-D grid, erf and the fused activations.
 * Only what a program uses is emitted.
 */

/** `enable f16;` when any binding stores f16. */
export function header(types: readonly StorageType[]): string {
  return types.includes('f16') ? 'enable f16;\n' : '';
}

export function storage(binding: number, name: string, type: string, access: Access): string {
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type}>;`;
}

/** The uniform struct `U` bound as `u` at `binding` (nothing when there are no fields). */
export function uniformBlock(binding: number, fields: readonly UniformField[]): string {
  if (!fields.length) return '';
  return `struct U { ${fields.map((f) => `${f.name}: ${f.type}`).join(', ')} }\n@group(0) @binding(${binding}) var<uniform> u: U;`;
}

/** Largest finite f32: the bounds of an unbounded clip (WGSL may assume no infinities). */
export const F32_MAX = 3.4028234663852886e38;

export const WG_1D = 256;

/** Workgroups for n threads of WG_1D, folded into 2-D past the per-dimension limit. */
export function grid1d(n: number, maxGroups: number, wg = WG_1D): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxGroups) return [groups, 1, 1];
  const y = Math.ceil(groups / maxGroups);
  return [Math.ceil(groups / y), y, 1];
}

/** Entry point of a 1-D program: `gi` is the global thread index (see grid1d). */
export function main1d(body: string, wg = WG_1D): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let gi = gid.y * nwg.x * ${wg}u + gid.x;
${body}
}`;
}

/** erf, same formulas as the CPU kernel (kernels/cpu/erf.ts): |error| ~1.2e-7. */
export const ERF = `fn erf_(x: f32) -> f32 {
  let a = abs(x);
  let s = select(1.0, -1.0, x < 0.0);
  if (a > 6.0) { return s; }
  if (a < 0.5) {
    let x2 = a * a;
    return s * 1.1283791670955126 * a * (1.0 - x2 / 3.0 * (1.0 - x2 / 10.0 * 3.0 * (1.0 - x2 / 21.0 * 5.0 * (1.0 - x2 / 36.0 * 7.0 * (1.0 - x2 / 55.0 * 9.0)))));
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let y = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return s * (1.0 - y);
}`;

/** tanh on a clamped argument: some drivers compute it through exp and overflow past ~44. */
export const TANH = 'fn tanh_(x: f32) -> f32 { return tanh(clamp(x, -10.0, 10.0)); }';

export type ActKind = 'none' | 'relu' | 'clip' | 'sigmoid' | 'silu' | 'gelu' | 'gelu_tanh';

/** Uniforms an activation reads (clip bounds). */
export function actUniforms(act: ActKind): UniformField[] {
  return act === 'clip' ? [{ name: 'actMin', type: 'f32' }, { name: 'actMax', type: 'f32' }] : [];
}

export function actUniformValues(act: { min?: number; max?: number } | undefined): Record<string, number> {
  return { actMin: Math.max(-F32_MAX, act?.min ?? -F32_MAX), actMax: Math.min(F32_MAX, act?.max ?? F32_MAX) };
}

/** `fn act(v: f32) -> f32` for a fused epilogue, with the helpers it needs. */
export function actFunction(act: ActKind): string {
  const body: Record<ActKind, string> = {
    none: 'return v;',
    relu: 'return max(v, 0.0);',
    clip: 'return clamp(v, u.actMin, u.actMax);',
    sigmoid: 'return 1.0 / (1.0 + exp(-v));',
    silu: 'return v / (1.0 + exp(-v));',
    gelu: 'return 0.5 * v * (1.0 + erf_(v * 0.7071067811865476));',
    gelu_tanh: 'return 0.5 * v * (1.0 + tanh_(0.7978845608028654 * (v + 0.044715 * v * v * v)));',
  };
  const helpers = act === 'gelu' ? `${ERF}\n` : act === 'gelu_tanh' ? `${TANH}\n` : '';
  return `${helpers}fn act(v: f32) -> f32 { ${body[act]} }`;
}
