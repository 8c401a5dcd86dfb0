import type { UnaryAttrs, UnaryOpName } from '../../src/ops/unary.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type Dispatch, type GpuEnv, type StorageType, type UniformField } from './types.js';
import { ERF, TANH, grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Unary elementwise ops, plus the two that are unary on the GPU though not in the ONNX family:
 * Gelu (exact or tanh) and Clip with constant bounds (held in the uniforms).
 */
export type UnaryProgramOp = UnaryOpName | 'Gelu' | 'GeluTanh' | 'Clip';

export interface UnarySpec {
  op: UnaryProgramOp;
  /** Storage of X and Y (one dtype). */
  t: StorageType;
}

const FLOAT: Partial<Record<UnaryProgramOp, string>> = {
  Relu: 'max(x, 0.0)',
  Sigmoid: '1.0 / (1.0 + exp(-x))',
  Tanh: 'tanh_(x)',
  Erf: 'erf_(x)',
  Sqrt: 'sqrt(x)',
  Exp: 'exp(x)',
  Log: 'log(x)',
  Neg: '-x',
  Abs: 'abs(x)',
  Reciprocal: '1.0 / x',
  Floor: 'floor(x)',
  Ceil: 'ceil(x)',
  Softplus: 'select(log(1.0 + exp(x)), x, x > 20.0)',
  HardSigmoid: 'clamp(u.alpha * x + u.beta, 0.0, 1.0)',
  HardSwish: 'x * clamp(x / 6.0 + 0.5, 0.0, 1.0)',
  LeakyRelu: 'select(u.alpha * x, x, x >= 0.0)',
  Gelu: '0.5 * x * (1.0 + erf_(x * 0.7071067811865476))',
  GeluTanh: '0.5 * x * (1.0 + tanh_(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
  Clip: 'clamp(x, u.lo, u.hi)',
};

const INT: Partial<Record<UnaryProgramOp, string>> = {
  Relu: 'max(x, 0)', Neg: '-x', Abs: 'abs(x)', Clip: 'clamp(x, u.lo, u.hi)',
};

function uniforms(s: UnarySpec): UniformField[] {
  const f: UniformField[] = [{ name: 'total', type: 'u32' }];
  if (s.op === 'HardSigmoid' || s.op === 'LeakyRelu') f.push({ name: 'alpha', type: 'f32' }, { name: 'beta', type: 'f32' });
  if (s.op === 'Clip') {
    const t = s.t === 'f32' || s.t === 'f16' ? 'f32' : s.t;
    f.push({ name: 'lo', type: t }, { name: 'hi', type: t });
  }
  return f;
}

function expression(s: UnarySpec): string | undefined {
  if (s.op === 'Not') return s.t === 'u32' ? 'select(1u, 0u, x != 0u)' : undefined;
  return s.t === 'f32' || s.t === 'f16' ? FLOAT[s.op] : s.t === 'i32' ? INT[s.op] : undefined;
}

export const unaryProgram = defineProgram<UnarySpec>({
  name: 'unary',
  bindings: () => ['read', 'read_write'],
  uniforms,
  wgsl(s) {
    const e = expression(s)!;
    const x = s.t === 'f16' ? 'f32(X[gi])' : 'X[gi]';
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'Y', s.t, 'read_write')}
${uniformBlock(2, uniforms(s))}
${e.includes('erf_') ? ERF : ''}
${e.includes('tanh_') ? TANH : ''}
${main1d(`  if (gi >= u.total) { return; }
  let x = ${x};
  Y[gi] = ${s.t === 'f16' ? `f16(${e})` : e};`)}`;
  },
});

/** One unary dispatch over a whole tensor, or why there is none for this dtype. */
export function unaryDispatch(op: UnaryProgramOp, dtype: Parameters<typeof storageType>[0], shape: readonly number[], env: GpuEnv, extra: Record<string, number> = {}): Dispatch | string | null {
  const spec: UnarySpec = { op, t: storageType(dtype, env.f16) };
  if (!expression(spec)) return `${op} on ${dtype}`;
  const total = sizeOf(shape);
  if (total === 0) return null;
  return { program: unaryProgram, spec, bindings: [{ input: 0 }, { output: 0 }], uniforms: { total, ...extra }, workgroups: grid1d(total, env.maxGroups) };
}

export const unary = webgpuKernel<UnaryAttrs>({
  lower(attrs, inputs, outputs, env) {
    const d = unaryDispatch(attrs.op, inputs[0]!.dtype, outputs[0]!.shape, env, { alpha: attrs.alpha, beta: attrs.beta });
    return typeof d === 'string' ? { unsupported: d } : { dispatches: d ? [d] : [] };
  },
});
