import { activateRow, type GemmEpilogue } from './gemm-epilogue.js';
import { roundUp } from '../index-math.js';
import { MR as JS_MR } from './sgemm-micro.js';
import { packA } from './sgemm-pack.js';
import { copyRun } from './copy-run.js';
import { MR, NR, SGEMM_WASM } from './wasm/sgemm-module.js';

/** A strips are packed as the JavaScript tier packs them (sgemm-pack.ts): the row counts must agree (a compile error otherwise). */
const SAME_ROWS: typeof MR = JS_MR;
void SAME_ROWS;

/**
 * The WebAssembly SIMD engine: one instance of the module (scripts/build-wasm.mjs, ~4 KB) and
 * its memory. For the GEMM the module holds the 4x8 register tile over packed operands,
 * accumulating in f32x4 (V8 keeps eight accumulators, two B vectors and a broadcast A value in
 * registers: 39-48 GFLOP/s on one Zen3 core against ~5 for the float64 JavaScript tile; 5- and
 * 6-row tiles spill and run at 17-25), and the bias + clamp epilogue; the depthwise, sparse and
 * int8 kernels (depthwise-simd.ts, spmm-simd.ts, qgemm-simd.ts) drive their functions through
 * the small methods below. Packing, blocking and the copy back out are JavaScript here:
 * the operands live in the executor's arena, outside the module's memory, so packing them in
 * is the copy that has to happen anyway.
 *
 * Numerics: products and sums in float32 (as onnxruntime's SIMD GEMM does), not float64 as in
 * the JavaScript tier; error within the usual float32 bound, |err| <= K u sum |a b|. Each C
 * element's sums run in the same order wherever its tile lies, so a product split by columns
 * or rows across threads is bit-identical to one thread.
 *
 * One SimdGemm per thread (its memory is its workspace); not reentrant, and nothing is
 * shared between instances.
 */
const KC = 256;
const MC = 128;
const NC = 1536;
/** Bytes of packed constants a session keeps by default (MobileNetV2's weights take 14 MiB, DistilBERT's 253). */
export const KEEP_BYTES = 64 << 20;

interface Exports {
  memory: WebAssembly.Memory;
  tiles(kc: number, strips: number, panels: number, a: number, b: number, c: number, ldcBytes: number, add: number, bPanelBytes: number, bStepBytes: number): void;
  epilogue(c: number, rows: number, vecs: number, ldcBytes: number, rowBias: number, colBias: number, lo: number, hi: number): void;
  dw3x3s1(src: number, dst: number, w: number, rows: number, vecs: number, ldBytes: number, rowStepBytes: number, lddBytes: number, bias: number, lo: number, hi: number): void;
  dw3x3s2(src: number, dst: number, w: number, rows: number, vecs: number, ldBytes: number, rowStepBytes: number, lddBytes: number, bias: number, lo: number, hi: number): void;
  copyRows(from: number, to: number, rows: number, bytes: number, fromPitchBytes: number, toPitchBytes: number): void;
  spmmCsr(rowPtr: number, col: number, val: number, rows: number, x: number, ldxBytes: number, blocks: number, y: number, ldyBytes: number, bias: number, lo: number, hi: number): void;
  q8gemm(a: number, lda: number, w: number, ldw: number, kpad: number, rows: number, chans: number, c: number, ldcBytes: number, rowScale: number, colScale: number, bias: number): void;
}

const packKey = (side: 'A' | 'B', off: number, rs: number, cs: number, rows: number, K: number) => `${side}${off},${rs},${cs},${rows},${K}`;

