import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { InferenceSession, Tensor } from '../../src/index.js';
import { InferenceServer, decodeInferResponse, encodeInferRequest, type ServerOptions, type LogRecord } from '../../src/serve/index.js';
import { addRelu, addReluSeq, castIds, dense, fixedMul, rows, slowSession } from './models.js';

/** Batched and unbatched runs take different GEMM paths (summation order depends on M): equal to float32 rounding. */
function expectSameFloats(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want[i]))));
}


let server: InferenceServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

async function start(opts: Partial<ServerOptions> = {}): Promise<{ base: string; logs: LogRecord[] }> {
  const logs: LogRecord[] = [];
  server = await InferenceServer.create({ models: { dense: dense(), add: addRelu(), fixed: fixedMul() }, logger: (r) => logs.push(r), ...opts });
  const { port } = await server.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, logs };
}

const infer = (base: string, model: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v2/models/${model}/infer`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
/** Poll until `cond` holds (bounded: fails after 2 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) { if (cond()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out waiting for ${what}`);
}
const x = (t: Tensor) => ({ name: 'x', shape: t.shape, datatype: 'FP32', data: Array.from(t.data as Float32Array) });

describe('KServe v2 HTTP protocol', () => {
  it('answers health, server and model metadata', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/v2/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    const meta = await (await fetch(`${base}/v2`)).json();
    expect(meta.name).toBe('tessera');
    expect(meta.extensions).toContain('binary_tensor_data');
    const m = await fetch(`${base}/v2/models/dense`);
    expect(m.status).toBe(200);
    expect(await m.json()).toEqual({ name: 'dense', versions: ['1'], platform: 'tessera', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }] });
    expect((await fetch(`${base}/v2/models/dense/versions/1/ready`)).status).toBe(200);
    const idx = await (await fetch(`${base}/v2/repository/index`, { method: 'POST' })).json();
    expect(idx.map((e: { name: string }) => e.name).sort()).toEqual(['add', 'dense', 'fixed']);
  });

  it('runs JSON inference on several models, matching a direct session run', async () => {
    const { base } = await start();
    const input = rows(3, 1);
    const want = await (await InferenceSession.create(dense())).run({ x: input });
    const res = await infer(base, 'dense', { id: 'req-7', inputs: [x(input)] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model_name).toBe('dense');
    expect(body.id).toBe('req-7');
    expect(body.outputs[0].name).toBe('y');
    expect(body.outputs[0].shape).toEqual([3, 3]);
    expectSameFloats(body.outputs[0].data as number[], want.y.toArray());
    const add = await infer(base, 'add', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, -2, 3, -4] }, { name: 'y', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] }] });
    expect((await add.json()).outputs[0].data).toEqual([2, 0, 4, 0]);
    const fixed = await infer(base, 'fixed', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 1, 1] }] });
    expect((await fixed.json()).outputs[0].data).toEqual([2, 3, 4]);
  });

  it('speaks the binary tensor extension both ways', async () => {
    const { base } = await start();
    const input = rows(2, 3);
    const { body, headers } = encodeInferRequest({ x: input }, { binary: true, binaryOutputs: true });
    const res = await fetch(`${base}/v2/models/dense/infer`, { method: 'POST', body, headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const hl = Number(res.headers.get('inference-header-content-length'));
    const { outputs } = decodeInferResponse(new Uint8Array(await res.arrayBuffer()), hl);
    const want = await (await InferenceSession.create(dense())).run({ x: input });
    expectSameFloats(outputs.y.toArray(), want.y.toArray());
  });

  const errorCases: [string, string, unknown, number, RegExp][] = [
    ['malformed JSON', 'dense', '{"inputs": [', 400, /malformed JSON/],
    ['wrong shape', 'dense', { inputs: [{ name: 'x', shape: [2, 5], datatype: 'FP32', data: new Array(10).fill(0) }] }, 400, /input 'x' must have shape FP32 \[-1, 4\], got \[2, 5\]/],
    ['wrong rank', 'dense', { inputs: [{ name: 'x', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 400, /must have shape FP32 \[-1, 4\], got \[4\]/],
    ['wrong datatype', 'dense', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }] }, 400, /input 'x' must be FP32, got INT32/],
    ['unsupported datatype', 'dense', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'BYTES', data: [1, 2, 3, 4] }] }, 400, /unsupported datatype "BYTES"/],
    ['missing input', 'add', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 400, /missing input 'y' \(FP32 \[-1, 4\]\)/],
    ['unknown input', 'dense', { inputs: [x(rows(1, 1)), { name: 'q', shape: [1], datatype: 'FP32', data: [1] }] }, 400, /model 'dense' has no input 'q'; its inputs are 'x'/],
    ['mismatched batch dims', 'add', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }, { name: 'y', shape: [2, 4], datatype: 'FP32', data: new Array(8).fill(1) }] }, 400, /dimension 0 \('N'\) is 2 but input 'x' set it to 1/],
    ['unknown output', 'dense', { inputs: [x(rows(1, 1))], outputs: [{ name: 'nope' }] }, 400, /model 'dense' has no output 'nope'; its outputs are 'y'/],
    ['unknown model', 'nosuch', { inputs: [x(rows(1, 1))] }, 404, /unknown model 'nosuch'; serving 'dense', 'add', 'fixed'/],
  ];
  for (const [what, model, body, status, msg] of errorCases) {
    it(`answers ${status} with a JSON error body for ${what}`, async () => {
      const { base } = await start();
      const res = await infer(base, model, body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      const json = await res.json();
      expect(Object.keys(json)).toEqual(['error']);
      expect(json.error).toMatch(msg);
    });
  }

  it('takes INT64 inputs and rejects values outside the int32 range Tessera computes them in', async () => {
    const { base } = await start({ models: { ids: castIds() } });
    const ok = await infer(base, 'ids', { inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [7, -3] }] });
    expect((await ok.json()).outputs[0]).toEqual({ name: 'f', datatype: 'FP32', shape: [1, 2], data: [7, -3] });
    const big = await infer(base, 'ids', { inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 3000000000] }] });
    expect(big.status).toBe(400);
    expect((await big.json()).error).toMatch(/input 'ids' value 3000000000 at index 1 is outside the int32 range/);
  });

  it('answers 404 for unknown routes and versions, 405 for wrong methods', async () => {
    const { base } = await start();
    const r1 = await fetch(`${base}/v1/models`);
    expect(r1.status).toBe(404);
    expect((await r1.json()).error).toMatch(/no route GET \/v1\/models/);
    expect((await fetch(`${base}/v2/models/dense/versions/2/infer`, { method: 'POST', body: '{}' })).status).toBe(404);
    const r3 = await fetch(`${base}/v2/models/dense/infer`);
    expect(r3.status).toBe(405);
    expect(r3.headers.get('allow')).toBe('POST');
    expect((await r3.json()).error).toMatch(/GET is not allowed/);
  });

  it('answers 413 past the body limit', async () => {
    const { base } = await start({ maxBodyBytes: 100 });
    const res = await infer(base, 'dense', { inputs: [x(rows(10, 1))] });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/limit is 100/);
  });
});

