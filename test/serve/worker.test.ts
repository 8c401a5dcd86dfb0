import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { InferenceServer, decodeInferResponse, encodeInferRequest, silentLogger } from '../../src/serve/index.js';
import { openWorkerRunner } from '../../src/serve/model-repository.js';
import { dense, rows } from './models.js';

/**
 * Models served from a worker_thread (ServerOptions.worker): the same outputs as in-process, and
 * the event loop stays free while a batch runs, so a health probe is answered before a long
 * inference. Workers run compiled JavaScript: this suite compiles the tessera/worker entry once.
 */
let dir: string, script: URL;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-serve-worker-'));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--outDir', dir, '--rootDir', '.', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--target', 'ES2022', '--types', 'node', '--skipLibCheck', 'src/entries/worker.ts'], { stdio: 'pipe' });
  script = pathToFileURL(join(dir, 'src/entries/worker.js'));
}, 120_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Three 1024 x 1024 layers: a request of 2048 rows is ~6.4G multiply-adds, hundreds of ms on one thread. */
function heavy(): Graph {
  const b = new GraphBuilder('heavy');
  let x = b.input('x', 'float32', ['N', 1024]);
  for (let l = 0; l < 3; l++) {
    const w = new Float32Array(1024 * 1024).map((_, i) => Math.sin(i * 0.37 + l) * 0.03);
    x = b.relu(b.matmul(x, b.constant(new Tensor('float32', [1024, 1024], w), `w${l}`)));
  }
  b.output(x, 'y');
  return b.build();
}

async function post(base: string, model: string, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const { body, headers } = encodeInferRequest(feeds, { binary: true, binaryOutputs: true });
  const res = await fetch(`${base}/v2/models/${model}/infer`, { method: 'POST', body, headers });
  expect(res.status, await res.clone().text().catch(() => '')).toBe(200);
  const length = res.headers.get('inference-header-content-length');
  return decodeInferResponse(new Uint8Array(await res.arrayBuffer()), length === null ? undefined : Number(length)).outputs;
}

describe('serving from a worker thread', () => {
  it('gives the in-process outputs, batched and alone', async () => {
    const server = await InferenceServer.create({ models: { dense: dense() }, worker: script, threads: 1, logger: silentLogger, maxDelayMs: 20 });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      const meta = await (await fetch(`${base}/v2/models/dense`)).json();
      expect([meta.inputs, meta.outputs]).toEqual([[{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }]]);
      const local = await InferenceSession.create(dense(), { threads: 1 });
      const inputs = [rows(1, 1), rows(3, 2), rows(2, 3)];
      const got = await Promise.all(inputs.map((x) => post(base, 'dense', { x })));
      for (const [i, x] of inputs.entries()) {
        const want = (await local.run({ x })).y;
        expect(got[i].y.shape).toEqual(want.shape);
        expect(Array.from(got[i].y.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
      }
      local.dispose();
    } finally {
      await server.close();
    }
  }, 60_000);

  it('answers a health probe while a long batch runs', async () => {
    const x = new Tensor('float32', [2048, 1024], new Float32Array(2048 * 1024).map((_, i) => Math.cos(i * 0.01)));
    const server = await InferenceServer.create({ models: { heavy: heavy() }, worker: script, threads: 1, logger: silentLogger, cacheEntries: 0 });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`, batcher = server.models.get('heavy')!.batcher;
      await post(base, 'heavy', { x: rows(1, 4, 1024) }); // worker warm
      const order: string[] = [];
      const inference = post(base, 'heavy', { x }).then(() => order.push('inference'));
      // In-process, this loop could not run while the batch computes: it would never see it running.
      for (let i = 0; batcher.inflightBatches === 0; i++) {
        if (i > 2000) throw new Error('the batch never started');
        await new Promise((r) => setTimeout(r, 1));
      }
      const probe = await fetch(`${base}/v2/health/ready`);
      order.push(`probe ${probe.status}`);
      expect(batcher.inflightBatches, 'the batch was still running when the probe was answered').toBe(1);
      await inference;
      expect(order).toEqual(['probe 200', 'inference']);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('says a model whose worker is gone is not ready, and its requests fail with the reason', async () => {
    const server = await InferenceServer.create({ models: { dense: dense(), other: dense() }, worker: script, threads: 1, logger: silentLogger });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
      await server.models.get('dense')!.session.dispose(); // as when the worker dies: its link fails
      const ready = await fetch(`${base}/v2/health/ready`);
      expect(ready.status).toBe(503);
      const model = await fetch(`${base}/v2/models/dense/ready`);
      expect(model.status).toBe(503);
      expect((await model.json()).error).toMatch(/disposed/);
      expect((await fetch(`${base}/v2/models/other/ready`)).status, 'the other model still serves').toBe(200);
      const { body, headers } = encodeInferRequest({ x: rows(1, 5) }, { binary: true });
      const res = await fetch(`${base}/v2/models/dense/infer`, { method: 'POST', body, headers });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(await res.text()).toMatch(/disposed/);
      expect((await post(base, 'other', { x: rows(1, 5) })).y.shape).toEqual([1, 3]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('hands a batch the server owns to the worker without a copy (runOwned detaches it), with the same outputs', async () => {
    const runner = await openWorkerRunner(dense(), script, { threads: 1 });
    try {
      expect(runner.graph, 'the weights stay in the worker: only the signature is kept here').toBeUndefined();
      expect(runner.signature!.outputs.map((o) => o.shape)).toEqual([['N', 3]]);
      const x = rows(4, 6), copy = new Tensor('float32', [4, 4], (x.data as Float32Array).slice());
      const kept = await runner.run({ x });
      expect(x.data.byteLength, 'run() copies: the caller keeps its feeds').toBe(64);
      const owned = await runner.runOwned!({ x: copy });
      expect(copy.data.byteLength, 'runOwned() hands the buffer over').toBe(0);
      expect(Array.from(owned.y.data as Float32Array)).toEqual(Array.from(kept.y.data as Float32Array));
    } finally {
      await runner.dispose();
    }
  }, 60_000);

  it('refuses a session as a worker model (it cannot move threads)', async () => {
    const s = await InferenceSession.create(dense());
    await expect(openWorkerRunner(s, script)).rejects.toThrow(/InferenceSession cannot move to a worker thread/);
    s.dispose();
  });
});
