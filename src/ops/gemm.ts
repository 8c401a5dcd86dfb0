import { defineOp, OpError } from './types.js';
import type { Dim, ValueType } from './types.js';
import { expectFloat, expectRank, input, sameDim, showShape } from './dims.js';
import { float, int } from './attrs.js';

/**
 * Activation applied in a GEMM epilogue. Not an ONNX attribute: parse() never sets it; the
 * fusion pass does, so an activation after Gemm/MatMul costs no extra pass over memory.
 */
export interface Activation {
  kind: 'relu' | 'clip' | 'sigmoid' | 'silu' | 'gelu' | 'gelu_tanh';
  /** clip only; absent means unbounded on that side. */
  min?: number;
  max?: number;
}

export const ACTIVATION_KINDS: readonly Activation['kind'][] = ['relu', 'clip', 'sigmoid', 'silu', 'gelu', 'gelu_tanh'];

export interface GemmAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  activation?: Activation;
}

/** Shared by Gemm and MatMul infer: a fused activation set by a pass must still be valid. */
export function checkActivation(act: Activation | undefined, dtype: string): void {
  if (!act) return;
  if (!ACTIVATION_KINDS.includes(act.kind)) throw new OpError(`fused activation must be one of ${ACTIVATION_KINDS.join(', ')}, got '${act.kind}'`);
  if (dtype !== 'float32' && dtype !== 'float16') throw new OpError(`a fused activation needs float input, got ${dtype}`);
}

function bool01(v: number, name: string): boolean {
  if (v !== 0 && v !== 1) throw new OpError(`attribute '${name}' must be 0 or 1, got ${v}`);
  return v === 1;
}

/** Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (same for B). */
export const Gemm = defineOp<GemmAttrs>({
  name: 'Gemm',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: { transA: { type: 'int' }, transB: { type: 'int' }, alpha: { type: 'float' }, beta: { type: 'float' } },
  parse: (raw) => ({
    transA: bool01(int(raw, 'transA', 0), 'transA'),
    transB: bool01(int(raw, 'transB', 0), 'transB'),
    alpha: float(raw, 'alpha', 1),
    beta: float(raw, 'beta', 1),
  }),
  infer(inputs, attrs) {
    const a = input(inputs, 0, 'A'), b = input(inputs, 1, 'B'), c: ValueType | undefined = inputs[2];
    expectFloat(a, 'A');
    if (b.dtype !== a.dtype) throw new OpError(`inputs A and B must have the same dtype, got ${a.dtype} and ${b.dtype}`);
    expectRank(a, 'A', 2);
    expectRank(b, 'B', 2);
    const [M, Ka] = attrs.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [Kb, N] = attrs.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    sameDim(Ka, Kb, `inner dimensions of A${attrs.transA ? '^T' : ''} ${showShape(a.shape)} and B${attrs.transB ? '^T' : ''} ${showShape(b.shape)} differ`);
    if (c) {
      if (c.dtype !== a.dtype) throw new OpError(`input C must be ${a.dtype} like A, got ${c.dtype}`);
      checkUnidirectional(c.shape, [M, N]);
    }
    checkActivation(attrs.activation, a.dtype);
    return [{ dtype: a.dtype, shape: [M, N] }];
  },
});

/** C must broadcast to [M, N] without growing: rank <= 2, each dim equal or 1. */
function checkUnidirectional(c: readonly Dim[], mn: readonly Dim[]): void {
  const bad = () => new OpError(`input C ${showShape(c)} is not unidirectionally broadcastable to [M, N] = ${showShape(mn)}`);
  if (c.length > 2) throw bad();
  for (let i = 0; i < c.length; i++) {
    const d = c[i], t = mn[2 - c.length + i];
    if (typeof d === 'number' && typeof t === 'number' && d !== 1 && d !== t) throw bad();
  }
}
