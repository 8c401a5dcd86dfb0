import { size } from './tensor.js';

/** Reshape's output shape, by the spec's words: 0 copies the input dim, -1 takes what is left. */
export function reshapeShapeRef(input: readonly number[], target: readonly number[], allowzero = false): number[] {
  const out = target.map((t, i) => (t === 0 && !allowzero ? input[i] : t));
  const rest = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return out.map((d) => (d === -1 ? size(input) / rest : d));
}

export function flattenShapeRef(input: readonly number[], axis: number): number[] {
  const a = axis < 0 ? axis + input.length : axis;
  return [size(input.slice(0, a)), size(input.slice(a))];
}

export function unsqueezeShapeRef(input: readonly number[], axes: readonly number[]): number[] {
  const r = input.length + axes.length, norm = axes.map((a) => (a < 0 ? a + r : a));
  const out: number[] = [], rest = input.slice();
  for (let i = 0; i < r; i++) out.push(norm.includes(i) ? 1 : rest.shift()!);
  return out;
}

export function squeezeShapeRef(input: readonly number[], axes?: readonly number[]): number[] {
  if (!axes) return input.filter((d) => d !== 1);
  const norm = axes.map((a) => (a < 0 ? a + input.length : a));
  return input.filter((_, i) => !norm.includes(i));
}
