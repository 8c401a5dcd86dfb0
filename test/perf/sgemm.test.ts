import { describe, expect, it } from 'vitest';
import { sgemm, sgemmWorkspaceFloats } from '../../kernels/cpu/sgemm.js';
import { gemmEpilogue } from '../../kernels/cpu/gemm-epilogue.js';
import { activationRef, gemmRef } from '../../test/reference/gemm.js';
import { ref } from '../../test/reference/tensor.js';
import { expectClose, randomFloats } from '../util/numerics.js';
import fc from 'fast-check';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';

/**
 * The packed GEMM switches strategy at fixed sizes: the 4x3 register tile (edges at M % 4 and
 * N % 3), few-row products (M < 4: no packing), B read in place (M < 48), KC = 256 deep blocks,
 * MC = 128 row blocks and NC = 768 column blocks. Each case sits on or next to one of those
 * edges and is checked against the float64 reference, with transposed operands and accumulation.
 */
interface Case {
  M: number; N: number; K: number; transA?: boolean; transB?: boolean; accumulate?: boolean; ws?: 'none' | 'offset';
  /** Fused epilogue: bias per row or column (or none) and an activation. */
  epi?: { bias: 'row' | 'col' | 'none'; act?: 'relu' | 'clip' | 'sigmoid' | 'silu' | 'gelu' | 'gelu_tanh' };
}

/** The JavaScript GEMM, or the WebAssembly SIMD engine (the 'wasm-simd' tier) running the same call. */
type Engine = 'js' | 'simd';
const simd = SimdGemm.create();
if (!simd) console.log('[sgemm] WebAssembly SIMD is not available in this JavaScript engine: its cases are skipped');

function check(tc: Case, seed: number, engine: Engine = 'js'): void {
  const { M, N, K, transA = false, transB = false, accumulate = false } = tc;
  const A = randomFloats(M * K, seed), B = randomFloats(K * N, seed + 1), C0 = randomFloats(M * N, seed + 2);
  const ref64 = gemmRef(ref(transA ? [K, M] : [M, K], A), ref(transB ? [N, K] : [K, N], B), accumulate ? ref([M, N], C0) : undefined,
    { transA, transB, alpha: 1, beta: 1 });
  const [rsA, csA] = transA ? [1, M] : [K, 1], [rsB, csB] = transB ? [1, K] : [N, 1];
  // C sits inside a wider buffer (ldc > N) with sentinels around it, so stray writes show.
  const ldc = N + 2, cOff = 3, c = new Float32Array(cOff + M * ldc + 3).fill(7);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c[cOff + i * ldc + j] = accumulate ? C0[i * N + j] : Number.NaN;
  const wsOff = tc.ws === 'offset' ? 5 : 0;
  const ws = tc.ws === 'none' ? undefined : new Float32Array(wsOff + sgemmWorkspaceFloats(M, N, K)).fill(Number.NaN);
  const e = tc.epi, biasLen = e?.bias === 'row' ? M : e?.bias === 'col' ? N : 0, biasOff = 2;
  const bias = randomFloats(biasOff + biasLen, seed + 3);
  const act = e?.act === 'clip' ? { kind: 'clip', min: -0.2, max: 0.3 } : e?.act ? { kind: e.act } : undefined;
  const epi = e && gemmEpilogue(act?.kind, act?.min, act?.max, e.bias === 'row');
  const biasArg = e && e.bias !== 'none' ? bias : undefined;
  if (engine === 'js') sgemm(M, N, K, A, 0, rsA, csA, B, 0, rsB, csB, c, cOff, ldc, accumulate, ws, wsOff, epi, biasArg, biasOff);
  else if (!simd!.sgemm(M, N, K, A, 0, rsA, csA, B, 0, rsB, csB, c, cOff, ldc, accumulate, epi, biasArg, biasOff)) {
    expect(K, 'the SIMD engine declines only K = 0').toBe(0);
    sgemm(M, N, K, A, 0, rsA, csA, B, 0, rsB, csB, c, cOff, ldc, accumulate, ws, wsOff, epi, biasArg, biasOff);
  }
  if (e) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const add = e.bias === 'row' ? bias[biasOff + i] : e.bias === 'col' ? bias[biasOff + j] : 0;
        ref64.data[i * N + j] = activationRef(ref64.data[i * N + j] + add, act);
      }
    }
  }
  const got = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) got[i * N + j] = c[cOff + i * ldc + j];
    expect(c[cOff + i * ldc + N], `gap after row ${i}`).toBe(7);
  }
  expect(c[0]).toBe(7);
  expect(c[c.length - 1]).toBe(7);
  expectClose(got, ref64.data, { ...tc, seed }, { k: K, atol: 1e-5, rtol: 1e-5 });
}

