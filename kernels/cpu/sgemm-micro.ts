/** Below this, |value| sums leave the branch-free clamp exact (see clamp.ts). */
const SAFE = 2 ** 52;

/**
 * The register tile of the packed GEMM: a 4x3 block of C from a packed A strip (4 values per
 * k) and three columns of B. V8 computes in float64 scalars, one bounds-checked load per
 * element: twelve accumulators plus seven loads nearly fit the sixteen XMM registers. Larger
 * tiles (4x4, 4x6, 4x8, 6x4, 8x3) cut instructions per multiply-add by up to 15% (counted
 * under valgrind) but spill accumulators, and timed no faster.
 *
 * Written for V8's optimizer: `| 0` keeps the index arithmetic in int32 without overflow
 * checks (a quarter fewer instructions per multiply-add), and there is exactly one path
 * through the function. A branch that the first calls never take (say, "overwrite C" vs
 * "add to C") has no type feedback; V8 then deoptimizes there on every later call that takes
 * it, re-entering the same on-stack-replaced code each time (measured: 190 deopts in 16 calls
 * and a third more instructions per multiply-add). So each way of storing the tile is its own function with the same loop:
 * micro4x3 adds to C; micro4x3Set overwrites C and micro4x3Final adds to it, both applying the
 * fused epilogue (row bias rb[rbOff + i * rbs], column bias cb[cbOff + j * cbs], clamp to
 * [lo, hi]) on the way out, so the last K block writes finished values. The clamp is clamp.ts's
 * branch-free one spelled out per output (V8 does not inline a call into this function, and
 * Math.max's jump mispredicts on outputs of random sign: ReLU6 after a K = 16 conv took twice
 * as long as the product). Instead of clamp.ts's per-value pre-bound, one test per tile (the
 * sum of |values| below 2^52, which NaN and infinities fail) sends non-finite or huge values to
 * storeExact, so the formula only ever sees values it clamps exactly. lo and hi must lie in
 * [NO_LO, NO_HI] (clamp.ts).
 */
export const MR = 4;
export const NR = 3;

/** C[4x3] += Apack[4 x kc] * B[kc x 3], with B[k, j] = b[bOff + k * rsB + j]: a packed panel (rsB = 3) or B's own rows. */
export function micro4x3(kc: number, w: Float32Array, aOff: number, b: Float32Array, bOff: number, rsB: number, c: Float32Array, cOff: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let ai = aOff, bi = bOff, end = aOff + 4 * kc; ai < end; ai = (ai + 4) | 0, bi = (bi + rsB) | 0) {
    const a0 = w[ai], a1 = w[(ai + 1) | 0], a2 = w[(ai + 2) | 0], a3 = w[(ai + 3) | 0];
    let x = b[bi];
    c00 += a0 * x; c10 += a1 * x; c20 += a2 * x; c30 += a3 * x;
    x = b[(bi + 1) | 0];
    c01 += a0 * x; c11 += a1 * x; c21 += a2 * x; c31 += a3 * x;
    x = b[(bi + 2) | 0];
    c02 += a0 * x; c12 += a1 * x; c22 += a2 * x; c32 += a3 * x;
  }
  const r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  c[cOff] += c00; c[cOff + 1] += c01; c[cOff + 2] += c02;
  c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12;
  c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22;
  c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32;
}

