/**
 * Serving load benchmark: throughput and latency percentiles of `tessera serve` with dynamic
 * batching on and off, at several client concurrencies, over loopback.
 *
 *   node dist/bench/serve-load.js [--model mobilenetV2|mlp|path.onnx] [--resolution 224]
 *     [--concurrency 1,8,32] [--seconds 5] [--rounds 3] [--max-requests 2000] [--max-batch 16]
 *     [--max-delay-ms 5] [--in-process] [--threads N] [--off-threads N] [--out bench/results/serve-load.json]
 *
 * --off-threads gives the batching-off server its own thread count: on two cores one thread
 * serves single requests better than two, so `--off-threads 1` compares against that.
 *
 * Each server (batching off, batching on) runs in a child process (this file forked with
 * --serve), as it would in production, so the client's work does not share its event loop; as
 * `tessera serve` does, it runs the model in a worker thread (--in-process: on its event loop).
 * Both start first; the load then alternates between them for `rounds` rounds per concurrency
 * (off/on, then on/off), so the drift of a shared machine hits both alike; figures pool the
 * rounds, and the per-round ratios are printed too. The client is bounded: a
 * fixed number of workers (the concurrency), each with one request in flight, for a fixed time
 * or request count. Requests use the binary tensor extension; the response cache is off.
 * Target: with batching, throughput at concurrency 32 >= 1.5x without.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphBuilder, Tensor, type Graph } from '../src/index.js';
import { InferenceServer, defaultBatchSizes, encodeInferRequest, silentLogger, stackRows } from '../src/serve/index.js';

interface Cell {
  batching: 'off' | 'on';
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  meanBatch: number;
  /** Server-side model run time per request (batch run time shared by its requests). */
  inferenceMsPerRequest: number;
}