const cases: Case[] = [
  // register-tile edges, packed B
  { M: 48, N: 3, K: 1 }, { M: 49, N: 4, K: 2 }, { M: 51, N: 5, K: 7 }, { M: 52, N: 6, K: 13 },
  // few rows (no packing) and the switch to packed A with B in place
  { M: 1, N: 17, K: 9 }, { M: 2, N: 5, K: 4 }, { M: 3, N: 7, K: 11, transB: true }, { M: 4, N: 7, K: 5 },
  { M: 5, N: 8, K: 6 }, { M: 47, N: 10, K: 9 }, { M: 47, N: 10, K: 9, transB: true },
  // KC = 256 deep blocks: accumulation across blocks
  { M: 50, N: 11, K: 255 }, { M: 50, N: 11, K: 256 }, { M: 50, N: 11, K: 257 }, { M: 6, N: 13, K: 513 },
  // MC = 128 row blocks, NC = 768 column blocks
  { M: 129, N: 9, K: 3 }, { M: 131, N: 7, K: 5, transA: true }, { M: 52, N: 769, K: 3 }, { M: 8, N: 770, K: 4 },
  // accumulate into C, transposed operands, workspace at an offset, and no workspace (strided path)
  { M: 53, N: 14, K: 260, accumulate: true }, { M: 7, N: 9, K: 300, accumulate: true, transA: true, transB: true },
  { M: 61, N: 17, K: 19, ws: 'offset' }, { M: 61, N: 17, K: 19, ws: 'none', transB: true },
  { M: 0, N: 5, K: 3 }, { M: 5, N: 0, K: 3 }, { M: 5, N: 6, K: 0 }, { M: 50, N: 6, K: 0, accumulate: true },
  // fused epilogues: one K block (stored once) and several (last block adds), tile edges, fallback paths
  { M: 53, N: 14, K: 16, epi: { bias: 'row', act: 'clip' } }, { M: 53, N: 14, K: 300, epi: { bias: 'row', act: 'relu' } },
  { M: 9, N: 13, K: 20, epi: { bias: 'col', act: 'gelu' } }, { M: 50, N: 770, K: 257, epi: { bias: 'col', act: 'gelu_tanh' } },
  { M: 51, N: 10, K: 5, accumulate: true, epi: { bias: 'row', act: 'sigmoid' } }, { M: 6, N: 7, K: 258, accumulate: true, epi: { bias: 'col' } },
  { M: 2, N: 9, K: 7, epi: { bias: 'col', act: 'silu' } }, { M: 61, N: 17, K: 19, ws: 'none', epi: { bias: 'row', act: 'clip' } },
  { M: 48, N: 6, K: 0, epi: { bias: 'row', act: 'relu' } }, { M: 52, N: 9, K: 4, epi: { bias: 'none', act: 'clip' } },
];

const caseName = (c: Case) => `${c.M}x${c.N}x${c.K}${c.transA ? ' A^T' : ''}${c.transB ? ' B^T' : ''}${c.accumulate ? ' +=' : ''}${c.ws ? ` ws:${c.ws}` : ''}${c.epi ? ` bias:${c.epi.bias} ${c.epi.act ?? ''}` : ''}`;

