import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { sgemm, sgemmWorkspaceFloats } from '../../../kernels/cpu/sgemm.js';
import type { GemmEpilogue } from '../../../kernels/cpu/gemm-epilogue.js';
import { JOB_KINDS, JOBS, type JobArray } from '../../../kernels/cpu/jobs.js';
import { ARRAY_WORDS, arrayView, FSlot, SGEMM, Slot, Split, State, type PortMessage } from './gemm-job.js';

/**
 * A worker (worker_threads): waits on its shared control words, runs the part of a product
 * (SGEMM, or a split job of kernels/cpu/jobs.ts) the main thread wrote there with the same
 * code, and signals back. Blocking in Atomics.wait keeps the hand-off to microseconds; new
 * buffers arrive on a port it reads synchronously when a job names one it has not seen.
 */
const { ctl: ctlBuf, f64: f64Buf, port } = workerData as { ctl: SharedArrayBuffer; f64: SharedArrayBuffer; port: MessagePort };
const ctl = new Int32Array(ctlBuf), f64 = new Float64Array(f64Buf);
const buffers = new Map<number, SharedArrayBuffer>();
const floatViews = new Map<number, Float32Array>();
const epi: GemmEpilogue = { biasPerRow: false, lo: -Infinity, hi: Infinity, act: 0 };
let ws = new Float32Array(0);
let tmp = new Float64Array(0);

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

function view(id: number): Float32Array {
  let v = floatViews.get(id);
  if (!v) { v = new Float32Array(buffer(id)); floatViews.set(id, v); }
  return v;
}

function runSgemm(): void {
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

function runSplit(code: number): void {
  const job = JOBS[JOB_KINDS[code]];
  if (!job) throw new Error(`worker: no job with code ${code}`);
  const arrays: (JobArray | undefined)[] = [];
  for (let i = 0, w = Split.First; i < ctl[Split.Arrays]; i++, w += ARRAY_WORDS) {
    arrays.push(ctl[w] < 0 ? undefined : arrayView(ctl[w + 3], buffer(ctl[w]), ctl[w + 1], ctl[w + 2]));
  }
  const i0 = Split.First + ctl[Split.Arrays] * ARRAY_WORDS, ints = ctl.subarray(i0, i0 + ctl[Split.Ints]);
  const floats = f64.subarray(0, ctl[Split.Floats]), need = job.tmpF64(ints);
  if (tmp.length < need) tmp = new Float64Array(need);
  job.run(arrays, ints, floats, ctl[Split.Lo], ctl[Split.Hi], tmp);
}

Atomics.store(ctl, Slot.State, State.Idle);
Atomics.notify(ctl, Slot.State);
for (;;) {
  Atomics.wait(ctl, Slot.State, State.Idle);
  const s = Atomics.load(ctl, Slot.State);
  if (s === State.Exit) break;
  if (s !== State.Job) continue;
  let next: number = State.Idle;
  try {
    if (ctl[Slot.Job] === SGEMM) runSgemm(); else runSplit(ctl[Slot.Job]);
  } catch (e) { port.postMessage({ error: (e as Error).message } satisfies PortMessage); next = State.Failed; }
  Atomics.store(ctl, Slot.State, next);
  Atomics.notify(ctl, Slot.State);
}
port.close();
