import type { DType, KernelData } from '../dtype.js';
import { allocKernel, isFloat } from '../dtype.js';
import type { Dim, ValueType } from './types.js';
import { OpError } from './types.js';
import type { CpuKernel } from '../../kernels/types.js';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function showShape(shape: readonly Dim[]): string { return `[${shape.join(', ')}]`; }

/** Numpy-style broadcast of several shapes; symbolic dims unify when equal or against 1. */
export function broadcast(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k];
      if (e === 1 || e === d) continue;
      if (d === 1) { d = e; continue; }
      if (typeof d === 'number' && typeof e === 'number') {
        throw new OpError(`shapes ${shapes.map(showShape).join(' and ')} cannot be broadcast (dimension ${i}: ${d} vs ${e})`);
      }
      if (typeof d === 'string' && typeof e === 'number') d = e; // the symbol must equal e
    }
    out.push(d);
  }
  return out;
}

/** Normalise a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new OpError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function input(inputs: readonly (ValueType | undefined)[], i: number, name: string): ValueType {
  const t = inputs[i];
  if (!t) throw new OpError(`input ${i} (${name}) is required`);
  return t;
}

export function expectFloat(t: ValueType, name: string): void {
  if (!isFloat(t.dtype)) throw new OpError(`input ${name} must be float32 or float16, got ${t.dtype}`);
}

export function expectDType(t: ValueType, name: string, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new OpError(`input ${name} must be ${allowed.join(' or ')}, got ${t.dtype}`);
}

export function expectRank(t: ValueType, name: string, rank: number | readonly number[]): void {
  const ok = typeof rank === 'number' ? t.shape.length === rank : rank.includes(t.shape.length);
  if (!ok) throw new OpError(`input ${name} must have rank ${typeof rank === 'number' ? rank : rank.join(' or ')}, got shape ${showShape(t.shape)}`);
}

/** Two dims that must agree (equal numbers; symbols are assumed to agree). */
export function sameDim(a: Dim, b: Dim, what: string): void {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) throw new OpError(`${what}: ${a} vs ${b}`);
}

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** Integer data of a constant input, when shape inference knows it. */
export function knownInts(t: ValueType | undefined): number[] | undefined {
  return t?.value ? Array.from(t.value) : undefined;
}

/** A tensor whose data is known at inference time (the shape a CPU kernel reads and writes). */
export interface KnownTensor { dtype: DType; shape: number[]; data: KernelData }

/** Largest output (elements) that shape inference computes itself: shape arithmetic, not tensors. */
export const PROPAGATE_LIMIT = 64;

/**
 * Value propagation for shape-computation ops: when every present input's value is known and
 * every output is a small static integer tensor, run `compute` (the op's own CPU kernel) on
 * the known values and attach the results, so Shape -> Gather -> Concat -> Reshape chains
 * resolve during inference without a runtime.
 */
export function propagate(
  inputs: readonly (ValueType | undefined)[],
  outs: ValueType[],
  compute: (ins: (KnownTensor | undefined)[], outs: KnownTensor[]) => void,
): ValueType[] {
  if (!inputs.every((t) => !t || t.value)) return outs;
  for (const t of outs) {
    if (isFloat(t.dtype) || !isStatic(t.shape) || sizeOf(t.shape) > PROPAGATE_LIMIT) return outs;
  }
  const ins = inputs.map((t) => t && { dtype: t.dtype, shape: t.shape as number[], data: t.value! });
  const known = outs.map((t) => ({ dtype: t.dtype, shape: t.shape as number[], data: allocKernel(t.dtype, sizeOf(t.shape as number[])) }));
  compute(ins, known);
  return outs.map((t, k) => ({ ...t, value: known[k].data }));
}

/** `propagate`'s compute step from a CPU kernel, run the way the runtime runs it (absent inputs: float32 scalar metas). */
export function viaKernel<A, P>(k: CpuKernel<A, P>, attrs: A): (ins: (KnownTensor | undefined)[], outs: KnownTensor[]) => void {
  return (ins, outs) => {
    const metas = ins.map((t) => t ?? { dtype: 'float32' as const, shape: [] });
    const p = k.prepare ? k.prepare(attrs, metas, outs) : (attrs as unknown as P);
    k.run(ins, p, outs, new Float32Array(Math.ceil((k.scratchBytes?.(p, metas, outs) ?? 0) / 4)));
  };
}
