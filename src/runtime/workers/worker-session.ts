import { Graph } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import { endpoint, type Endpoint, type MessageTarget, type Reply, type Request, type WorkerSessionOptionsMessage } from './protocol.js';
import { graphToMessage, tensorFromMessage, tensorToMessage, transferables, type TensorMessage } from './transfer.js';

/** A Web Worker or a Node worker_thread running the `tessera/worker` script. */
export type WorkerHandle = MessageTarget & { terminate(): unknown };

export interface WorkerSessionOptions extends WorkerSessionOptionsMessage {
  /**
   * The worker to run in. It must run the `tessera/worker` entry (dist/browser/worker.js for
   * pages; `new URL('tessera/worker', import.meta.url)` with a bundler; in Node,
   * `new Worker(new URL('../node_modules/tessera/dist/src/entries/worker.js', import.meta.url))`).
   * One worker may hold several sessions.
   */
  worker: WorkerHandle;
  /** Terminate the worker on dispose() (default: true when the session is the worker's only user). */
  terminate?: boolean;
}

export class WorkerSessionError extends Error {
  override name = 'WorkerSessionError';
}

/** A connection to one worker: numbered requests, one pending promise each. */
export class WorkerLink {
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  private readonly ready: Promise<void>;
  private next = 1;
  private readonly ep: Endpoint;
  private readonly stop: () => void;
  private failed?: Error;
  private rejectReady!: (e: Error) => void;

  constructor(readonly worker: WorkerHandle) {
    this.ep = endpoint(worker);
    let markReady!: () => void;
    this.ready = new Promise((resolve, reject) => { markReady = resolve; this.rejectReady = reject; });
    this.ready.catch(() => { /* surfaced by request() */ });
    this.stop = this.ep.listen((msg) => {
      const m = msg as Reply | { type: 'ready' };
      if (m.type === 'ready') { markReady(); return; }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m);
    });
    // A worker that dies (bad script URL, crash) fails every pending and later request.
    const fail = (what: unknown) => this.fail(new WorkerSessionError(`the worker failed: ${what instanceof Error ? what.message : (what as { message?: string })?.message ?? String(what)}`));
    if (typeof worker.on === 'function') { worker.on('error' as 'message', fail); worker.on('exit' as 'message', (code) => fail(`exited with code ${String(code)}`)); }
    else (worker as unknown as { addEventListener?(t: string, f: (e: unknown) => void): void }).addEventListener?.('error', fail);
  }

  /** Why this link stopped working (the worker died, or the link was closed), if it did. */
  get failure(): Error | undefined { return this.failed; }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.rejectReady(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async request(req: DistributiveOmit<Request, 'id'>, transfer?: ArrayBuffer[]): Promise<Extract<Reply, { type: 'ok' }>> {
    if (this.failed) throw this.failed;
    await this.ready;
    const id = this.next++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.pending.set(id, { resolve, reject });
      this.ep.post({ ...req, id }, transfer);
    });
    if (reply.type === 'error') {
      const e = new WorkerSessionError(reply.message);
      e.name = reply.name; // keep the worker-side class name (SessionError, GraphError, ...)
      throw e;
    }
    return reply;
  }

  close(terminate: boolean): void {
    this.stop();
    this.fail(new WorkerSessionError('this worker session has been disposed'));
    if (terminate) void this.worker.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * An InferenceSession that runs in a worker: the same inputNames / outputNames / run /
 * dispose, with feeds and outputs copied across (outputs are transferred, not copied, back).
 */
export class WorkerSession {
  private constructor(
    private readonly link: WorkerLink,
    private readonly id: number,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    /** The backend the worker-side session runs on. */
    readonly backend: string,
    private readonly terminate: boolean,
  ) {}

  /** Sends the model (a Graph or ONNX bytes) to the worker and creates a session there. */
  static async create(model: Graph | Uint8Array, options: WorkerSessionOptions): Promise<WorkerSession> {
    if (!options || !options.worker || typeof options.worker.postMessage !== 'function') {
      throw new WorkerSessionError('createWorkerSession needs options.worker: a Web Worker or Node worker_thread running the tessera/worker entry');
    }
    const { worker, terminate = true, ...sessionOptions } = options;
    const link = new WorkerLink(worker);
    return WorkerSession.open(link, model, sessionOptions, terminate);
  }

  /** A session on an existing link (several sessions may share one worker). */
  static async open(link: WorkerLink, model: Graph | Uint8Array, options: WorkerSessionOptionsMessage, terminate = false): Promise<WorkerSession> {
    if (!(model instanceof Graph) && !(model instanceof Uint8Array)) throw new WorkerSessionError(`a worker session takes a Graph or ONNX bytes (Uint8Array), got ${typeof model}`);
    const msg = model instanceof Graph ? graphToMessage(model) : model;
    const r = await link.request({ type: 'create', model: msg, options });
    return new WorkerSession(link, r.session!, r.inputNames!, r.outputNames!, r.backend ?? 'cpu', terminate);
  }

  /** Why this session cannot run any more (its worker died, or it was disposed), if so. */
  get failure(): Error | undefined { return this.link.failure; }

  /**
   * `transfer`: hand the feeds' buffers to the worker instead of copying them (they are
   * detached here afterwards: for feeds the caller will not read again).
   */
  async run(feeds: Record<string, Tensor>, options: { transfer?: boolean } = {}): Promise<Record<string, Tensor>> {
    if (typeof feeds !== 'object' || feeds === null) throw new WorkerSessionError(`run() takes an object of input tensors keyed by name (${this.inputNames.join(', ')})`);
    const msg: Record<string, TensorMessage> = {};
    for (const [k, t] of Object.entries(feeds)) {
      if (!(t instanceof Tensor)) throw new WorkerSessionError(`input '${k}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
      msg[k] = tensorToMessage(t);
    }
    const r = await this.link.request({ type: 'run', session: this.id, feeds: msg }, options.transfer ? transferables(Object.values(msg)) : undefined);
    const out: Record<string, Tensor> = {};
    for (const n of this.outputNames) out[n] = tensorFromMessage(r.outputs![n]);
    return out;
  }

  async dispose(): Promise<void> {
    try { await this.link.request({ type: 'dispose', session: this.id }); } catch { /* already gone */ }
    if (this.terminate) this.link.close(true);
  }
}

/** `WorkerSession.create`: an InferenceSession in a Web Worker or worker_thread. */
export function createWorkerSession(model: Graph | Uint8Array, options: WorkerSessionOptions): Promise<WorkerSession> {
  return WorkerSession.create(model, options);
}