describe('dynamic batching over HTTP', () => {
  it('forms batches larger than 1 under concurrency and returns the same results as unbatched runs', async () => {
    const { base } = await start({ maxBatch: 16, maxDelayMs: 25, cacheEntries: 0 });
    const direct = await InferenceSession.create(dense());
    const inputs = Array.from({ length: 24 }, (_, i) => rows(1 + (i % 3), i));
    const responses = await Promise.all(inputs.map((t) => infer(base, 'dense', { inputs: [x(t)] }).then((r) => r.json())));
    for (let i = 0; i < inputs.length; i++) {
      const want = await direct.run({ x: inputs[i] });
      expect(responses[i].outputs[0].shape).toEqual([inputs[i].shape[0], 3]);
      expectSameFloats(responses[i].outputs[0].data as number[], want.y.toArray());
    }
    const bs = server!.metrics.batchSize;
    expect(bs.count({ model: 'dense' })).toBeLessThan(24);
    expect(bs.sum({ model: 'dense' })).toBe(24);
    expect(bs.quantile(1, { model: 'dense' })).toBeGreaterThan(1);
  });

  it('keeps incompatible shapes apart and one bad request does not fail its batch', async () => {
    const session = await slowSession(addReluSeq(), 5);
    // maxBatch 3: the three L=4 requests dispatch as soon as they are all in; the L=2 one after the delay.
    const { base } = await start({ models: { seq: session }, maxBatch: 3, maxDelayMs: 300, cacheEntries: 0 });
    const req = (xs: number[], n = 1) => ({ inputs: [
      { name: 'x', shape: [1, xs.length], datatype: 'FP32', data: xs },
      { name: 'y', shape: [n, xs.length], datatype: 'FP32', data: new Array(n * xs.length).fill(1) },
    ] });
    const [a, bad, b, c, d] = await Promise.all([
      infer(base, 'seq', req([1, -5, 2, -3])), infer(base, 'seq', req([1, 2], 2)),
      infer(base, 'seq', req([2, -5, 2, -3])), infer(base, 'seq', req([-4, 7])), infer(base, 'seq', req([3, -5, 2, -3])),
    ]);
    expect(bad.status).toBe(400);
    expect((await a.json()).outputs[0].data).toEqual([2, 0, 3, 0]);
    expect((await b.json()).outputs[0].data).toEqual([3, 0, 3, 0]);
    expect((await c.json()).outputs[0].data).toEqual([0, 8]);
    expect((await d.json()).outputs[0].data).toEqual([4, 0, 3, 0]);
    // The three L=4 requests ran as one batch; the L=2 one alone.
    expect(session.runs.sort()).toEqual(['1x2', '3x4']);
  });

  it('does not batch a model whose first dimension is fixed', async () => {
    await start();
    expect(server!.models.get('fixed')!.batchDim).toBeUndefined();
    expect(server!.models.get('dense')!.batchDim).toBe('N');
    expect(server!.models.get('fixed')!.batcher.maxBatch).toBe(1);
  });
});