/** Whether this JavaScript engine runs the module (WebAssembly with SIMD and bulk memory). */
export function simdAvailable(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(moduleBytes());
  } catch {
    return false;
  }
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const s = atob(SGEMM_WASM), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export class SimdGemm {
  private readonly x: Exports;
  private f32: Float32Array;
  private i8 = new Int8Array(0);
  /** The runner's constant operands (weights), whose packed form is kept (see packedConstant). */
  private readonly constants = new WeakSet<Float32Array>();
  private readonly packs = new WeakMap<Float32Array, Map<string, number>>();
  /** Constant arrays copied in whole (a sparse weight's CSR arrays), by the first of them: their float offsets. */
  private readonly keptArrays = new WeakMap<ArrayBufferView, number[]>();
  /** Memory is a bump allocation: the workspace (moved up when it must grow), then kept packs. */
  private top = 0;
  private wsAt = 0;
  private wsFloats = 0;
  private packedFloats = 0;

  private constructor(instance: WebAssembly.Instance, private readonly keepFloats: number) {
    this.x = instance.exports as unknown as Exports;
    this.f32 = new Float32Array(this.x.memory.buffer);
  }

  /**
   * An instance, compiled synchronously (the module is small enough for any thread); undefined
   * where SIMD is missing. `keepBytes`: packed constants it keeps at most, on its own say (a
   * worker is told per product which operands its caller kept, and keeps those in any case).
   */
  static create(keepBytes = KEEP_BYTES): SimdGemm | undefined {
    if (!simdAvailable()) return undefined;
    return new SimdGemm(new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {}), Math.floor(keepBytes / 4));
  }

  /** Marks a runner's constant operand (a weight): products reading it keep its packed form. */
  markConstant(a: Float32Array): void { this.constants.add(a); }

  /**
   * Whether a product of this shape would keep `arr` packed (a marked constant, kept already or
   * within the budget); packs nothing. The thread pool decides its split by it and then tells
   * every thread (this one included) whether to keep.
   */
  keepable(arr: Float32Array, side: 'A' | 'B', off: number, rs: number, cs: number, rows: number, K: number): boolean {
    if (!this.constants.has(arr)) return false;
    if (this.packs.get(arr)?.has(packKey(side, off, rs, cs, rows, K))) return true;
    return this.packedFloats + K * roundUp(rows, side === 'A' ? MR : NR) <= this.keepFloats;
  }

  /**
   * C (+)= A B with the same strided views and epilogue as sgemm() (sgemm.ts). Any number of
   * rows: a row's sums do not depend on the rows beside it, so a sample comes out the same
   * alone or in a batch. Returns false, leaving C untouched, only for K = 0 (the caller's
   * JavaScript path writes the bias-only result).
   */
  sgemm(
    M: number, N: number, K: number,
    a: Float32Array, aOff: number, rsA: number, csA: number,
    b: Float32Array, bOff: number, rsB: number, csB: number,
    c: Float32Array, cOff: number, ldc: number,
    accumulate: boolean, epi?: GemmEpilogue, bias?: Float32Array, biasOff = 0,
    keepA?: boolean, keepB?: boolean,
  ): boolean {
    if (M === 0 || N === 0) return true;
    if (K === 0) return false;
    const kcMax = Math.min(K, KC), ncMax = roundUp(Math.min(N, NC), NR), mPad = roundUp(M, MR), aBlock = roundUp(Math.min(M, MC), MR) * kcMax;
    // Kept packs of constant operands: all blocks, A's (k0, i0) block at k0 * mPad + kc * i0, B's (j0, k0) at j0 * K + k0 * ncPad.
    const aKept = keepA ?? this.constants.has(a) ? this.packedConstant(a, 'A', aOff, rsA, csA, M, K, keepA !== undefined) : -1;
    const bKept = keepB ?? this.constants.has(b) ? this.packedConstant(b, 'B', bOff, rsB, csB, N, K, keepB !== undefined) : -1;
    // Workspace (floats): B block kc x ncMax | A block MC x kc | C mPad x ncMax | column bias ncMax | row bias mPad.
    const bAt = this.workspace(kcMax * ncMax + aBlock + mPad * ncMax + ncMax + mPad), aAt = bAt + kcMax * ncMax, cAt = aAt + aBlock;
    const cbAt = cAt + mPad * ncMax, rbAt = cbAt + ncMax;
    const f = this.f32;
    const rowBias = !!bias && !!epi && epi.biasPerRow, colBias = !!bias && !!epi && !epi.biasPerRow;
    if (rowBias) { f.set(bias!.subarray(biasOff, biasOff + M), rbAt); f.fill(0, rbAt + M, rbAt + mPad); }
    for (let j0 = 0; j0 < N; j0 += NC) {
      const nc = Math.min(NC, N - j0), ncPad = roundUp(nc, NR), ldcBytes = ncPad * 4;
      if (accumulate) for (let i = 0; i < M; i++) copyRun(c, cOff + i * ldc + j0, f, cAt + i * ncPad, nc);
      for (let k0 = 0; k0 < K; k0 += KC) {
        const kc = Math.min(KC, K - k0), add = accumulate || k0 > 0 ? 1 : 0;
        const bp = bKept >= 0 ? bKept + j0 * K + k0 * ncPad : bAt;
        // Row-major B is copied in as rows (a memcpy each) and read in place; others are packed into panels.
        const inPlace = bKept < 0 && csB === 1;
        if (inPlace) copyRows(b, bOff + k0 * rsB + j0, rsB, kc, nc, ncPad, f, bAt);
        else if (bKept < 0) packB(b, bOff, rsB, csB, k0, kc, j0, nc, f, bAt);
        const bPanel = inPlace ? NR * 4 : kc * NR * 4, bStep = inPlace ? ncPad * 4 : NR * 4;
        for (let i0 = 0; i0 < M; i0 += MC) {
          const mc = Math.min(MC, M - i0), ap = aKept >= 0 ? aKept + k0 * mPad + kc * i0 : aAt;
          if (aKept < 0) packA(a, aOff, rsA, csA, i0, mc, k0, kc, f, aAt);
          this.x.tiles(kc, Math.ceil(mc / MR), ncPad / NR, ap * 4, bp * 4, (cAt + i0 * ncPad) * 4, ldcBytes, add, bPanel, bStep);
        }
      }
      if (epi) {
        if (colBias) { f.set(bias!.subarray(biasOff + j0, biasOff + j0 + nc), cbAt); f.fill(0, cbAt + nc, cbAt + ncPad); }
        this.x.epilogue(cAt * 4, M, ncPad / 4, ldcBytes, rowBias ? rbAt * 4 : -1, colBias ? cbAt * 4 : -1, epi.lo, epi.hi);
      }
      for (let i = 0; i < M; i++) {
        const o = cOff + i * ldc + j0;
        copyRun(f, cAt + i * ncPad, c, o, nc);
        if (epi && epi.act !== 0) activateRow(c, o, nc, epi.act);
      }
    }
    return true;
  }

  /**
   * One depthwise 3x3 plane on the module's memory (scripts/build-wasm.mjs, dw3x3s1 / dw3x3s2),
   * laid out by depthwise-simd.ts; offsets in floats, `rows` output rows of `vecs` f32x4 each.
   */
  dw3x3(strideW: 1 | 2, src: number, dst: number, w: number, rows: number, vecs: number, ld: number, rowStep: number, ldd: number, bias: number, lo: number, hi: number): void {
    (strideW === 1 ? this.x.dw3x3s1 : this.x.dw3x3s2)(src * 4, dst * 4, w * 4, rows, vecs, ld * 4, rowStep * 4, ldd * 4, bias, lo, hi);
  }

  /** `rows` runs of `n` floats within the memory, from `from` (pitch fromPitch) to `to` (pitch toPitch); offsets in floats. */
  copyRows(from: number, to: number, rows: number, n: number, fromPitch: number, toPitch: number): void {
    this.x.copyRows(from * 4, to * 4, rows, n * 4, fromPitch * 4, toPitch * 4);
  }

  /**
   * The CSR SpMM over copies in the memory (spmm-simd.ts lays them out; scripts/build-wasm.mjs,
   * spmmCsr): offsets in floats, `blocks` blocks of 16 lanes, X and Y rows ldx / ldy floats apart.
   */
  spmmCsr(rowPtr: number, col: number, val: number, rows: number, x: number, ldx: number, blocks: number, y: number, ldy: number, bias: number, lo: number, hi: number): void {
    this.x.spmmCsr(rowPtr * 4, col * 4, val * 4, rows, x * 4, ldx * 4, blocks, y * 4, ldy * 4, bias < 0 ? -1 : bias * 4, lo, hi);
  }

  /**
   * The int8 GEMM (qgemm-simd.ts lays out its operands; scripts/wasm-q8.mjs): A and W offsets
   * in bytes with rows lda / ldw bytes apart, the rest in floats (bias < 0: none).
   */
  q8gemm(aByte: number, lda: number, wByte: number, ldw: number, kpad: number, rows: number, chans: number, c: number, ldc: number, rowScale: number, colScale: number, bias: number): void {
    this.x.q8gemm(aByte, lda, wByte, ldw, kpad, rows, chans, c * 4, ldc * 4, rowScale * 4, colScale * 4, bias < 0 ? -1 : bias * 4);
  }

  /** The module's memory as bytes (int8); take it after scratch(), which may grow the memory. */
  int8(): Int8Array {
    if (this.i8.buffer !== this.x.memory.buffer) this.i8 = new Int8Array(this.x.memory.buffer);
    return this.i8;
  }

  /**
   * Where copies of constant arrays are kept in the memory (float offsets, one per array; integer
   * arrays as i32 words), copied in on first use and keyed by the first array. For a sparse
   * weight's CSR arrays: they are small beside the packs of dense weights (a 90%-pruned
   * MobileNetV2 holds ~0.6 MiB) and are kept whatever the budget, which only counts them.
   */
  keptConstants(arrays: readonly (Int32Array | Uint16Array | Float32Array)[]): number[] {
    const kept = this.keptArrays.get(arrays[0]);
    if (kept) return kept;
    const at = arrays.map((a) => this.alloc(a.length));
    arrays.forEach((a, i) => {
      if (a instanceof Float32Array) this.f32.set(a, at[i]);
      else new Int32Array(this.x.memory.buffer, at[i] * 4, a.length).set(a);
      this.packedFloats += a.length;
    });
    this.keptArrays.set(arrays[0], at);
    return at;
  }

  /**
   * A workspace of at least `floats` floats for one call: its float offset into `floats()`.
   * The memory also holds kept packs of constants, so a caller must stay inside its workspace;
   * the workspace moves (and the memory may grow) on a later scratch() that needs more.
   */
  scratch(floats: number): number { return this.workspace(floats); }

  /** The module's memory as floats; take it after scratch(), which may grow the memory. */
  floats(): Float32Array { return this.f32; }

  /**
   * Where a constant operand's packed blocks are kept (float offset), packing them on first use;
   * -1 past its keepBytes (those pack per call as other operands do). Keeping them saves
   * the per-call packing, most of the cost of few-row products (a classifier, short sequences).
   */
  private packedConstant(arr: Float32Array, side: 'A' | 'B', off: number, rs: number, cs: number, rows: number, K: number, told: boolean): number {
    const key = packKey(side, off, rs, cs, rows, K);
    let byKey = this.packs.get(arr);
    const kept = byKey?.get(key);
    if (kept !== undefined) return kept;
    const floats = K * roundUp(rows, side === 'A' ? MR : NR);
    if (!told && this.packedFloats + floats > this.keepFloats) return -1;
    const at = this.alloc(floats), f = this.f32;
    this.packedFloats += floats;
    if (side === 'A') {
      for (let k0 = 0; k0 < K; k0 += KC) {
        const kc = Math.min(KC, K - k0);
        for (let i0 = 0; i0 < rows; i0 += MC) packA(arr, off, rs, cs, i0, Math.min(MC, rows - i0), k0, kc, f, at + k0 * roundUp(rows, MR) + kc * i0);
      }
    } else {
      for (let j0 = 0; j0 < rows; j0 += NC) {
        const nc = Math.min(NC, rows - j0);
        for (let k0 = 0; k0 < K; k0 += KC) packB(arr, off, rs, cs, k0, Math.min(KC, K - k0), j0, nc, f, at + j0 * K + k0 * roundUp(nc, NR));
      }
    }
    if (!byKey) { byKey = new Map(); this.packs.set(arr, byKey); }
    byKey.set(key, at);
    return at;
  }

  /** The workspace's float offset, at least `floats` long (moved to the top of memory when it grows). */
  private workspace(floats: number): number {
    if (floats > this.wsFloats) {
      this.wsFloats = Math.ceil(floats * 1.25);
      this.wsAt = this.alloc(this.wsFloats);
    }
    return this.wsAt;
  }

  /** `floats` more at the top of memory (grown as needed); the float offset. */
  private alloc(floats: number): number {
    const at = this.top;
    this.top += roundUp(floats, 4); // 16-byte aligned
    const have = this.x.memory.buffer.byteLength;
    if (have < this.top * 4) this.x.memory.grow(Math.ceil((this.top * 4 - have) / 65536));
    if (this.f32.buffer !== this.x.memory.buffer) this.f32 = new Float32Array(this.x.memory.buffer);
    return at;
  }
}

