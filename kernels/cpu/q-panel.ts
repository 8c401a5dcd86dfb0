import { allocLike } from './shared-alloc.js';

/**
 * Plan-time repacking of quantized weights into column panels, the layout the GEMM cores read:
 * four output channels side by side per u32 word, so one load brings a 4-wide slice of the
 * weight (V8 pays a bounds check per typed-array load: fewer loads per multiply-add is most of
 * the speed). Same bytes per weight as the stored format; channel counts are padded up to a
 * multiple of 4 with zero weights (their outputs are never stored).
 *
 *   int8 panel: word [jb * K + k] = q[4jb + t][k] in byte t (t = 0..3), as two's complement bytes.
 *   int4 panel: word [jb * K2 + kk] (K2 = blocks * G / 2) holds k = 2kk in bits 4t..4t+3 and
 *               k = 2kk + 1 in bits 16 + 4t..: nibble u = q + 8 of channel 4jb + t; padding is 8.
 */
export interface Int8Source { rows: number; depth: number; stride: number; quants: Int8Array }
export interface Int4Source { rows: number; depth: number; groupSize: number; blocks: number; quants: Uint8Array }

export const colBlocks = (rows: number) => Math.ceil(rows / 4);

export function panelInt8(w: Int8Source): Int32Array {
  const { rows, depth: K, stride, quants } = w, out = allocLike(Int32Array, colBlocks(rows) * K, quants);
  for (let n = 0; n < rows; n++) {
    const jb = n >> 2, sh = (n & 3) * 8;
    for (let k = 0; k < K; k++) out[jb * K + k] |= (quants[n * stride + k] & 255) << sh;
  }
  return out;
}

export function panelInt4(w: Int4Source): Int32Array {
  const { rows, groupSize: G, blocks, quants } = w, K2 = (blocks * G) >> 1, rowBytes = K2, nb = colBlocks(rows);
  const out = allocLike(Int32Array, nb * K2, quants).fill(0x88888888 | 0);
  for (let n = 0; n < rows; n++) {
    const jb = n >> 2, t = n & 3, clear = ~((15 << (4 * t)) | (15 << (16 + 4 * t)));
    for (let kk = 0; kk < K2; kk++) {
      const byte = quants[n * rowBytes + kk]; // low nibble: k = 2kk, high nibble: k = 2kk + 1
      const i = jb * K2 + kk;
      out[i] = (out[i] & clear) | ((byte & 15) << (4 * t)) | ((byte >> 4) << (16 + 4 * t));
    }
  }
  return out;
}

/**
 * Per-channel (or per channel and group) float values padded to whole 4-channel blocks with
 * zeros; in shared memory when `like` (the weight's quants) is.
 */
export function padChannels(v: Float32Array, rows: number, per: number, like: ArrayBufferView = v): Float32Array {
  const out = allocLike(Float32Array, colBlocks(rows) * 4 * per, like);
  out.set(v.subarray(0, rows * per));
  return out;
}
