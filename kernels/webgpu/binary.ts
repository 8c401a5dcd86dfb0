import type { BinaryAttrs, BinaryOpName } from '../../src/ops/binary.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type StorageType } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';
import { broadcastUniforms, operandIndices, planOperands, type BroadcastLayout } from './broadcast.js';

/**
 * Binary elementwise ops with numpy broadcasting. Floats compute in f32 (whatever the storage),
 * integers in i32 (wrapping like the CPU's int32), bools as u32 0/1.
 */
export interface BinarySpec extends BroadcastLayout {
  op: BinaryOpName;
  /** Storage of A, of B (Pow may differ) and of Y. */
  ta: StorageType;
  tb: StorageType;
  ty: StorageType;
}

const isFloat = (t: StorageType) => t === 'f32' || t === 'f16';

/** The value of `v` (loaded from storage `t`) in the compute type for `t`. */
const load = (t: StorageType, v: string) => (t === 'f16' ? `f32(${v})` : v);

function expression(s: BinarySpec): string {
  const f = isFloat(s.ta);
  const bool = (c: string) => `select(0u, 1u, ${c})`;
  switch (s.op) {
    case 'Add': return 'a + b';
    case 'Sub': return 'a - b';
    case 'Mul': return 'a * b';
    case 'Div': return f ? 'a / b' : 'select(0, a / b, b != 0)';
    case 'Pow': return f ? (isFloat(s.tb) ? 'pow_(a, b)' : 'pow_(a, f32(b))') : `i32(pow_(f32(a), ${isFloat(s.tb) ? 'b' : 'f32(b)'}))`;
    case 'Max': return f ? 'select(b, a, a >= b || a != a)' : 'max(a, b)';
    case 'Min': return f ? 'select(b, a, a <= b || a != a)' : 'min(a, b)';
    case 'Equal': return bool('a == b');
    case 'Less': return bool('a < b');
    case 'Greater': return bool('a > b');
    case 'And': return bool('a != 0u && b != 0u');
    case 'Or': return bool('a != 0u || b != 0u');
  }
}

/** pow with the sign rules of Math.pow for negative bases (WGSL's pow is undefined there). */
const POW = `fn pow_(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  let p = pow(abs(x), y);
  if (x >= 0.0) { return p; }
  if (fract(y) != 0.0) { return sqrt(x); } // NaN, computed: WGSL has no NaN constant
  return select(p, -p, fract(y * 0.5) != 0.0);
}`;

export const binaryProgram = defineProgram<BinarySpec>({
  name: 'binary',
  bindings: () => ['read', 'read', 'read_write'],
  uniforms: (s) => broadcastUniforms(s),
  wgsl(s) {
    const out = expression(s);
    const store = s.ty === 'f16' ? `f16(${out})` : out;
    return `${header([s.ta, s.tb, s.ty])}${storage(0, 'A', s.ta, 'read')}
${storage(1, 'B', s.tb, 'read')}
${storage(2, 'Y', s.ty, 'read_write')}
${uniformBlock(3, broadcastUniforms(s))}
${s.op === 'Pow' ? POW : ''}
${main1d(`  if (gi >= u.total) { return; }
${operandIndices(s)}
  let a = ${load(s.ta, 'A[i0]')};
  let b = ${load(s.tb, 'B[i1]')};
  Y[gi] = ${store};`)}`;
  },
});

export const binary = webgpuKernel<BinaryAttrs>({
  lower(attrs, inputs, outputs, env) {
    const a = inputs[0]!, b = inputs[1]!, y = outputs[0]!;
    const total = sizeOf(y.shape);
    if (total === 0) return { dispatches: [] };
    const plan = planOperands([a.shape, b.shape], y.shape);
    if (plan.rank > 8) return { unsupported: `broadcast over ${plan.rank} dims` };
    const spec: BinarySpec = { op: attrs.op, ta: storageType(a.dtype, env.f16), tb: storageType(b.dtype, env.f16), ty: storageType(y.dtype, env.f16), rank: plan.rank, operands: plan.operands };
    return { dispatches: [{ program: binaryProgram, spec, bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: plan.uniforms, workgroups: grid1d(total, env.maxGroups) }] };
  },
});