/** rows x cols of a row-major block (row stride ld) into w[off..] with row stride ldw >= cols, zero-padded on the right. */
function copyRows(src: Float32Array, off: number, ld: number, rows: number, cols: number, ldw: number, w: Float32Array, at: number): void {
  for (let r = 0; r < rows; r++) {
    copyRun(src, off + r * ld, w, at + r * ldw, cols);
    if (ldw > cols) w.fill(0, at + r * ldw + cols, at + (r + 1) * ldw);
  }
}

/** B[k0.., j0..] (kc x nc) into panels of NR columns, each kc rows of NR values, zero-padded; at w[off..]. */
function packB(b: Float32Array, bOff: number, rsB: number, csB: number, k0: number, kc: number, j0: number, nc: number, w: Float32Array, off: number): void {
  let o = off;
  for (let j = 0; j < nc; j += NR) {
    const nr = Math.min(NR, nc - j), col = bOff + (j0 + j) * csB;
    if (nr === NR && csB === 1) {
      for (let k = 0, p = col + k0 * rsB; k < kc; k++, p += rsB, o += NR) {
        w[o] = b[p]; w[o + 1] = b[p + 1]; w[o + 2] = b[p + 2]; w[o + 3] = b[p + 3];
        w[o + 4] = b[p + 4]; w[o + 5] = b[p + 5]; w[o + 6] = b[p + 6]; w[o + 7] = b[p + 7];
      }
    } else if (rsB === 1) {
      // B transposed (a Linear layer's [out, in] weights): each column is contiguous in k, read it as a run.
      for (let t = 0; t < NR; t++) {
        if (t >= nr) { for (let k = 0; k < kc; k++) w[o + k * NR + t] = 0; continue; }
        for (let k = 0, p = col + t * csB + k0; k < kc; k++, p++) w[o + k * NR + t] = b[p];
      }
      o += kc * NR;
    } else {
      for (let k = 0, p = col + k0 * rsB; k < kc; k++, p += rsB, o += NR) {
        for (let t = 0; t < NR; t++) w[o + t] = t < nr ? b[p + t * csB] : 0;
      }
    }
  }
}
