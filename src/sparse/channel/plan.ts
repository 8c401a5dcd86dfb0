import type { Graph } from '../../graph/graph.js';
import { denseIndex, weightMatrix } from '../formats/matrix.js';
import { bitsOf, forSmallest } from '../select.js';
import { layerOf, skipped, type SkipOption } from '../targets.js';
import type { ChannelPlan } from './apply.js';
import type { ChannelSpace } from './spaces.js';

/**
 * Channel importance: the L2 norm of each channel's weight row in every layer producing the
 * space, divided by that layer's mean row norm (so partners of a residual Add count equally
 * whatever their scale), summed over the producers.
 */
export function channelImportance(space: ChannelSpace): Float32Array {
  const score = new Float32Array(space.channels);
  for (const { weight, axis } of space.producers) {
    const m = weightMatrix(weight.shape, axis, weight.toString()), w = weight.data as Float32Array;
    const norms = new Float64Array(m.rows);
    for (let c = 0; c < m.rows; c++) {
      let s = 0;
      for (let k = 0; k < m.depth; k++) { const v = w[denseIndex(m, c, k)]; s += v * v; }
      norms[c] = Math.sqrt(s);
    }
    const mean = norms.reduce((a, b) => a + b, 0) / Math.max(1, m.rows);
    for (let c = 0; c < m.rows; c++) score[c] += mean > 0 ? norms[c] / mean : 0;
  }
  return score;
}

/**
 * Which channels each prunable space keeps. Layer scope removes round(sparsity * C) channels
 * from every space; global scope removes the round(sparsity * total) least important channels
 * over all spaces together. Each space keeps at least one channel. Spaces that are invalid, or
 * one of whose producers `skip` names, keep everything.
 */
export function planChannels(g: Graph, spaces: readonly ChannelSpace[], sparsity: number, global: boolean, skip?: SkipOption): ChannelPlan[] {
  const open = spaces.filter((s) => !s.invalid && s.channels > 1 && s.producers.every((p) => !skipped(layerOf(g, p.node)!, skip)));
  const scores = open.map(channelImportance);
  const pruned = open.map((s) => new Uint8Array(s.channels));
  if (global) {
    const total = open.reduce((n, s) => n + s.channels, 0);
    forSmallest(scores.map(bitsOf), Math.round(sparsity * total), (si, c) => { pruned[si][c] = 1; });
  } else {
    open.forEach((s, si) => forSmallest([bitsOf(scores[si])], Math.min(s.channels - 1, Math.round(sparsity * s.channels)), (_l, c) => { pruned[si][c] = 1; }));
  }
  return open.map((space, si) => {
    let keep = [...pruned[si].keys()].filter((c) => !pruned[si][c]);
    if (!keep.length) { // global scope emptied it: keep its most important channel
      const best = scores[si].reduce((b, v, c) => (v > scores[si][b] ? c : b), 0);
      keep = [best];
    }
    return { space, keep };
  });
}
