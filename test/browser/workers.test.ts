import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { createWorkerSession, WorkerSession, WorkerLink, createPipelineSession, splitStages } from '../../src/runtime/workers/index.js';

// Workers run JavaScript, not TypeScript: the worker entry is bundled once for Node here.
let dir: string;
let workerFile: string;
const spawned: Worker[] = [];
const spawn = () => { const w = new Worker(workerFile); spawned.push(w); return w; };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tessera-worker-'));
  workerFile = path.join(dir, 'worker.mjs');
  await build({ entryPoints: [path.resolve('src/entries/worker.ts')], bundle: true, platform: 'node', format: 'esm', outfile: workerFile, logLevel: 'silent' });
});

afterAll(async () => {
  await Promise.all(spawned.map((w) => w.terminate()));
  rmSync(dir, { recursive: true, force: true });
});

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; });
}

/** A small convnet with a reshape fed by shape arithmetic (Shape -> Gather -> Concat), batch-major. */
function convnet(): Graph {
  const b = new GraphBuilder('convnet');
  const x = b.input('x', 'float32', ['batch', 3, 8, 8]);
  const w1 = b.constant(new Tensor('float32', [8, 3, 3, 3], seeded(8 * 27, 1)), 'w1');
  const w2 = b.constant(new Tensor('float32', [8, 1, 3, 3], seeded(72, 2)), 'w2');
  const w3 = b.constant(new Tensor('float32', [16, 8, 1, 1], seeded(128, 3)), 'w3');
  const fc = b.constant(new Tensor('float32', [16 * 16, 10], seeded(2560, 4)), 'fc');
  let y = b.relu(b.conv(x, w1, undefined, { pads: [1, 1, 1, 1] }));
  y = b.clip(b.conv(y, w2, undefined, { pads: [1, 1, 1, 1], group: 8, strides: [2, 2] }), 0, 6);
  y = b.relu(b.conv(y, w3));
  const n = b.gather(b.shape(x), b.int64([0], [1]), 0);
  const flat = b.reshape(y, b.concat([n, b.int64([-1], [1])], 0));
  b.output(b.matmul(flat, fc), 'logits');
  return b.build();
}

function close(a: Tensor, b: Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('sessions in a worker_thread', () => {
  it('runs a graph in a worker and matches the in-process session exactly', async () => {
    const g = convnet();
    const x = new Tensor('float32', [2, 3, 8, 8], seeded(2 * 3 * 64, 9));
    const local = await (await InferenceSession.create(g)).run({ x });
    const ws = await createWorkerSession(g, { worker: spawn() });
    expect(ws.inputNames).toEqual(['x']);
    expect(ws.outputNames).toEqual(['logits']);
    expect(ws.backend).toBe('cpu');
    const remote = await ws.run({ x });
    expect(remote.logits.shape).toEqual([2, 10]);
    expect(Array.from(remote.logits.data as Float32Array)).toEqual(Array.from(local.logits.data as Float32Array));
    // The caller's input is copied, not transferred: still readable after the run.
    expect(x.data.length).toBe(2 * 3 * 64);
    await ws.dispose();
  });

  it('keeps several sessions in one worker apart and reports worker-side errors by name', async () => {
    const link = new WorkerLink(spawn());
    const a = await WorkerSession.open(link, convnet(), {});
    const b2 = new GraphBuilder('neg');
    b2.output(b2.neg(b2.input('x', 'float32', [3])), 'y');
    const b = await WorkerSession.open(link, b2.build(), {});
    const [ra, rb] = await Promise.all([
      a.run({ x: new Tensor('float32', [1, 3, 8, 8], seeded(192, 5)) }),
      b.run({ x: new Tensor('float32', [3], [1, -2, 3]) }),
    ]);
    expect(ra.logits.shape).toEqual([1, 10]);
    expect(Array.from(rb.y.data as Float32Array)).toEqual([-1, 2, -3]);
    await expect(b.run({ x: new Tensor('float32', [4]) })).rejects.toMatchObject({ name: 'SessionError', message: expect.stringMatching(/input 'x' dimension 0 must be 3, got 4/) });
    await a.dispose();
    await expect(a.run({ x: new Tensor('float32', [1, 3, 8, 8]) })).rejects.toThrow(/no session .* in this worker/);
    link.close(true);
  });

  it('sends quantized (packed) weights and attribute tensors across intact', async () => {
    const { quantize } = await import('../../src/quant/index.js');
    const g = quantize(convnet(), { weights: 'int8' });
    const x = new Tensor('float32', [1, 3, 8, 8], seeded(192, 11));
    const local = await (await InferenceSession.create(g)).run({ x });
    const ws = await createWorkerSession(g, { worker: spawn() });
    const remote = await ws.run({ x });
    expect(Array.from(remote.logits.data as Float32Array)).toEqual(Array.from(local.logits.data as Float32Array));
    await ws.dispose();
  });

  it('fails clearly without a worker', async () => {
    await expect(createWorkerSession(convnet(), {} as never)).rejects.toThrow(/needs options.worker/);
  });
});

describe('pipeline parallelism', () => {
  it('splits the layers into stages that chain back to the whole graph', async () => {
    const g = (await InferenceSession.create(convnet())).graph;
    const plan = splitStages(g, 3, new Map([['x', [2, 3, 8, 8]]]));
    expect(plan.stages).toHaveLength(3);
    // Shape arithmetic is folded into constants: no stage takes an int64 input.
    for (const st of plan.stages) for (const v of st.graph.inputs) expect(v.dtype).toBe('float32');
    expect(plan.stages[0].graph.inputs.map((v) => v.name)).toEqual(['x']);
    expect(plan.stages[2].graph.outputs.map((v) => v.name)).toEqual(['logits']);
    // Each stage's inputs are the previous stage's outputs.
    for (let s = 1; s < 3; s++) {
      const prev = new Set(plan.stages[s - 1].graph.outputs.map((v) => v.name));
      for (const v of plan.stages[s].graph.inputs) expect(prev.has(v.name)).toBe(true);
    }
    expect(plan.stages.every((st) => st.cost > 0)).toBe(true);
  });

  it('runs micro-batches through workers and matches the single-process session', async () => {
    const g = convnet();
    const x = new Tensor('float32', [7, 3, 8, 8], seeded(7 * 192, 21));
    // The oracle: the whole graph in one session, run micro-batch by micro-batch (same kernels
    // on the same shapes, so the pipeline must agree exactly).
    const local = await InferenceSession.create(g);
    const rows = [[0, 2], [2, 4], [4, 6], [6, 7]];
    const parts = await Promise.all(rows.map(([a, b]) => local.run({ x: new Tensor('float32', [b - a, 3, 8, 8], (x.data as Float32Array).slice(a * 192, b * 192)) })));
    const want = new Tensor('float32', [7, 10], Float32Array.from(parts.flatMap((p) => Array.from(p.logits.data as Float32Array))));
    const p = await createPipelineSession(g, { workers: 3, createWorker: spawn, microBatch: 2 });
    expect(p.stages).toBe(3);
    const out = await p.run({ x }); // 2 + 2 + 2 + 1: the last micro-batch gets its own split
    close(out.logits, want, 0);
    // And the whole batch at once agrees to float32 rounding (different GEMM blocking).
    close(out.logits, (await local.run({ x })).logits, 1e-5);
    await expect(p.run({ x: new Tensor('float32', [2, 3, 9, 9]) })).rejects.toThrow(/input 'x' dimension 2 must be 8, got 9/);
    await p.dispose();
  });
});
