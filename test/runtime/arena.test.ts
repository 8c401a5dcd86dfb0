import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planArena } from '../../src/runtime/arena.js';
import { RUNS } from '../util/numerics.js';

describe('arena planner', () => {
  it('never overlaps two buffers that are alive at the same time, and beats one buffer per value', () => {
    const lifetimes = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 10 }))
        .map(([bytes, first, len]) => ({ bytes, first, last: first + len })),
      { maxLength: 40 },
    );
    fc.assert(fc.property(lifetimes, (bufs) => {
      const { offsets, bytes, naiveBytes } = planArena(bufs);
      for (let i = 0; i < bufs.length; i++) {
        expect(offsets[i] % 64).toBe(0);
        expect(offsets[i] + bufs[i].bytes).toBeLessThanOrEqual(bytes);
        for (let j = i + 1; j < bufs.length; j++) {
          const timeOverlap = bufs[i].first <= bufs[j].last && bufs[j].first <= bufs[i].last;
          const spaceOverlap = offsets[i] < offsets[j] + bufs[j].bytes && offsets[j] < offsets[i] + bufs[i].bytes;
          if (timeOverlap && bufs[i].bytes > 0 && bufs[j].bytes > 0) expect(spaceOverlap, JSON.stringify({ i, j, bufs, offsets })).toBe(false);
        }
      }
      expect(bytes).toBeLessThanOrEqual(naiveBytes);
    }), { numRuns: RUNS * 3 });
  });

  it('reuses memory along a chain', () => {
    // a -> b -> c -> d, each 1 KiB: two buffers suffice.
    const chain = [0, 1, 2, 3].map((s) => ({ bytes: 1024, first: s, last: s + 1 }));
    expect(planArena(chain).bytes).toBe(2048);
    expect(planArena(chain).naiveBytes).toBe(4096);
  });
});
