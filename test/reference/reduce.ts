import { ravel, size, unravel, type RefTensor } from './tensor.js';

/**
 * ReduceSum / ReduceMean / ReduceMax over `axes` (all dims when empty, unless noop). Integer
 * mean truncates toward zero; an empty max is -Infinity (the caller maps it for integers).
 */
export function reduceRef(op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax', x: RefTensor, axes: number[], keepdims: boolean,
  noopWithEmptyAxes = false, integer = false): RefTensor {
  const rank = x.shape.length;
  if (axes.length === 0 && noopWithEmptyAxes) return { shape: x.shape.slice(), data: x.data.slice() };
  const red = new Set(axes.length ? axes.map((a) => (a < 0 ? a + rank : a)) : x.shape.map((_, i) => i));
  const keptShape = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: size(keptShape) }, () => []);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (red.has(d) ? 0 : v));
    groups[ravel(idx, keptShape)].push(x.data[i]);
  }
  const data = Float64Array.from(groups, (g) => {
    const sum = g.reduce((s, v) => s + v, 0);
    if (op === 'ReduceSum') return sum;
    if (op === 'ReduceMean') return integer ? (g.length ? Math.trunc(sum / g.length) : 0) : sum / g.length;
    return g.some(Number.isNaN) ? NaN : g.reduce((m, v) => Math.max(m, v), -Infinity);
  });
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !red.has(i));
  return { shape, data };
}
