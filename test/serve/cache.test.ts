import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { LruCache, hashInputs } from '../../src/serve/index.js';

describe('LruCache', () => {
  it('evicts the least recently used entry past maxEntries and counts hits and misses', () => {
    const c = new LruCache<number>({ maxEntries: 2 });
    c.set('a', 1); c.set('b', 2);
    expect(c.get('a')).toBe(1);          // a is now most recent
    c.set('c', 3);                        // evicts b
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.stats()).toEqual({ hits: 3, misses: 1, evictions: 1, entries: 2, bytes: 0 });
  });

  it('bounds bytes, replaces entries in place and skips values larger than the bound', () => {
    const c = new LruCache<Uint8Array>({ maxEntries: 100, maxBytes: 10, sizeOf: (v) => v.length });
    c.set('a', new Uint8Array(4)); c.set('b', new Uint8Array(4));
    expect(c.bytes).toBe(8);
    c.set('a', new Uint8Array(2));        // replace: 6 bytes
    expect(c.bytes).toBe(6);
    c.set('c', new Uint8Array(5));        // 11 > 10: evicts b (oldest)
    expect(c.has('b')).toBe(false);
    expect(c.bytes).toBe(7);
    c.set('huge', new Uint8Array(11));
    expect(c.has('huge')).toBe(false);
    expect(c.size).toBe(2);
  });

  it('with maxEntries 0 stores nothing', () => {
    const c = new LruCache<number>({ maxEntries: 0 });
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
  });
});

describe('hashInputs', () => {
  const x = new Tensor('float32', [2, 2], [1, 2, 3, 4]);
  it('is stable, ignores key order and tracks model, values, shape and dtype', () => {
    const y = new Tensor('int32', [1], [5]);
    const base = hashInputs('m', { x, y });
    expect(hashInputs('m', { y, x })).toBe(base);
    expect(hashInputs('m', { x: new Tensor('float32', [2, 2], [1, 2, 3, 4]), y })).toBe(base);
    expect(hashInputs('m2', { x, y })).not.toBe(base);
    expect(hashInputs('m', { x: new Tensor('float32', [2, 2], [1, 2, 3, 5]), y })).not.toBe(base);
    expect(hashInputs('m', { x: x.reshape([4, 1]), y })).not.toBe(base);
    expect(hashInputs('m', { x: new Tensor('int32', [2, 2], [1, 2, 3, 4]), y })).not.toBe(base);
    expect(hashInputs('m', { x, z: y })).not.toBe(base);
  });
});
