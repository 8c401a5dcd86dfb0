type TypedCtor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A zeroed array of `n` elements for weights repacked at plan time from `source`: in a
 * SharedArrayBuffer when the source is in one (a session with threads shares its weights), so
 * worker threads can read the repacked weights too; plain memory otherwise.
 */
export function allocLike<T>(Ctor: TypedCtor<T>, n: number, source: ArrayBufferView): T {
  if (typeof SharedArrayBuffer === 'undefined' || !(source.buffer instanceof SharedArrayBuffer)) return new Ctor(n);
  return new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT), 0, n);
}