describe('backpressure, timeouts and cancellation', () => {
  it('answers 429 with Retry-After when the queue is full', async () => {
    const session = await slowSession(dense(), 150);
    const { base } = await start({ models: { dense: session }, maxBatch: 1, maxQueue: 2, cacheEntries: 0 });
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => infer(base, 'dense', { inputs: [x(rows(1, i))] })));
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    const rejected = all.filter((r) => r.status === 429);
    expect(rejected.length).toBeGreaterThan(0);
    expect(Number(rejected[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await rejected[0].json()).error).toMatch(/queue is full/);
    expect(server!.metrics.errors.get({ model: 'dense', kind: 'rejected' })).toBe(rejected.length);
  });

  it('answers 504 when a request waits longer than the timeout', async () => {
    const session = await slowSession(dense(), 80);
    const { base } = await start({ models: { dense: session }, maxBatch: 1, timeoutMs: 20, cacheEntries: 0 });
    const [first, second] = await Promise.all([infer(base, 'dense', { inputs: [x(rows(1, 1))] }), infer(base, 'dense', { inputs: [x(rows(1, 2))] })]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(504);
    expect((await second.json()).error).toMatch(/timed out after 20 ms/);
    expect(session.runs.length).toBe(1);
  });

  it('drops the queued work of a client that disconnects', async () => {
    const session = await slowSession(dense(), 150);
    const { base, logs } = await start({ models: { dense: session }, maxBatch: 1, cacheEntries: 0 });
    const batcher = server!.models.get('dense')!.batcher;
    const first = infer(base, 'dense', { inputs: [x(rows(1, 1))] });
    await until(() => session.runs.length === 1, 'the first request to run');
    const body = JSON.stringify({ inputs: [x(rows(1, 2))] });
    const req = request(`${base}/v2/models/dense/infer`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => {});
    req.end(body);
    await until(() => batcher.queueDepth === 1, 'the second request to queue');
    req.destroy();
    await until(() => batcher.queueDepth === 0, 'the queue to empty');
    expect((await first).status).toBe(200);
    await until(() => batcher.inflightBatches === 0, 'the batcher to go idle');
    expect(session.runs.length).toBe(1);
    await until(() => logs.some((l) => l.status === 499), 'the 499 log record');
    expect(server!.metrics.errors.get({ model: 'dense', kind: 'canceled' })).toBe(1);
  });
});

