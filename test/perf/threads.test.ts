import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sgemmWorkspaceFloats } from '../../kernels/cpu/sgemm.js';
import { gemmEpilogue } from '../../kernels/cpu/gemm-epilogue.js';
import { GemmPool } from '../../src/runtime/cpu/threads.js';
import { SimdGemm } from '../../kernels/cpu/sgemm-simd.js';
import { activationRef, gemmRef } from '../reference/gemm.js';
import { ref } from '../reference/tensor.js';
import { expectClose, randomFloats } from '../util/numerics.js';

/**
 * The GEMM worker pool splits C by columns (or by rows when C is tall and narrow) between the
 * calling thread and its workers. Workers run compiled JavaScript, so this suite compiles the
 * worker once with tsc; every split is checked against the float64 reference at part edges.
 */
let dir: string, workerUrl: URL, pool: GemmPool;
const logs: string[] = [];
const simd = SimdGemm.create();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-threads-'));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--outDir', dir, '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--target', 'ES2022', '--types', 'node', '--skipLibCheck', 'src/runtime/cpu/gemm-worker.ts', 'src/runtime/cpu/threads.ts'], { stdio: 'pipe' });
  workerUrl = pathToFileURL(join(dir, 'src/runtime/cpu/gemm-worker.js'));
}, 120_000);

