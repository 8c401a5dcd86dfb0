import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { createJobRunner, serveJobs } from './gemm-runner.js';
import type { PortMessage } from './gemm-job.js';

/**
 * A worker (worker_threads): waits on its shared control words, runs the part of a product
 * the main thread wrote there with the same code (gemm-runner.ts, shared with the browser
 * helper gemm-web-worker.ts), and signals back. Blocking in Atomics.wait keeps the hand-off to
 * microseconds; new buffers arrive on a port it reads synchronously when a job names one it
 * has not seen.
 */
const { ctl: ctlBuf, f64: f64Buf, port } = workerData as { ctl: SharedArrayBuffer; f64: SharedArrayBuffer; port: MessagePort };
const ctl = new Int32Array(ctlBuf), f64 = new Float64Array(f64Buf);
const buffers = new Map<number, SharedArrayBuffer>();

function buffer(id: number): SharedArrayBuffer {
  let b = buffers.get(id);
  while (!b) {
    const m = receiveMessageOnPort(port)?.message as PortMessage | undefined;
    if (!m) throw new Error(`worker: buffer ${id} was never sent`);
    if ('buffer' in m) buffers.set(m.id, m.buffer);
    b = buffers.get(id);
  }
  return b;
}

// Buffers are read synchronously (buffer() above), so the loop never yields.
void serveJobs(ctl, createJobRunner(ctl, f64, buffer), (error) => port.postMessage({ error } satisfies PortMessage)).then(() => port.close());