const OPTIONS = {
  model: { type: 'string', default: 'mobilenetV2' }, resolution: { type: 'string', default: '224' },
  concurrency: { type: 'string', default: '1,8,32' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' },
  'max-requests': { type: 'string', default: '2000' }, 'max-batch': { type: 'string', default: '16' },
  'max-delay-ms': { type: 'string', default: '5' }, out: { type: 'string', default: 'bench/results/serve-load.json' },
  'in-process': { type: 'boolean', default: false }, threads: { type: 'string' }, 'off-threads': { type: 'string' }, serve: { type: 'boolean' }, batching: { type: 'string' },
} as const;

/** The model to serve: a builtin graph or an .onnx path. */
async function loadModel(name: string, resolution: number): Promise<Graph | string> {
  if (name === 'mlp') return mlp();
  if (name === 'mobilenetV2') {
    // Resolved at run time from the compiled layout (dist/bench -> dist/src/models).
    const spec = '../src/models/index.js';
    const mod = (await import(spec)) as { models: { mobilenetV2(o: object): Graph } };
    return mod.models.mobilenetV2({ resolution, seed: 1 });
  }
  return name;
}

/** A small dense network, for trying the harness quickly. */
function mlp(): Graph {
  const b = new GraphBuilder('mlp');
  let x = b.input('x', 'float32', ['N', 256]);
  for (let l = 0; l < 3; l++) {
    const w = new Float32Array(256 * 256).map((_, i) => Math.sin(i * 0.37 + l) * 0.05);
    x = b.relu(b.gemm(x, b.constant(new Tensor('float32', [256, 256], w), `w${l}`), b.float(new Array(256).fill(0.01), [256], `b${l}`)));
  }
  b.output(x, 'y');
  return b.build();
}

/** The server's threads: --off-threads for the batching-off one when given, else --threads, else the default (the cores). */
function threadsOf(values: Record<string, string | boolean | undefined>): number | undefined {
  const t = values.batching === 'off' && values['off-threads'] !== undefined ? values['off-threads'] : values.threads;
  return t === undefined ? undefined : Number(t);
}

/** Child process: serve the model until told to stop. */
async function serveChild(values: Record<string, string | boolean | undefined>): Promise<void> {
  const model = await loadModel(String(values.model), Number(values.resolution));
  const server = await InferenceServer.create({
    models: { model }, maxBatch: values.batching === 'on' ? Number(values['max-batch']) : 1,
    maxDelayMs: Number(values['max-delay-ms']), maxQueue: 4096, timeoutMs: 3_600_000, cacheEntries: 0, drift: false, logger: silentLogger, worker: values['in-process'] !== true,
    threads: threadsOf(values),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  process.send!({ port });
  process.on('message', async (m) => {
    if (m === 'stop') { await server.close(); process.exit(0); }
  });
}

function post(agent: Agent, port: number, body: Uint8Array, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/models/model/infer', method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (res.statusCode !== 200) chunks.push(c); });
      res.on('end', () => {
        if (res.statusCode !== 200) process.stderr.write(`serve-load: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}\n`);
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` workers, each with one request in flight, until the time or request budget runs out. */
async function load(port: number, body: Uint8Array, headers: Record<string, string>, concurrency: number, seconds: number, maxRequests: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let started = 0, errors = 0;
  const t0 = performance.now(), deadline = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && started < maxRequests) {
      started++;
      const s = performance.now();
      const status = await post(agent, port, body, headers).catch((e: Error) => { process.stderr.write(`serve-load: ${e.message}\n`); return 0; });
      if (status === 200) latencies.push(performance.now() - s); else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: latencies.length, errors, seconds: elapsed, throughput: latencies.length / elapsed, latencies };
}

interface Scraped { batchSum: number; batches: number; inferenceSeconds: number; requests: number }

/** The server's own counters: rows per batch, seconds in inference, requests answered. */
async function scrape(port: number): Promise<Scraped> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name}\\{model="model"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { batchSum: get('tessera_batch_size_sum'), batches: get('tessera_batch_size_count'), inferenceSeconds: get('tessera_inference_duration_seconds_sum'), requests: get('tessera_request_duration_seconds_count') };
}

/** Mean batch and inference milliseconds per request between two scrapes. */
function delta(a: Scraped, b: Scraped): { meanBatch: number; inferenceMs: number } {
  return { meanBatch: (b.batchSum - a.batchSum) / Math.max(1, b.batches - a.batches), inferenceMs: (1000 * (b.inferenceSeconds - a.inferenceSeconds)) / Math.max(1, b.requests - a.requests) };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: OPTIONS, allowPositionals: false });
  if (values.serve) return serveChild(values);
  const loadStart = loadavg();
  const levels = values.concurrency.split(',').map(Number);
  const seconds = Number(values.seconds), rounds = Number(values.rounds), maxRequests = Number(values['max-requests']);
  // Request body: one sample of the model's input with the batch dimension set to 1.
  const model = await loadModel(values.model, Number(values.resolution));
  const { InferenceSession } = await import('../src/index.js');
  const probe = await InferenceSession.create(model);
  const feeds: Record<string, Tensor> = {};
  for (const v of probe.graph.inputs) {
    const shape = v.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : NaN));
    if (shape.some(Number.isNaN)) throw new Error(`input '${v.name}' has symbolic dimensions besides the first: [${v.shape.join(', ')}]`);
    const t = new Tensor(v.dtype, shape);
    if (v.dtype === 'float32') (t.data as Float32Array).forEach((_, i, a) => { a[i] = Math.sin(i * 0.01); });
    feeds[v.name] = t;
  }
  probe.dispose();
  const { body, headers } = encodeInferRequest(feeds, { binary: true, binaryOutputs: true });
  // Warm-up bodies: one request of each padded batch size compiles every plan a run can use.
  const warmups = defaultBatchSizes(Number(values['max-batch'])).map((rows) => {
    const big: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) big[k] = stackRows(new Array(rows).fill(t));
    return encodeInferRequest(big, { binary: true, binaryOutputs: true });
  });

  // Both servers start first; the load then alternates between them (off, on, on, off, ...) for
  // `rounds` rounds per concurrency, so drift on a shared machine hits both alike.
  const servers = new Map<'off' | 'on', { child: ReturnType<typeof fork>; port: number }>();
  for (const batching of ['off', 'on'] as const) {
    const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--serve', '--batching', batching], { stdio: 'inherit' });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    });
    const agent = new Agent({ keepAlive: true });
    for (const w of batching === 'on' ? warmups : warmups.slice(0, 1)) {
      const status = await post(agent, port, w.body, w.headers);
      if (status !== 200) throw new Error(`warm-up request answered ${status}`);
    }
    agent.destroy();
    servers.set(batching, { child, port });
  }

  const cells: Cell[] = [];
  const ratios = new Map<number, number[]>();
  for (const concurrency of levels) {
    const runs: Record<'off' | 'on', Run[]> = { off: [], on: [] };
    for (let round = 0; round < rounds; round++) {
      for (const batching of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const { port } = servers.get(batching)!;
        const before = await scrape(port);
        const r = await load(port, body, headers, concurrency, seconds, maxRequests);
        runs[batching].push({ ...r, ...delta(before, await scrape(port)) });
      }
      const [off, on] = [runs.off[round], runs.on[round]];
      ratios.set(concurrency, [...(ratios.get(concurrency) ?? []), on.throughput / off.throughput]);
      process.stdout.write(`c=${String(concurrency).padStart(2)} round ${round + 1}: off ${off.throughput.toFixed(1)} req/s, on ${on.throughput.toFixed(1)} req/s (mean batch ${on.meanBatch.toFixed(1)}): ${(on.throughput / off.throughput).toFixed(2)}x\n`);
    }
    for (const batching of ['off', 'on'] as const) cells.push(cell(batching, concurrency, runs[batching]));
  }
  for (const { child } of servers.values()) {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }

  const at = (b: 'on' | 'off', c: number) => cells.find((x) => x.batching === b && x.concurrency === c);
  const top = Math.max(...levels);
  const speedup = (at('on', top)?.throughput ?? NaN) / (at('off', top)?.throughput ?? NaN);
  const topRatios = (ratios.get(top) ?? []).sort((a, b) => a - b);
  printTable(cells);
  process.stdout.write(`\nbatching speed-up at concurrency ${top}: ${speedup.toFixed(2)}x over all rounds (per round ${topRatios.map((r) => r.toFixed(2)).join(', ')}; target >= 1.5x: ${speedup >= 1.5 ? 'met' : 'NOT met'})\n`);
  const result = {
    benchmark: 'serve-load', model: values.model, resolution: Number(values.resolution), date: new Date().toISOString(),
    // Load average before and after: other processes on the machine skew every figure.
    node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, loadAverage: { start: loadStart, end: loadavg() },
    config: { maxBatch: Number(values['max-batch']), maxDelayMs: Number(values['max-delay-ms']), seconds, rounds, maxRequests, protocol: 'binary', threads: values.threads ?? 'default (cores)', offThreads: values['off-threads'] ?? values.threads ?? 'default (cores)', inferenceIn: values['in-process'] ? 'event loop' : 'worker thread' },
    cells, speedupAtTopConcurrency: speedup, speedupPerRound: Object.fromEntries(ratios),
  };
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`saved ${values.out}\n`);
}

type Run = Awaited<ReturnType<typeof load>> & { meanBatch: number; inferenceMs: number };

/** One cell from its rounds: throughput over all of them, percentiles over all their latencies. */
function cell(batching: 'off' | 'on', concurrency: number, runs: Run[]): Cell {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const requests = latencies.length, seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const weigh = (f: (r: Run) => number) => runs.reduce((a, r) => a + f(r) * r.requests, 0) / Math.max(1, requests);
  return {
    batching, concurrency, requests, errors: runs.reduce((a, r) => a + r.errors, 0), seconds, throughput: requests / seconds,
    p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), meanBatch: weigh((r) => r.meanBatch), inferenceMsPerRequest: weigh((r) => r.inferenceMs),
  };
}

function printTable(cells: Cell[]): void {
  const rows = [['batching', 'concurrency', 'req/s', 'p50 ms', 'p99 ms', 'mean batch', 'inference ms/req', 'requests']];
  for (const c of cells) rows.push([c.batching, String(c.concurrency), c.throughput.toFixed(1), c.p50Ms.toFixed(1), c.p99Ms.toFixed(1), c.meanBatch.toFixed(2), c.inferenceMsPerRequest.toFixed(1), String(c.requests)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write('\n' + rows.map((r) => r.map((s, i) => s.padStart(widths[i])).join('  ')).join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`serve-load: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
