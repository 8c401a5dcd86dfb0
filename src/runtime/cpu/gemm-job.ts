import type { JobArray } from '../../../kernels/cpu/jobs.js';

/**
 * One job as the main thread writes it into a worker's shared control words and the worker
 * reads it (threads.ts, gemm-worker.ts). ctl[Slot.Job] says which: SGEMM, or a split job
 * (kernels/cpu/jobs.ts) by its index in JOB_KINDS. Arrays travel as buffer ids (each
 * SharedArrayBuffer is sent once per worker) plus offsets.
 */
export const SGEMM = -1;

/** SGEMM words: offsets are elements of a Float32Array over the whole buffer. */
export const Slot = {
  State: 0, Job: 1, M: 2, N: 3, K: 4, ABuf: 5, AOff: 6, RsA: 7, CsA: 8, BBuf: 9, BOff: 10, RsB: 11, CsB: 12,
  CBuf: 13, COff: 14, Ldc: 15, Accumulate: 16, HasEpi: 17, BiasPerRow: 18, Act: 19, BiasBuf: 20, BiasOff: 21,
  /** Bit 0: the worker runs its part on its own WebAssembly SIMD engine (sgemm-simd.ts), else JavaScript; ENGINE_CONST_*: an operand is a weight whose packed form the caller's engine keeps, so the worker's keeps it too. */
  Engine: 22,
  /**
   * Chunked products (SIMD): Chunks > 0 parts of Chunk columns (ByRows: rows) of the whole
   * product, taken in turn by every thread from the shared counter in CounterBuf (Atomics.add),
   * so a slower or busier core takes fewer. 0: the job is this worker's fixed part.
   * Batched products (ParallelGemm.sgemmBatch): PerItem chunks per item, whose B and C start
   * BStride and CStride floats after the previous item's (A and the bias are shared).
   */
  Chunks: 23, Chunk: 24, ByRows: 25, CounterBuf: 26, PerItem: 27, BStride: 28, CStride: 29, Count: 30,
} as const;

/**
 * Rows [lo, hi) (byRows) or columns [lo, hi) of an M x N product: the part's size and where its
 * operands start; the calling thread and the workers cut parts the same way.
 */
export function gemmPart(
  byRows: boolean, lo: number, hi: number, M: number, N: number,
  aOff: number, rsA: number, bOff: number, csB: number, cOff: number, ldc: number, biasOff: number, biasPerRow: boolean,
): { m: number; n: number; aOff: number; bOff: number; cOff: number; biasOff: number } {
  return {
    m: byRows ? hi - lo : M, n: byRows ? N : hi - lo,
    aOff: aOff + (byRows ? lo * rsA : 0), bOff: bOff + (byRows ? 0 : lo * csB),
    cOff: cOff + (byRows ? lo * ldc : lo), biasOff: biasOff + (biasPerRow === byRows ? lo : 0),
  };
}

/**
 * Runs part(lo, hi, item) over the chunks that this thread wins from `counter`: `chunks` in all,
 * `perItem` of them cutting [0, extent) of each item of a batch (one item: perItem = chunks).
 * The same loop runs on the calling thread and on each worker. Each chunk is computed whole by
 * one thread, so the result does not depend on who took which.
 */
export function takeChunks(counter: Int32Array, chunks: number, chunk: number, extent: number, part: (lo: number, hi: number, item: number) => void, perItem = chunks): number {
  let taken = 0;
  for (let i = Atomics.add(counter, 0, 1); i < chunks; i = Atomics.add(counter, 0, 1), taken++) {
    const item = Math.floor(i / perItem), j = i - item * perItem;
    part(j * chunk, Math.min(extent, (j + 1) * chunk), item);
  }
  return taken;
}

/**
 * Split-job words (after State and Job): the part, the counts, the chunk size (> 0: chunks of
 * [Lo, Hi) taken in turn from the counter in buffer Counter, as SIMD products are; jobs on the
 * SIMD engine go this way, others in fixed parts), then ARRAY_WORDS per array
 * (buffer id or -1 for an absent array, byte offset, length, type code), then the ints.
 * The floats go to the float64 words.
 */
export const Split = { Lo: 2, Hi: 3, Arrays: 4, Ints: 5, Floats: 6, Chunk: 7, Counter: 8, First: 9 } as const;
export const ARRAY_WORDS = 4;
export const MAX_ARRAYS = 8;
export const MAX_INTS = 24;
export const MAX_FLOATS = 4;
export const CTL_WORDS = Math.max(Slot.Count, Split.First + MAX_ARRAYS * ARRAY_WORDS + MAX_INTS);

/** Typed-array constructors by type code. */
export const ARRAY_TYPES = [Float32Array, Float64Array, Int32Array, Uint16Array, Int8Array, Uint8Array] as const;

export function arrayView(code: number, buffer: SharedArrayBuffer, byteOffset: number, length: number): JobArray {
  const T = ARRAY_TYPES[code] as unknown as new (b: SharedArrayBuffer, off: number, n: number) => JobArray;
  return new T(buffer, byteOffset, length);
}

export function typeCode(a: JobArray): number {
  const code = ARRAY_TYPES.findIndex((T) => a instanceof T);
  if (code < 0) throw new Error(`threads: a job array of type ${a.constructor.name} has no type code`);
  return code;
}

export const ENGINE_CONST_A = 2;
export const ENGINE_CONST_B = 4;

/** Worker states in ctl[Slot.State]. */
export const State = { Starting: 0, Job: 1, Idle: 2, Failed: 3, Exit: 4 } as const;

/** Float64 words: the SGEMM epilogue clamp, or a split job's floats. */
export const FSlot = { Lo: 0, Hi: 1, Count: Math.max(2, MAX_FLOATS) } as const;

/** Registering a buffer with a worker (main -> worker); an error report (worker -> main). */
export type PortMessage = { id: number; buffer: SharedArrayBuffer } | { error: string };

/** The buffer ids the job in `ctl` names: a browser helper awaits those it has not received before running it. */
export function jobBufferIds(ctl: Int32Array): number[] {
  if (ctl[Slot.Job] === SGEMM) return [ctl[Slot.ABuf], ctl[Slot.BBuf], ctl[Slot.CBuf], ctl[Slot.BiasBuf], ctl[Slot.Chunks] > 0 ? ctl[Slot.CounterBuf] : -1].filter((id) => id >= 0);
  const ids: number[] = ctl[Split.Chunk] > 0 ? [ctl[Split.Counter]] : [];
  for (let i = 0, w = Split.First; i < ctl[Split.Arrays]; i++, w += ARRAY_WORDS) if (ctl[w] >= 0) ids.push(ctl[w]);
  return ids;
}

/**
 * A browser helper's error report, in shared memory (UTF-16 code units after a length word):
 * the pool reads it while blocked in Atomics.wait, where no message can arrive, and a Web
 * Worker has no receiveMessageOnPort.
 */
export const ERROR_UNITS = 512;

export function writeError(units: Uint16Array, message: string): void {
  const n = Math.min(message.length, units.length - 1);
  for (let i = 0; i < n; i++) units[i + 1] = message.charCodeAt(i);
  units[0] = n;
}

export function readError(units: Uint16Array): string {
  return units[0] === 0 ? 'unknown error' : String.fromCharCode(...units.subarray(1, 1 + units[0]));
}

/** A browser helper's first message: its control words, float64 words and error units. */
export interface WebHelperInit { ctl: SharedArrayBuffer; f64: SharedArrayBuffer; error: SharedArrayBuffer }
