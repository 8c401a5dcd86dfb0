import { ravel, size, unravel, type RefTensor } from './tensor.js';

/**
 * numpy.pad semantics per axis; negative pads crop. `reflect` bounces off both ends as often as
 * needed (numpy's behaviour for pads longer than the axis).
 */
export function padRef(x: RefTensor, begin: readonly number[], end: readonly number[], mode: 'constant' | 'reflect' | 'edge', value = 0): RefTensor {
  const shape = x.shape.map((d, a) => d + begin[a] + end[a]), data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    const src = unravel(i, shape).map((j, a) => {
      const d = x.shape[a];
      let k = j - begin[a];
      if (k >= 0 && k < d) return k;
      if (mode === 'constant') return -1;
      if (mode === 'edge') return k < 0 ? 0 : d - 1;
      if (d === 1) return 0;
      while (k < 0 || k >= d) k = k < 0 ? -k : 2 * (d - 1) - k;
      return k;
    });
    data[i] = src.includes(-1) ? value : x.data[ravel(src, x.shape)];
  }
  return { shape, data };
}
