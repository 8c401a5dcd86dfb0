import { createHash } from 'node:crypto';
import type { Tensor } from '../tensor.js';

export interface LruCacheOptions<V> {
  /** Most entries kept. 0 disables the cache. */
  maxEntries: number;
  /** Most bytes kept, as measured by `sizeOf` (default: unbounded). */
  maxBytes?: number;
  /** Bytes one value takes (default 0: only the entry bound applies). */
  sizeOf?: (value: V) => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
}

/**
 * A least-recently-used map bounded both in entries and in bytes. A value larger than
 * `maxBytes` on its own is not stored (it would only evict everything else).
 */
export class LruCache<V, K = string> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: V) => number;
  private totalBytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(opts: LruCacheOptions<V>) {
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 0) throw new RangeError(`LruCache: maxEntries must be a non-negative integer, got ${opts.maxEntries}`);
    if (opts.maxBytes !== undefined && !(opts.maxBytes >= 0)) throw new RangeError(`LruCache: maxBytes must be >= 0, got ${opts.maxBytes}`);
    this.maxEntries = opts.maxEntries;
    this.maxBytes = opts.maxBytes ?? Infinity;
    this.sizeOf = opts.sizeOf ?? (() => 0);
  }

  /** The value, marked most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) { this.misses++; return undefined; }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** Without touching recency or the hit/miss counts. */
  peek(key: K): V | undefined { return this.map.get(key)?.value; }
  has(key: K): boolean { return this.map.has(key); }

  set(key: K, value: V): void {
    if (this.maxEntries === 0) return;
    const bytes = this.sizeOf(value);
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.map.keys().next().value as K;
      this.delete(oldest);
      this.evictions++;
    }
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.totalBytes -= e.bytes;
    return true;
  }

  clear(): void { this.map.clear(); this.totalBytes = 0; }

  get size(): number { return this.map.size; }
  get bytes(): number { return this.totalBytes; }
  stats(): CacheStats { return { hits: this.hits, misses: this.misses, evictions: this.evictions, entries: this.map.size, bytes: this.totalBytes }; }
}

/**
 * A cache key for one inference: SHA-256 over the model name and every input's name, dtype,
 * shape and bytes (inputs in name order, so key order in the request does not matter).
 */
export function hashInputs(model: string, feeds: Readonly<Record<string, Tensor>>): string {
  const h = createHash('sha256');
  h.update(`${model.length}:${model}`);
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name];
    h.update(`|${name.length}:${name}:${t.dtype}:${t.shape.join('x')}|`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}

/** Bytes a map of tensors occupies (typed-array storage only). */
export function tensorsBytes(tensors: Readonly<Record<string, Tensor>>): number {
  let n = 0;
  for (const t of Object.values(tensors)) n += t.data.byteLength;
  return n;
}