/** C[4x3] = clamp(A B + row bias + column bias): the first (or only) K block of C. */
export function micro4x3Set(
  kc: number, w: Float32Array, aOff: number, b: Float32Array, bOff: number, rsB: number, c: Float32Array, cOff: number, ldc: number,
  rb: Float32Array, rbOff: number, rbs: number, cb: Float32Array, cbOff: number, cbs: number, lo: number, hi: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let ai = aOff, bi = bOff, end = aOff + 4 * kc; ai < end; ai = (ai + 4) | 0, bi = (bi + rsB) | 0) {
    const a0 = w[ai], a1 = w[(ai + 1) | 0], a2 = w[(ai + 2) | 0], a3 = w[(ai + 3) | 0];
    let x = b[bi];
    c00 += a0 * x; c10 += a1 * x; c20 += a2 * x; c30 += a3 * x;
    x = b[(bi + 1) | 0];
    c01 += a0 * x; c11 += a1 * x; c21 += a2 * x; c31 += a3 * x;
    x = b[(bi + 2) | 0];
    c02 += a0 * x; c12 += a1 * x; c22 += a2 * x; c32 += a3 * x;
  }
  const b0 = rb[rbOff], b1 = rb[rbOff + rbs], b2 = rb[rbOff + 2 * rbs], b3 = rb[rbOff + 3 * rbs];
  const d0 = cb[cbOff], d1 = cb[cbOff + cbs], d2 = cb[cbOff + 2 * cbs];
  const r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  const e00 = c00 + b0 + d0, e01 = c01 + b0 + d1, e02 = c02 + b0 + d2;
  const e10 = c10 + b1 + d0, e11 = c11 + b1 + d1, e12 = c12 + b1 + d2;
  const e20 = c20 + b2 + d0, e21 = c21 + b2 + d1, e22 = c22 + b2 + d2;
  const e30 = c30 + b3 + d0, e31 = c31 + b3 + d1, e32 = c32 + b3 + d2;
  // Non-finite or huge values (never, in practice) take the exact Math.min/Math.max path.
  if (!(Math.abs(e00) + Math.abs(e01) + Math.abs(e02) + Math.abs(e10) + Math.abs(e11) + Math.abs(e12)
    + Math.abs(e20) + Math.abs(e21) + Math.abs(e22) + Math.abs(e30) + Math.abs(e31) + Math.abs(e32) < SAFE)) {
    storeExact(c, cOff, ldc, e00, e01, e02, e10, e11, e12, e20, e21, e22, e30, e31, e32, lo, hi);
    return;
  }
  let d = 0;
  d = lo - e00; d = e00 + (d + Math.abs(d)) * 0.5; c[cOff] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e01; d = e01 + (d + Math.abs(d)) * 0.5; c[cOff + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e02; d = e02 + (d + Math.abs(d)) * 0.5; c[cOff + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e10; d = e10 + (d + Math.abs(d)) * 0.5; c[r1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e11; d = e11 + (d + Math.abs(d)) * 0.5; c[r1 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e12; d = e12 + (d + Math.abs(d)) * 0.5; c[r1 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e20; d = e20 + (d + Math.abs(d)) * 0.5; c[r2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e21; d = e21 + (d + Math.abs(d)) * 0.5; c[r2 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e22; d = e22 + (d + Math.abs(d)) * 0.5; c[r2 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e30; d = e30 + (d + Math.abs(d)) * 0.5; c[r3] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e31; d = e31 + (d + Math.abs(d)) * 0.5; c[r3 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e32; d = e32 + (d + Math.abs(d)) * 0.5; c[r3 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
}

/** C[4x3] = clamp(C + A B + row bias + column bias): the last of several K blocks. */
export function micro4x3Final(
  kc: number, w: Float32Array, aOff: number, b: Float32Array, bOff: number, rsB: number, c: Float32Array, cOff: number, ldc: number,
  rb: Float32Array, rbOff: number, rbs: number, cb: Float32Array, cbOff: number, cbs: number, lo: number, hi: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let ai = aOff, bi = bOff, end = aOff + 4 * kc; ai < end; ai = (ai + 4) | 0, bi = (bi + rsB) | 0) {
    const a0 = w[ai], a1 = w[(ai + 1) | 0], a2 = w[(ai + 2) | 0], a3 = w[(ai + 3) | 0];
    let x = b[bi];
    c00 += a0 * x; c10 += a1 * x; c20 += a2 * x; c30 += a3 * x;
    x = b[(bi + 1) | 0];
    c01 += a0 * x; c11 += a1 * x; c21 += a2 * x; c31 += a3 * x;
    x = b[(bi + 2) | 0];
    c02 += a0 * x; c12 += a1 * x; c22 += a2 * x; c32 += a3 * x;
  }
  const b0 = rb[rbOff], b1 = rb[rbOff + rbs], b2 = rb[rbOff + 2 * rbs], b3 = rb[rbOff + 3 * rbs];
  const d0 = cb[cbOff], d1 = cb[cbOff + cbs], d2 = cb[cbOff + 2 * cbs];
  const r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  const e00 = c[cOff] + c00 + b0 + d0, e01 = c[cOff + 1] + c01 + b0 + d1, e02 = c[cOff + 2] + c02 + b0 + d2;
  const e10 = c[r1] + c10 + b1 + d0, e11 = c[r1 + 1] + c11 + b1 + d1, e12 = c[r1 + 2] + c12 + b1 + d2;
  const e20 = c[r2] + c20 + b2 + d0, e21 = c[r2 + 1] + c21 + b2 + d1, e22 = c[r2 + 2] + c22 + b2 + d2;
  const e30 = c[r3] + c30 + b3 + d0, e31 = c[r3 + 1] + c31 + b3 + d1, e32 = c[r3 + 2] + c32 + b3 + d2;
  // Non-finite or huge values (never, in practice) take the exact Math.min/Math.max path.
  if (!(Math.abs(e00) + Math.abs(e01) + Math.abs(e02) + Math.abs(e10) + Math.abs(e11) + Math.abs(e12)
    + Math.abs(e20) + Math.abs(e21) + Math.abs(e22) + Math.abs(e30) + Math.abs(e31) + Math.abs(e32) < SAFE)) {
    storeExact(c, cOff, ldc, e00, e01, e02, e10, e11, e12, e20, e21, e22, e30, e31, e32, lo, hi);
    return;
  }
  let d = 0;
  d = lo - e00; d = e00 + (d + Math.abs(d)) * 0.5; c[cOff] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e01; d = e01 + (d + Math.abs(d)) * 0.5; c[cOff + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e02; d = e02 + (d + Math.abs(d)) * 0.5; c[cOff + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e10; d = e10 + (d + Math.abs(d)) * 0.5; c[r1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e11; d = e11 + (d + Math.abs(d)) * 0.5; c[r1 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e12; d = e12 + (d + Math.abs(d)) * 0.5; c[r1 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e20; d = e20 + (d + Math.abs(d)) * 0.5; c[r2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e21; d = e21 + (d + Math.abs(d)) * 0.5; c[r2 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e22; d = e22 + (d + Math.abs(d)) * 0.5; c[r2 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e30; d = e30 + (d + Math.abs(d)) * 0.5; c[r3] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e31; d = e31 + (d + Math.abs(d)) * 0.5; c[r3 + 1] = d - (d - hi + Math.abs(d - hi)) * 0.5;
  d = lo - e32; d = e32 + (d + Math.abs(d)) * 0.5; c[r3 + 2] = d - (d - hi + Math.abs(d - hi)) * 0.5;
}

/** The 4x3 tile stored with Math.min/Math.max: for non-finite or huge values, where the branch-free clamp is not exact. */
function storeExact(
  c: Float32Array, cOff: number, ldc: number, e00: number, e01: number, e02: number, e10: number, e11: number, e12: number,
  e20: number, e21: number, e22: number, e30: number, e31: number, e32: number, lo: number, hi: number,
): void {
  const v = [e00, e01, e02, e10, e11, e12, e20, e21, e22, e30, e31, e32];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) c[cOff + i * ldc + j] = Math.min(Math.max(v[i * 3 + j], lo), hi);
}