describe('response cache', () => {
  it('serves repeated inputs from the cache and counts hits and misses', async () => {
    const session = await slowSession(dense(), 1);
    const { base } = await start({ models: { dense: session }, cacheEntries: 10 });
    const body = { inputs: [x(rows(2, 5))] };
    const r1 = await infer(base, 'dense', body);
    const r2 = await infer(base, 'dense', body);
    const r3 = await infer(base, 'dense', { inputs: [x(rows(2, 6))] });
    expect(r1.headers.get('x-cache')).toBe('miss');
    expect(r2.headers.get('x-cache')).toBe('hit');
    expect(r3.headers.get('x-cache')).toBe('miss');
    expect((await r2.json()).outputs).toEqual((await r1.json()).outputs);
    expect(session.runs.length).toBe(2);
    expect(server!.metrics.cacheHits.get({ model: 'dense' })).toBe(1);
    expect(server!.metrics.cacheMisses.get({ model: 'dense' })).toBe(2);
  });
});

describe('/metrics', () => {
  it('exposes request counts, latency histogram, batch sizes, cache, errors, memory and drift', async () => {
    const { base } = await start({ drift: { referenceRequests: 2 } });
    for (let i = 0; i < 4; i++) await infer(base, 'dense', { inputs: [x(rows(1, i))] });
    await infer(base, 'dense', '{');
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toContain('tessera_requests_total{model="dense",status="200"} 4');
    expect(text).toContain('tessera_requests_total{model="dense",status="400"} 1');
    expect(text).toContain('# TYPE tessera_request_duration_seconds histogram');
    expect(text).toMatch(/tessera_request_duration_seconds_bucket\{model="dense",le="\+Inf"\} 5/);
    expect(text).toMatch(/tessera_inference_duration_seconds_count\{model="dense"\} 4/);
    expect(text).toMatch(/tessera_queue_wait_seconds_count\{model="dense"\} 4/);
    expect(text).toMatch(/tessera_batch_size_bucket\{model="dense",le="1"\} 4/);
    expect(text).toContain('tessera_cache_misses_total{model="dense"} 4');
    expect(text).toContain('tessera_errors_total{model="dense",kind="bad_request"} 1');
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/tessera_input_drift_psi\{model="dense",input="x"\} \d/);
    expect(text).toMatch(/tessera_queue_depth\{model="dense"\} 0/);
    const drift = await (await fetch(`${base}/v2/models/dense/drift`)).json();
    expect(drift.state).toBe('monitoring');
    expect(typeof drift.psi.x).toBe('number');
    expect(drift.reference.x.edges.length).toBeGreaterThan(0);
  });

  it('logs one structured record per request', async () => {
    const { base, logs } = await start();
    await infer(base, 'dense', { inputs: [x(rows(1, 1))] }, { 'x-request-id': 'abc-123' });
    const rec = logs.find((l) => l.requestId === 'abc-123')!;
    expect(rec).toMatchObject({ level: 'info', model: 'dense', status: 200, requestId: 'abc-123' });
    expect(typeof rec.latencyMs).toBe('number');
    expect(typeof rec.msg).toBe('string');
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones, and closes', async () => {
    const session = await slowSession(dense(), 80);
    const { base } = await start({ models: { dense: session }, maxBatch: 1, cacheEntries: 0 });
    const inflight = [infer(base, 'dense', { inputs: [x(rows(1, 1))] }), infer(base, 'dense', { inputs: [x(rows(1, 2))] })];
    const batcher = server!.models.get('dense')!.batcher;
    await until(() => session.runs.length === 1 && batcher.queueDepth === 1, 'one request running and one queued');
    const closing = server!.close();
    expect(server!.ready).toBe(false);
    // New work is refused: 503 on a pooled keep-alive connection, or the connection itself is refused.
    const late = await infer(base, 'dense', { inputs: [x(rows(1, 3))] }).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(late);
    const statuses = (await Promise.all(inflight)).map((r) => r.status);
    expect(statuses).toEqual([200, 200]);
    await closing;
    expect(session.runs.length).toBe(2);
    await expect(fetch(`${base}/v2/health/live`)).rejects.toThrow();
    server = undefined;
  });

  it('gives up on work still running after shutdownTimeoutMs', async () => {
    const session = await slowSession(dense(), 2500);
    const { base } = await start({ models: { dense: session }, shutdownTimeoutMs: 100, cacheEntries: 0 });
    const stuck = infer(base, 'dense', { inputs: [x(rows(1, 1))] }).then((r) => r.status, () => 'dropped');
    await until(() => session.runs.length === 1, 'the request to run');
    const t0 = performance.now();
    await server!.close();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await stuck).toBe('dropped');
    server = undefined;
  });
});
