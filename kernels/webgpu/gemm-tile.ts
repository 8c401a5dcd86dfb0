/**
 * The tiled GEMM core shared by MatMul/Gemm, Conv (implicit GEMM) and the quantized matmuls:
 * C[b, row, col] = sum_k A(b, row, k) * B(b, k, col). A workgroup computes a BM x BN tile of
 * C; each K step its threads stage a BM x BK slice of A and a BK x BN slice of B in workgroup
 * memory, then every thread accumulates a TM x 4 register tile: rows ty + i * WY (i < TM) and
 * the 4 adjacent columns 4 tx .. 4 tx + 3, held as TM vec4 accumulators. Operands with 4
 * consecutive elements in memory are staged with vec4 loads.
 *
 * Loops are left as loops (constant trip counts): GPU compilers unroll them, and CPU Vulkan
 * drivers compile fully unrolled tiles an order of magnitude slower (seconds per pipeline).
 *
 * The caller supplies WGSL functions (bounds-checked: outside the matrix they return 0):
 *   loadA(b, row, k) -> f32,  loadB(b, k, col) -> f32,  store(b, row, col, acc: f32)
 *   loadA4(b, row, k) -> vec4<f32> when vecA is set: 'k' = A(row, k..k+3), 'mn' = A(row..row+3, k)
 *   loadB4(b, k, col) -> vec4<f32> when vecB is set: 'k' = B(k..k+3, col), 'mn' = B(k, col..col+3)
 * and uniforms M, N, K; `prologue` runs first in main with the batch index `b` in scope.
 * Dispatch: [ceil(N / BN), ceil(M / BM), batches].
 */
export type TileName = 'large' | 'small';
export type VecMode = 'none' | 'k' | 'mn';

interface Tile { bm: number; bn: number; bk: number; tm: number }

const TILES: Record<TileName, Tile> = {
  large: { bm: 64, bn: 64, bk: 16, tm: 4 },
  small: { bm: 32, bn: 32, bk: 16, tm: 4 },
};

/** The tile that wastes the least work on an M x N output. */
export function pickTile(M: number, N: number): TileName {
  return M <= 32 || N <= 32 ? 'small' : 'large';
}

export function tileWorkgroups(tile: TileName, M: number, N: number, batches: number): [number, number, number] {
  const t = TILES[tile];
  return [Math.max(1, Math.ceil(N / t.bn)), Math.max(1, Math.ceil(M / t.bm)), Math.max(1, batches)];
}

/** A vec4 operand must also start each batch on a 4-element boundary: the callers check that. */
export function tiledGemmMain(tile: TileName, vecA: VecMode, vecB: VecMode, prologue = ''): string {
  const { bm, bn, bk, tm } = TILES[tile];
  const wx = bn / 4, wy = bm / tm, nt = wx * wy;
  const stage = (vec: VecMode, isA: boolean): string => {
    const [rows, cols] = isA ? [bm, bk] : [bk, bn];
    // A is staged transposed ([k][m]) so the inner loop reads a column of A contiguously.
    const at = (r: string, c: string) => (isA ? `As[(${c}) * ${bm}u + ${r}]` : `Bs[(${r}) * ${bn}u + ${c}]`);
    const load = (r: string, c: string) => (isA ? `loadA(b, row0 + ${r}, k0 + ${c})` : `loadB(b, k0 + ${r}, col0 + ${c})`);
    const load4 = (r: string, c: string) => (isA ? `loadA4(b, row0 + ${r}, k0 + ${c})` : `loadB4(b, k0 + ${r}, col0 + ${c})`);
    if (vec === 'none') {
      return `for (var i = li; i < ${rows * cols}u; i += ${nt}u) { let r = i / ${cols}u; let c = i % ${cols}u; ${at('r', 'c')} = ${load('r', 'c')}; }`;
    }
    // Which matrix dim the 4 loaded elements run along: A's k is its column, B's k its row.
    const alongCols = isA ? vec === 'k' : vec === 'mn';
    const [qr, qc] = alongCols ? [rows, cols / 4] : [rows / 4, cols];
    const r = alongCols ? 'r' : '(r + j)', c = alongCols ? '(c + j)' : 'c';
    return `for (var i = li; i < ${qr * qc}u; i += ${nt}u) {
      let r = (i / ${qc}u)${alongCols ? '' : ' * 4u'}; let c = (i % ${qc}u)${alongCols ? ' * 4u' : ''};
      let v = ${load4('r', 'c')};
      for (var j = 0u; j < 4u; j++) { ${at(r, c)} = v[j]; }
    }`;
  };
  return `var<workgroup> As: array<f32, ${bm * bk}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;

@compute @workgroup_size(${wx}, ${wy}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let b = wid.z;
  let row0 = wid.y * ${bm}u;
  let col0 = wid.x * ${bn}u;
  let tx = lid.x; let ty = lid.y;
  ${prologue}
  var acc: array<vec4<f32>, ${tm}>;
  for (var k0 = 0u; k0 < u.K; k0 += ${bk}u) {
    ${stage(vecA, true)}
    ${stage(vecB, false)}
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      let o = kk * ${bn}u + 4u * tx;
      let bv = vec4<f32>(Bs[o], Bs[o + 1u], Bs[o + 2u], Bs[o + 3u]);
      for (var i = 0u; i < ${tm}u; i++) { acc[i] = fma(vec4<f32>(As[kk * ${bm}u + ty + i * ${wy}u]), bv, acc[i]); }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${tm}u; i++) {
    let r = row0 + ty + i * ${wy}u;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + 4u * tx + j;
      if (r < u.M && c < u.N) { store(b, r, c, acc[i][j]); }
    }
  }
}`;
}
