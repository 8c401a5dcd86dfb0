import { createJobRunner, serveJobs } from './gemm-runner.js';
import { jobBufferIds, writeError, type PortMessage, type WebHelperInit } from './gemm-job.js';

/**
 * A pool helper in a browser: a module Web Worker started by a Web Worker that runs a session
 * with threads. The Node worker's loop (gemm-worker.ts) with one difference: buffers arrive as
 * messages, and a worker receives messages only from its event loop. So between jobs it blocks
 * in Atomics.wait like the Node worker (the fastest hand-off), and a job naming a buffer it has
 * not received yet first yields to the event loop until that message is in: the pool posts
 * every buffer before the job that names it. Errors go to shared memory (writeError), which the
 * blocked pool can read.
 */
const MISSING_BUFFER_MS = 10_000;

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WebHelperInit | PortMessage>) => void) | null; close(): void };
const buffers = new Map<number, SharedArrayBuffer>();
let arrived: (() => void) | undefined;

scope.onmessage = (e) => {
  const m = e.data;
  if ('ctl' in m) void serve(m);
  else if ('buffer' in m) { buffers.set(m.id, m.buffer); arrived?.(); }
};

function buffer(id: number): SharedArrayBuffer {
  const b = buffers.get(id);
  if (!b) throw new Error(`worker: buffer ${id} was never sent`);
  return b;
}

/** Returns once every buffer the job names is here. */
async function receive(ids: readonly number[]): Promise<void> {
  const until = Date.now() + MISSING_BUFFER_MS;
  for (const id of ids) {
    while (!buffers.has(id)) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`worker: buffer ${id} did not arrive within ${MISSING_BUFFER_MS / 1000} s`);
      await new Promise<void>((resolve) => { arrived = resolve; setTimeout(resolve, left); });
    }
  }
}

async function serve(init: WebHelperInit): Promise<void> {
  const ctl = new Int32Array(init.ctl), f64 = new Float64Array(init.f64), error = new Uint16Array(init.error);
  const missing = () => { const ids = jobBufferIds(ctl); return ids.some((id) => !buffers.has(id)) ? receive(ids) : undefined; };
  await serveJobs(ctl, createJobRunner(ctl, f64, buffer), (message) => writeError(error, message), missing);
  scope.close();
}
