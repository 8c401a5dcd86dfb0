import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A quantized and a pruned (sparse) model give the same outputs in a session with threads 1
 * and 2 (`opts`: session options for both). Sessions only start workers from compiled JavaScript, so the library is compiled with
 * tsc and each model runs in a child process; the child counts the pool's split jobs that
 * really went to a worker, so a run that quietly stayed on one thread fails too.
 */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-session-split-'));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--outDir', dir, '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--target', 'ES2022', '--types', 'node', '--skipLibCheck', 'src/index.ts', 'src/runtime/cpu/gemm-worker.ts', 'src/quant/index.ts', 'src/sparse/index.ts', 'src/onnx/index.ts'], { stdio: 'pipe' });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` (which sets `graph`, `feeds`, `ops`) in a child on the compiled library; returns its JSON report. */
function child(body: string): { ops: string[]; splits: number; equal: boolean; firstDiff: number; outputs: number; logs: string[]; userShared: number } {
  const lib = (p: string) => JSON.stringify(pathToFileURL(join(dir, p)).href);
  const script = `
    const { GraphBuilder, InferenceSession, Tensor } = await import(${lib('src/index.js')});
    const { quantize } = await import(${lib('src/quant/index.js')});
    const { prune, sparsify } = await import(${lib('src/sparse/index.js')});
    const { GemmPool } = await import(${lib('src/runtime/cpu/threads.js')});
    const { loadOnnx, saveOnnx } = await import(${lib('src/onnx/index.js')});
    let splits = 0;
    const split = GemmPool.prototype.split;
    GemmPool.prototype.split = function (...args) { const r = split.apply(this, args); if (r) splits++; return r; };
    let seed = 7;
    const rand = (n) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
    let graph, feeds, opts = {};
    ${body}
    const logs = [];
    const one = await InferenceSession.create(graph, { threads: 1, ...opts });
    const two = await InferenceSession.create(graph, { threads: 2, debug: (l) => logs.push(l), ...opts });
    const outOne = await one.run(feeds), outTwo = await two.run(feeds);
    let firstDiff = -1, outputs = 0;
    for (const name of one.outputNames) {
      const x = outOne[name].data, y = outTwo[name].data;
      outputs += x.length;
      for (let i = 0; i < x.length && firstDiff < 0; i++) if (!Object.is(x[i], y[i])) firstDiff = i;
    }
    one.dispose(); two.dispose();
    // The session shared copies: the user's packed weights stay where they were.
    let userShared = 0;
    for (const w of graph.initializers.values()) {
      if (w instanceof Tensor) continue;
      for (const v of Object.values(w)) if (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer) userShared++;
    }
    console.log(JSON.stringify({ ops: [...new Set(graph.nodes.map((n) => n.op))], splits, equal: firstDiff < 0, firstDiff, outputs, logs, userShared }));`;
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { timeout: 120_000, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const MLP = `
    const b = new GraphBuilder('mlp');
    const x = b.input('x', 'float32', [128, 256]);
    const h = b.relu(b.add(b.matmul(x, b.constant(new Tensor('float32', [256, 384], rand(256 * 384)), 'w1')), b.constant(new Tensor('float32', [384], rand(384)), 'b1')));
    b.output(b.matmul(h, b.constant(new Tensor('float32', [384, 202], rand(384 * 202)), 'w2')), 'y');
    const conv = new GraphBuilder('convs');
    const xi = conv.input('x', 'float32', [1, 24, 40, 40]);
    const c1 = conv.relu(conv.conv(xi, conv.constant(new Tensor('float32', [48, 24, 3, 3], rand(48 * 24 * 9)), 'c1'), undefined, { pads: [1, 1, 1, 1] }));
    conv.output(conv.conv(c1, conv.constant(new Tensor('float32', [101, 48, 1, 1], rand(101 * 48)), 'c2')), 'y');
`;

describe('sessions with threads 1 and 2 on quantized and sparse models', () => {
  for (const [name, make] of [
    // The SIMD tier runs int8 x int8 QMatMul on the calling thread (qgemm-simd.ts) and float-input QConv as a
    // float conv (q-conv-simd.ts), CSR products on the calling thread (spmm-simd.ts): the JavaScript tier's split is the one under test.
    ['int8 weights, int8 dynamic inputs (MLP), JavaScript tier', `opts = { simd: false }; graph = quantize(b.build(), { weights: 'int8', activations: 'int8-dynamic' }); feeds = { x: new Tensor('float32', [128, 256], rand(128 * 256)) };`],
    ['int4 weights, float inputs (MLP)', `graph = quantize(b.build(), { weights: 'int4', activations: 'float32' }); feeds = { x: new Tensor('float32', [128, 256], rand(128 * 256)) };`],
    ['int4 weights through ONNX MatMulNBits (uint8 blocks shared as constants)', `graph = loadOnnx(saveOnnx(quantize(b.build(), { weights: 'int4', activations: 'float32' }))); feeds = { x: new Tensor('float32', [128, 256], rand(128 * 256)) };`],
    ['int8 weights (3x3 and 1x1 convs), JavaScript tier', `opts = { simd: false }; graph = quantize(conv.build(), { weights: 'int8' }); feeds = { x: new Tensor('float32', [1, 24, 40, 40], rand(24 * 1600)) };`],
    ['pruned 90%, CSR (MLP), JavaScript tier', `opts = { simd: false }; graph = sparsify(prune(b.build(), { sparsity: 0.9 }), { format: 'csr' }); feeds = { x: new Tensor('float32', [128, 256], rand(128 * 256)) };`],
    ['pruned 90%, BSR 1x4 (1x1 conv)', `graph = sparsify(prune(conv.build(), { sparsity: 0.9, pattern: 'block' }), { format: 'bsr' }); feeds = { x: new Tensor('float32', [1, 24, 40, 40], rand(24 * 1600)) };`],
  ] as const) {
    it(name, () => {
      const r = child(MLP + make);
      const want = name.startsWith('pruned') ? (name.includes('conv') ? 'SparseConv' : 'SparseMatMul') : name.includes('conv') ? 'QConv' : name.includes('MatMulNBits') ? 'MatMulNBits' : 'QMatMul';
      expect(r.ops, 'the model runs the kernel under test').toContain(want);
      expect(r.logs.filter((l) => l.startsWith('threads:')), 'the pool started').toEqual([]);
      expect(r.splits, 'work went to the worker').toBeGreaterThan(0);
      expect(r.outputs).toBeGreaterThan(0);
      expect(r.firstDiff, 'first output that differs between threads 1 and 2').toBe(-1);
      expect(r.userShared, "typed arrays of the user's packed weights moved to shared memory").toBe(0);
    }, 120_000);
  }
});