describe('sgemm fast paths vs float64 reference at strategy switches', () => {
  for (const [i, c] of cases.entries()) it(caseName(c), () => check(c, 11 + i));

  it('clamps non-finite and huge sums exactly (the register tile sends them to its exact path)', () => {
    for (const K of [16, 300]) for (const clip of [true, false]) {
      const M = 52, N = 12, A = randomFloats(M * K, 3), B = randomFloats(K * N, 4), bias = randomFloats(M, 5);
      A[5 * K] = 1e30; A[9 * K + 3] = Infinity; A[13 * K + 2] = Number.NaN; A[17 * K + 1] = -Infinity; A[21 * K] = -3e38;
      const c = new Float32Array(M * N).fill(7), ws = new Float32Array(sgemmWorkspaceFloats(M, N, K));
      sgemm(M, N, K, A, 0, K, 1, B, 0, N, 1, c, 0, N, false, ws, 0, gemmEpilogue(clip ? 'relu6' : undefined, 0, 6, true), bias, 0);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = bias[i];
        for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
        const want = Math.fround(clip ? Math.min(Math.max(s, 0), 6) : s), got = c[i * N + j], at = `K ${K} clip ${clip} [${i}, ${j}]`;
        if (!Number.isFinite(want) || Math.abs(s) > 1e20 || (clip && (want === 0 || want === 6))) expect(got, at).toBe(want);
        else expect(Math.abs(got - want), at).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
      }
    }
  });

  it('asks for no workspace when it packs nothing', () => {
    expect(sgemmWorkspaceFloats(3, 1000, 1000)).toBe(0);
    expect(sgemmWorkspaceFloats(100, 0, 10)).toBe(0);
    expect(sgemmWorkspaceFloats(4, 3, 1)).toBeGreaterThan(0);
  });
});

/**
 * The SIMD engine (sgemm-simd.ts): 4x8 tiles (edges at M % 4, N % 8), KC = 256, MC = 128,
 * NC = 1536 blocks, float32 accumulation; the same cases plus its own edges, the same tolerance.
 */
