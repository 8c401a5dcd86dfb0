/**
 * The register tile of the packed GEMM: a 4x3 block of C from a packed A strip (4 values per
 * k) and a packed B panel (3 values per k), both in one workspace array `w`. 4x3 measured best
 * among 2x4..8x4 and 4x8 tiles on V8: twelve accumulators plus seven loads fit the sixteen
 * XMM registers with few spills, and every load pays a bounds check, so fewer loads per
 * multiply-add matters more than in C. One array for both operands lets V8 check it once.
 */
export const MR = 4;
export const NR = 3;

/**
 * C[4x3] (+)= Apack[4 x kc] * B[kc x 3]; `add` false overwrites C. B is read as b[bOff + k * rsB
 * + 0..2]: a packed panel (rsB = 3) or, for few-row products, B's own rows (no packing).
 */
export function micro4x3(kc: number, w: Float32Array, aOff: number, b: Float32Array, bOff: number, rsB: number, c: Float32Array, cOff: number, ldc: number, add: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let ai = aOff, bi = bOff, end = aOff + 4 * kc; ai < end; ai += 4, bi += rsB) {
    const a0 = w[ai], a1 = w[ai + 1], a2 = w[ai + 2], a3 = w[ai + 3];
    let x = b[bi];
    c00 += a0 * x; c10 += a1 * x; c20 += a2 * x; c30 += a3 * x;
    x = b[bi + 1];
    c01 += a0 * x; c11 += a1 * x; c21 += a2 * x; c31 += a3 * x;
    x = b[bi + 2];
    c02 += a0 * x; c12 += a1 * x; c22 += a2 * x; c32 += a3 * x;
  }
  const r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (add) {
    c[cOff] += c00; c[cOff + 1] += c01; c[cOff + 2] += c02;
    c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12;
    c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22;
    c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32;
  } else {
    c[cOff] = c00; c[cOff + 1] = c01; c[cOff + 2] = c02;
    c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12;
    c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22;
    c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32;
  }
}
