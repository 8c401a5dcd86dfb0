/**
 * One GEMM job as the main thread writes it into a worker's shared control words and the
 * worker reads it (threads.ts, gemm-worker.ts). Arrays travel as (buffer id, element offset
 * into a Float32Array over that whole SharedArrayBuffer); each buffer is sent once per worker.
 */
export const Slot = {
  State: 0, M: 1, N: 2, K: 3, ABuf: 4, AOff: 5, RsA: 6, CsA: 7, BBuf: 8, BOff: 9, RsB: 10, CsB: 11,
  CBuf: 12, COff: 13, Ldc: 14, Accumulate: 15, HasEpi: 16, BiasPerRow: 17, Act: 18, BiasBuf: 19, BiasOff: 20, Count: 21,
} as const;

/** Worker states in ctl[Slot.State]. */
export const State = { Starting: 0, Job: 1, Idle: 2, Failed: 3, Exit: 4 } as const;

/** Float64 words: the epilogue clamp. */
export const FSlot = { Lo: 0, Hi: 1, Count: 2 } as const;

/** Registering a buffer with a worker (main -> worker); an error report (worker -> main). */
export type PortMessage = { id: number; buffer: SharedArrayBuffer } | { error: string };
