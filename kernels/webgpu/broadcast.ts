import { planBroadcastN } from '../cpu/expand.js';
import type { UniformField } from './types.js';

/**
 * Numpy broadcasting for the elementwise programs. Dims are coalesced first (the CPU planner's
 * rule), so the usual cases need no index arithmetic at all: an input with the output's layout
 * reads element `gi`, a scalar reads element 0; only the rest decompose `gi` over the dims.
 */
export type Operand = 'same' | 'scalar' | 'strided';

export interface BroadcastLayout {
  /** Coalesced output dims that strided operands walk (0 when none is strided). */
  rank: number;
  operands: Operand[];
}

export interface BroadcastPlan extends BroadcastLayout {
  uniforms: Record<string, number>;
}

export function planOperands(inputs: readonly (readonly number[])[], out: readonly number[]): BroadcastPlan {
  const p = planBroadcastN(inputs, out);
  const total = out.reduce((a, b) => a * b, 1);
  const contiguous = p.dims.map((_, i) => p.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const operands: Operand[] = p.strides.map((st) => (st.every((s) => s === 0) ? 'scalar' : st.every((s, i) => s === contiguous[i] || p.dims[i] === 1) ? 'same' : 'strided'));
  const strided = operands.includes('strided');
  const uniforms: Record<string, number> = { total };
  if (strided) {
    p.dims.forEach((d, i) => { uniforms[`d${i}`] = d; });
    p.strides.forEach((st, j) => st.forEach((s, i) => { uniforms[`s${j}_${i}`] = s; }));
  }
  return { rank: strided ? p.dims.length : 0, operands, uniforms };
}

export function broadcastUniforms(l: BroadcastLayout): UniformField[] {
  const f: UniformField[] = [{ name: 'total', type: 'u32' }];
  for (let i = 0; i < l.rank; i++) f.push({ name: `d${i}`, type: 'u32' });
  l.operands.forEach((o, j) => { if (o === 'strided') for (let i = 0; i < l.rank; i++) f.push({ name: `s${j}_${i}`, type: 'u32' }); });
  return f;
}

/** WGSL defining `i0`, `i1`, ...: the element of each operand that output element `gi` reads. */
export function operandIndices(l: BroadcastLayout): string {
  const lines: string[] = [];
  const strided = l.operands.map((o, j) => (o === 'strided' ? j : -1)).filter((j) => j >= 0);
  if (strided.length) {
    lines.push('var rem = gi;', ...strided.map((j) => `var i${j} = 0u;`));
    for (let i = l.rank - 1; i >= 0; i--) {
      lines.push(`{ let c = rem % u.d${i}; rem = rem / u.d${i}; ${strided.map((j) => `i${j} += c * u.s${j}_${i};`).join(' ')} }`);
    }
  }
  l.operands.forEach((o, j) => { if (o !== 'strided') lines.push(`let i${j} = ${o === 'same' ? 'gi' : '0u'};`); });
  return lines.map((s) => `  ${s}`).join('\n');
}
