import { denseIndex } from './formats/matrix.js';
import { bitsOf, forSmallest } from './select.js';
import type { PrunableLayer } from './targets.js';

/**
 * Magnitude pruning in place on copies of the weights. Each function zeroes exactly the
 * requested count: round(sparsity * n) weights (or blocks) per layer, or over all layers
 * together for the global scope; ties go to the lower index. Weights already zero rank lowest,
 * so they count towards the target.
 */
export interface LayerData { layer: PrunableLayer; data: Float32Array }

/** Unstructured: the smallest |w|. */
export function pruneUnstructured(layers: readonly LayerData[], sparsity: number, global: boolean): void {
  if (global) {
    const total = layers.reduce((n, l) => n + l.data.length, 0);
    forSmallest(layers.map((l) => bitsOf(l.data)), Math.round(sparsity * total), (li, i) => { layers[li].data[i] = 0; });
    return;
  }
  for (const l of layers) forSmallest([bitsOf(l.data)], Math.round(sparsity * l.data.length), (_li, i) => { l.data[i] = 0; });
}

/**
 * Block: aligned blocks of [bk inputs, br outputs] over the rows x depth matrix, scored by their
 * mean square (edge blocks that stick out are scored on the elements they have, so they are
 * neither favoured nor spared), the lowest-scoring blocks zeroed.
 */
export function pruneBlocks(layers: readonly LayerData[], sparsity: number, global: boolean, block: readonly [number, number]): void {
  const [bk, br] = block;
  const scores = layers.map(({ layer: m, data }) => {
    const R = Math.ceil(m.rows / br), B = Math.ceil(m.depth / bk), s = new Float32Array(R * B);
    for (let r = 0; r < R; r++) {
      for (let b = 0; b < B; b++) {
        let sum = 0, n = 0;
        forBlock(m, r, b, bk, br, (i) => { sum += data[i] * data[i]; n++; });
        s[r * B + b] = n ? sum / n : 0;
      }
    }
    return s;
  });
  const zero = (li: number, idx: number) => {
    const { layer: m, data } = layers[li], B = Math.ceil(m.depth / bk);
    forBlock(m, Math.floor(idx / B), idx % B, bk, br, (i) => { data[i] = 0; });
  };
  if (global) {
    const total = scores.reduce((n, s) => n + s.length, 0);
    forSmallest(scores.map(bitsOf), Math.round(sparsity * total), zero);
    return;
  }
  scores.forEach((s, li) => forSmallest([bitsOf(s)], Math.round(sparsity * s.length), (_l, i) => zero(li, i)));
}

/** Calls f with the flat index of every element of block (r, b) that lies inside the matrix. */
function forBlock(m: PrunableLayer, r: number, b: number, bk: number, br: number, f: (i: number) => void): void {
  for (let c = r * br; c < Math.min(m.rows, (r + 1) * br); c++) {
    for (let k = b * bk; k < Math.min(m.depth, (b + 1) * bk); k++) f(denseIndex(m, c, k));
  }
}

/**
 * 2:4 (N:M) structured sparsity: in every group of 4 consecutive input channels of an output
 * channel (at each kernel position of a conv) the 2 smallest |w| are zeroed, as NVIDIA's sparse
 * tensor cores expect. A trailing group of 3 loses 1; groups of 1 or 2 are kept whole.
 */
export function prune2of4(layers: readonly LayerData[]): void {
  for (const { layer: m, data } of layers) {
    const channels = m.depth / m.spatial, idx = [0, 0, 0, 0];
    for (let c = 0; c < m.rows; c++) {
      for (let s = 0; s < m.spatial; s++) {
        for (let g = 0; g < channels; g += 4) {
          const n = Math.min(4, channels - g);
          if (n <= 2) continue;
          for (let i = 0; i < n; i++) idx[i] = denseIndex(m, c, (g + i) * m.spatial + s);
          // Keep the two largest |w| (the earlier one on a tie), zero the rest.
          let a = -1, b = -1;
          for (let i = 0; i < n; i++) {
            const v = Math.abs(data[idx[i]]);
            if (a < 0 || v > Math.abs(data[idx[a]])) { b = a; a = i; }
            else if (b < 0 || v > Math.abs(data[idx[b]])) b = i;
          }
          for (let i = 0; i < n; i++) if (i !== a && i !== b) data[idx[i]] = 0;
        }
      }
    }
  }
}
