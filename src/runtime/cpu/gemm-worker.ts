import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { sgemm, sgemmWorkspaceFloats } from '../../../kernels/cpu/sgemm.js';
import type { GemmEpilogue } from '../../../kernels/cpu/gemm-epilogue.js';
import { FSlot, Slot, State, type PortMessage } from './gemm-job.js';

/**
 * A GEMM worker (worker_threads): waits on its shared control words, runs the part of a
 * product the main thread wrote there with the same sgemm, and signals back. Blocking in
 * Atomics.wait keeps the hand-off to microseconds; new buffers arrive on a port it reads
 * synchronously when a job names one it has not seen.
 */
const { ctl: ctlBuf, f64: f64Buf, port } = workerData as { ctl: SharedArrayBuffer; f64: SharedArrayBuffer; port: MessagePort };
const ctl = new Int32Array(ctlBuf), f64 = new Float64Array(f64Buf);
const views = new Map<number, Float32Array>();
const epi: GemmEpilogue = { biasPerRow: false, lo: -Infinity, hi: Infinity, act: 0 };
let ws = new Float32Array(0);

function view(id: number): Float32Array {
  let v = views.get(id);
  while (!v) {
    const m = receiveMessageOnPort(port)?.message as PortMessage | undefined;
    if (!m) throw new Error(`GEMM worker: buffer ${id} was never sent`);
    if ('buffer' in m) views.set(m.id, new Float32Array(m.buffer));
    v = views.get(id);
  }
  return v;
}

function runJob(): void {
  const M = ctl[Slot.M], N = ctl[Slot.N], K = ctl[Slot.K], need = sgemmWorkspaceFloats(M, N, K);
  if (ws.length < need) ws = new Float32Array(need);
  const hasEpi = ctl[Slot.HasEpi] === 1;
  epi.biasPerRow = ctl[Slot.BiasPerRow] === 1; epi.act = ctl[Slot.Act]; epi.lo = f64[FSlot.Lo]; epi.hi = f64[FSlot.Hi];
  const biasBuf = ctl[Slot.BiasBuf];
  sgemm(M, N, K,
    view(ctl[Slot.ABuf]), ctl[Slot.AOff], ctl[Slot.RsA], ctl[Slot.CsA],
    view(ctl[Slot.BBuf]), ctl[Slot.BOff], ctl[Slot.RsB], ctl[Slot.CsB],
    view(ctl[Slot.CBuf]), ctl[Slot.COff], ctl[Slot.Ldc], ctl[Slot.Accumulate] === 1,
    ws, 0, hasEpi ? epi : undefined, biasBuf >= 0 ? view(biasBuf) : undefined, ctl[Slot.BiasOff]);
}

Atomics.store(ctl, Slot.State, State.Idle);
Atomics.notify(ctl, Slot.State);
for (;;) {
  Atomics.wait(ctl, Slot.State, State.Idle);
  const s = Atomics.load(ctl, Slot.State);
  if (s === State.Exit) break;
  if (s !== State.Job) continue;
  let next: number = State.Idle;
  try { runJob(); } catch (e) { port.postMessage({ error: (e as Error).message } satisfies PortMessage); next = State.Failed; }
  Atomics.store(ctl, Slot.State, next);
  Atomics.notify(ctl, Slot.State);
}
port.close();