afterAll(() => {
  pool?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shared = (src: Float32Array) => { const a = new Float32Array(new SharedArrayBuffer(src.length * 4)); a.set(src); return a; };

interface Case { M: number; N: number; K: number; transB?: boolean; accumulate?: boolean; bias?: 'row' | 'col'; act?: 'relu' | 'gelu' }

function check(c: Case, seed: number): void {
  const { M, N, K, transB = false, accumulate = false } = c;
  const A = randomFloats(M * K, seed), B = randomFloats(K * N, seed + 1), C0 = randomFloats(M * N, seed + 2);
  const biasLen = c.bias === 'row' ? M : c.bias === 'col' ? N : 0, bias = shared(randomFloats(3 + biasLen, seed + 3));
  const want = gemmRef(ref([M, K], A), ref(transB ? [N, K] : [K, N], B), accumulate ? ref([M, N], C0) : undefined, { transA: false, transB, alpha: 1, beta: 1 });
  const act = c.act ? { kind: c.act } : undefined, epi = c.bias || c.act ? gemmEpilogue(c.act, undefined, undefined, c.bias === 'row') : undefined;
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    const add = c.bias === 'row' ? bias[3 + i] : c.bias === 'col' ? bias[3 + j] : 0;
    if (epi) want.data[i * N + j] = activationRef(want.data[i * N + j] + add, act);
  }
  // Operands sit at offsets inside their shared buffers, as arena views do.
  const a = shared(new Float32Array([9, ...A])), b = shared(new Float32Array([9, 9, ...B])), y = shared(new Float32Array([9, ...(accumulate ? C0 : new Float32Array(M * N))]));
  const ws = shared(new Float32Array(sgemmWorkspaceFloats(M, N, K)));
  const [rsB, csB] = transB ? [1, K] : [N, 1];
  const split = pool.sgemm(M, N, K, a, 1, K, 1, b, 2, rsB, csB, y, 1, N, accumulate, ws, 0, epi, c.bias ? bias : undefined, 3);
  expect(split, 'the pool took the product').toBe(true);
  expect(y[0]).toBe(9);
  expectClose(y.subarray(1), want.data, { ...c, seed }, { k: K });
}

describe('GEMM worker pool', () => {
  it('starts lazily and splits products by columns and by rows', async () => {
    pool = (await GemmPool.create(2, (l) => logs.push(l), workerUrl))!;
    expect(pool).toBeDefined();
    check({ M: 20, N: 200, K: 160 }, 1);              // columns: parts of 102 and 98
    check({ M: 20, N: 97, K: 300, transB: true }, 2);  // columns 51 + 46, two K blocks
    check({ M: 64, N: 150, K: 60 }, 8);                // rows: C not wide enough for columns
    check({ M: 400, N: 40, K: 64 }, 3);                // rows: too narrow for 2 x 24 columns
    expect(logs).toEqual([]);
    expect(pool.helperParts, 'parts the worker finished').toBe(4);
  }, 60_000);

  it('applies the epilogue to each part with the bias offset by the part', () => {
    check({ M: 30, N: 130, K: 150, bias: 'col', act: 'gelu' }, 4);
    check({ M: 30, N: 130, K: 150, bias: 'row', act: 'relu' }, 5);
    check({ M: 200, N: 30, K: 100, bias: 'row', accumulate: true }, 6);
    check({ M: 200, N: 30, K: 100, bias: 'col' }, 7);
  });

  it.skipIf(!simd)('splits SIMD-engine products with an engine per worker, bit-identical to the engine alone', () => {
    const before = pool.helperParts;
    for (const [M, N, K, byRows] of [[60, 1000, 300, false], [8, 3001, 700, false], [400, 40, 1100, true]] as const) {
      const A = randomFloats(M * K, M), B = randomFloats(K * N, N), bias = shared(randomFloats(M, K));
      const epi = gemmEpilogue('relu6', 0, 6, true);
      const alone = new Float32Array(M * N);
      simd!.sgemm(M, N, K, A, 0, K, 1, B, 0, N, 1, alone, 0, N, false, epi, bias, 0);
      const a = shared(A), b = shared(B), y = shared(new Float32Array(M * N));
      expect(pool.sgemm(M, N, K, a, 0, K, 1, b, 0, N, 1, y, 0, N, false, undefined, 0, epi, bias, 0, simd), `${M}x${N}x${K} split`).toBe(true);
      expect(Array.from(y), `${M}x${N}x${K} ${byRows ? 'by rows' : 'by columns'}`).toEqual(Array.from(alone));
    }
    expect(pool.helperParts - before, 'parts the worker finished').toBe(3);
  });

  it('declines small products and operands outside shared memory', () => {
    const s = shared(new Float32Array(64 * 64)), plain = new Float32Array(64 * 64);
    expect(pool.sgemm(8, 8, 8, s, 0, 8, 1, s, 0, 8, 1, s, 0, 8, false, undefined, 0, undefined, undefined, 0)).toBe(false);
    const big = shared(new Float32Array(128 * 128)), out = shared(new Float32Array(128 * 128)), plainBig = new Float32Array(128 * 128);
    expect(pool.sgemm(128, 128, 128, plainBig, 0, 128, 1, big, 0, 128, 1, out, 0, 128, false, undefined, 0, undefined, undefined, 0)).toBe(false);
    expect(plain.length + s.length).toBe(8192);
  });

  it('runs on one thread after dispose()', () => {
    const big = shared(new Float32Array(128 * 128)), out = shared(new Float32Array(128 * 128));
    pool.dispose();
    expect(pool.sgemm(128, 128, 128, big, 0, 128, 1, big, 0, 128, 1, out, 0, 128, false, undefined, 0, undefined, undefined, 0)).toBe(false);
  });

  it('never keeps a process alive, with or without dispose()', () => {
    const threads = pathToFileURL(join(dir, 'src/runtime/cpu/threads.js')).href;
    for (const dispose of [true, false]) {
      const script = `
        const { GemmPool } = await import(${JSON.stringify(threads)});
        const p = await GemmPool.create(2, console.error);
        const s = (n) => new Float32Array(new SharedArrayBuffer(n * 4));
        const a = s(256 * 256), c = s(256 * 256);
        if (!p.sgemm(256, 256, 256, a, 0, 256, 1, a, 0, 256, 1, c, 0, 256, false, undefined, 0, undefined, undefined, 0)) throw new Error('not split');
        ${dispose ? 'p.dispose();' : ''}
        console.log('done');`;
      const file = join(dir, `exit-${dispose}.mjs`);
      writeFileSync(file, script);
      const r = spawnSync(process.execPath, [file], { timeout: 30_000, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('done');
      expect(r.status).toBe(0);
    }
  }, 60_000);
});

describe('GemmPool.create', () => {
  it('gives no pool for one thread', async () => {
    expect(await GemmPool.create(1, () => {})).toBeUndefined();
  });
});
