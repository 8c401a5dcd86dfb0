/** A buffer to place: its size and the first and last plan step that touch it (inclusive). */
export interface Lifetime { bytes: number; first: number; last: number }

export interface ArenaLayout {
  /** Byte offset of each buffer, in input order. */
  offsets: number[];
  /** Size of the one arena holding them all. */
  bytes: number;
  /** What one buffer per value would have cost. */
  naiveBytes: number;
}

const ALIGN = 64; // cache line; also keeps every typed-array view aligned

/**
 * Greedy-by-size placement (as in TFLite's arena planner): biggest buffers first, each at the
 * lowest offset that does not overlap a placed buffer whose lifetime overlaps its own.
 */
export function planArena(buffers: readonly Lifetime[]): ArenaLayout {
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let total = 0, naive = 0;
  for (const i of order) {
    const b = buffers[i];
    const size = align(b.bytes);
    naive += size;
    const clashes = placed
      .filter((j) => buffers[j].first <= b.last && b.first <= buffers[j].last)
      .sort((x, y) => offsets[x] - offsets[y]);
    let off = 0;
    for (const j of clashes) {
      if (off + size <= offsets[j]) break;
      off = Math.max(off, offsets[j] + align(buffers[j].bytes));
    }
    offsets[i] = off;
    placed.push(i);
    total = Math.max(total, off + size);
  }
  return { offsets, bytes: total, naiveBytes: naive };
}

function align(n: number): number { return Math.ceil(n / ALIGN) * ALIGN; }
