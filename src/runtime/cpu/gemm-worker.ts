import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { createJobRunner } from './gemm-runner.js';
import { Slot, State, type PortMessage } from './gemm-job.js';

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

const run = createJobRunner(ctl, f64, buffer);

Atomics.store(ctl, Slot.State, State.Idle);
Atomics.notify(ctl, Slot.State);
for (;;) {
  Atomics.wait(ctl, Slot.State, State.Idle);
  const s = Atomics.load(ctl, Slot.State);
  if (s === State.Exit) break;
  if (s !== State.Job) continue;
  let next: number = State.Idle;
  try {
    run();
  } catch (e) { port.postMessage({ error: (e as Error).message } satisfies PortMessage); next = State.Failed; }
  Atomics.store(ctl, Slot.State, next);
  Atomics.notify(ctl, Slot.State);
}
port.close();