describe.skipIf(!simd)('sgemm on the WebAssembly SIMD engine vs float64 reference', () => {
  const own: Case[] = [
    { M: 1, N: 8, K: 1 }, { M: 3, N: 9, K: 2 }, { M: 4, N: 15, K: 3 }, { M: 5, N: 16, K: 4 }, { M: 131, N: 1537, K: 3 },
    { M: 1, N: 1000, K: 300, transB: true, epi: { bias: 'col' } }, { M: 9, N: 1600, K: 520, accumulate: true, epi: { bias: 'row', act: 'clip' } },
  ];
  for (const [i, c] of [...cases, ...own].entries()) it(caseName(c), () => check(c, 11 + i, 'simd'));

  it('matches the reference on random shapes, layouts and epilogues (property)', () => {
    fc.assert(fc.property(
      fc.record({
        M: fc.integer({ min: 1, max: 70 }), N: fc.integer({ min: 1, max: 40 }), K: fc.integer({ min: 1, max: 600 }),
        transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean(),
        epi: fc.option(fc.record({ bias: fc.constantFrom('row', 'col', 'none'), act: fc.constantFrom('relu', 'clip', 'gelu', undefined) }), { nil: undefined }),
      }),
      fc.integer({ min: 1, max: 1 << 20 }),
      (tc, seed) => { check(tc as Case, seed, 'simd'); },
    ), { numRuns: 60, seed: 20261129 });
  });

  it('gives every row and column the same bits whatever block of C it is computed in (threads and batching rely on it)', () => {
    const M = 37, N = 45, K = 300, A = randomFloats(M * K, 1), B = randomFloats(K * N, 2), bias = randomFloats(M, 3);
    const epi = gemmEpilogue('relu6', 0, 6, true);
    const whole = new Float32Array(M * N);
    simd!.sgemm(M, N, K, A, 0, K, 1, B, 0, N, 1, whole, 0, N, false, epi, bias, 0);
    const parts = new Float32Array(M * N);
    for (const [i0, i1] of [[0, 1], [1, 6], [6, 37]]) for (const [j0, j1] of [[0, 8], [8, 21], [21, 45]]) {
      simd!.sgemm(i1 - i0, j1 - j0, K, A, i0 * K, K, 1, B, j0, N, 1, parts, i0 * N + j0, N, false, epi, bias, i0);
    }
    expect(Array.from(parts)).toEqual(Array.from(whole));
  });

  it('keeps the packed form of constant operands: the same bits as packing per call, on every later call', () => {
    const engine = SimdGemm.create()!;
    for (const [M, N, K, transB] of [[1, 1000, 300, true], [37, 1600, 520, false], [130, 20, 600, false], [5, 9, 3, true]] as const) {
      const W = randomFloats(M * K, 7), X = randomFloats(K * N, 8), V = randomFloats(K * N, 9);
      const [rsB, csB] = transB ? [1, K] : [N, 1];
      const want = (x: Float32Array, constA: boolean, constB: boolean) => {
        const c = new Float32Array(M * N);
        engine.sgemm(M, N, K, W, 0, K, 1, x, 0, rsB, csB, c, 0, N, false, undefined, undefined, 0, constA, constB);
        return Array.from(c);
      };
      const plain = want(X, false, false);
      expect(want(X, true, false), `${M}x${N}x${K} A kept, first call`).toEqual(plain);
      expect(want(X, true, false), `${M}x${N}x${K} A kept, from the kept pack`).toEqual(plain);
      expect(want(X, false, true), `${M}x${N}x${K} B kept`).toEqual(plain);
      expect(want(X, false, true), `${M}x${N}x${K} B kept, again`).toEqual(plain);
      expect(want(V, true, false), `${M}x${N}x${K} A kept, another B`).toEqual(want(V, false, false));
    }
    const w = randomFloats(64 * 64, 3), x = randomFloats(64 * 8, 4);
    engine.markConstant(w);
    expect(engine.keepable(w, 'A', 0, 64, 1, 8, 64)).toBe(true);
    // The same weights seen through another offset/shape are another pack, not a stale one.
    const c1 = new Float32Array(8 * 8), c2 = new Float32Array(8 * 8), c3 = new Float32Array(8 * 8);
    engine.sgemm(8, 8, 64, w, 0, 64, 1, x, 0, 8, 1, c1, 0, 8, false);
    engine.sgemm(8, 8, 64, w, 64 * 8, 64, 1, x, 0, 8, 1, c2, 0, 8, false);
    const fresh = SimdGemm.create()!;
    fresh.sgemm(8, 8, 64, w, 64 * 8, 64, 1, x, 0, 8, 1, c3, 0, 8, false);
    expect(Array.from(c2)).toEqual(Array.from(c3));
    expect(Array.from(c1)).not.toEqual(Array.from(c2));
  });

  it('keeps marked constants up to its budget, and what a caller says it kept in any case', () => {
    const small = SimdGemm.create(64 * 64 * 4 + 16)!, w1 = randomFloats(64 * 64, 1), w2 = randomFloats(64 * 64, 2), x = randomFloats(64 * 8, 3);
    small.markConstant(w1); small.markConstant(w2);
    const c0 = new Float32Array(64 * 8), c1 = new Float32Array(64 * 8), c2 = new Float32Array(64 * 8);
    expect(small.keepable(w1, 'A', 0, 64, 1, 64, 64)).toBe(true);
    expect(small.keepable(w2, 'A', 0, 64, 1, 64, 64)).toBe(true); // nothing kept yet
    small.sgemm(64, 8, 64, w1, 0, 64, 1, x, 0, 8, 1, c0, 0, 8, false); // keeps w1's pack
    expect(small.keepable(w2, 'A', 0, 64, 1, 64, 64)).toBe(false); // over the budget now: packed per call
    expect(small.keepable(w1, 'A', 0, 64, 1, 64, 64)).toBe(true);
    expect(small.keepable(x, 'B', 0, 8, 1, 8, 64)).toBe(false); // not a marked constant
    small.sgemm(64, 8, 64, w2, 0, 64, 1, x, 0, 8, 1, c1, 0, 8, false);
    small.sgemm(64, 8, 64, w2, 0, 64, 1, x, 0, 8, 1, c2, 0, 8, false, undefined, undefined, 0, true, false); // told: kept anyway
    expect(Array.from(c2)).toEqual(Array.from(c1));
  });

  it('clamps non-finite sums like Math.min/Math.max', () => {
    const M = 6, N = 9, K = 5, A = randomFloats(M * K, 3), B = randomFloats(K * N, 4);
    A[0] = Infinity; A[K + 1] = -Infinity; A[2 * K] = Number.NaN;
    for (const act of ['relu6', undefined]) {
      const c = new Float32Array(M * N);
      simd!.sgemm(M, N, K, A, 0, K, 1, B, 0, N, 1, c, 0, N, false, gemmEpilogue(act, 0, 6, true));
      for (let i = 0; i < 3; i++) for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
        expect(c[i * N + j], `${act} [${i}, ${j}]`).toBe(Math.fround(act ? Math.min(Math.max(s, 0), 6) : s));
      }
    }
  });
});
