import { Graph } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import type { DataFor, DType } from '../../dtype.js';
import { InferenceSession } from '../session.js';
import { splitStages, type PipelinePlan } from './pipeline-plan.js';
import { WorkerLink, WorkerSession, WorkerSessionError, type WorkerHandle } from './worker-session.js';

export interface PipelineOptions {
  /**
   * One worker per stage, each running the `tessera/worker` entry; the model's layers are cut
   * into this many stages of about equal work. Pass a factory or the workers themselves.
   */
  workers: number | WorkerHandle[];
  /** Called `workers` times when `workers` is a number. */
  createWorker?: () => WorkerHandle;
  /** Rows of the batch (dim 0 of every input) per micro-batch. Default 1. */
  microBatch?: number;
  /** Graph optimizations before the split (as InferenceSession's `optimize`). Default true. */
  optimize?: boolean | { disable: string[] };
}

interface StageSet { plan: PipelinePlan; sessions: WorkerSession[] }

/**
 * Pipeline parallelism: a model's layers split across workers, micro-batches flowing through
 * them, so stage k works on micro-batch i while stage k+1 works on micro-batch i-1. Each
 * worker only ever holds its own stage's weights. Every input and output must be batch-major
 * (dim 0 is the batch); outputs are concatenated back along it.
 *
 * Stages are planned per micro-batch shape (a last, smaller micro-batch gets its own split)
 * because shape arithmetic is folded into the stages at plan time.
 */
export class PipelineSession {
  private readonly sets = new Map<string, Promise<StageSet>>();
  private disposed = false;

  private constructor(
    readonly graph: Graph,
    private readonly links: WorkerLink[],
    private readonly microBatch: number,
    private readonly ownsWorkers: boolean,
  ) {}

  get inputNames(): string[] { return this.graph.inputs.map((v) => v.name); }
  get outputNames(): string[] { return this.graph.outputs.map((v) => v.name); }
  /** Number of stages (= workers). */
  get stages(): number { return this.links.length; }

  static async create(model: Graph, options: PipelineOptions): Promise<PipelineSession> {
    if (!(model instanceof Graph)) throw new WorkerSessionError('a pipeline session takes a Graph');
    const { microBatch = 1 } = options;
    if (!Number.isInteger(microBatch) || microBatch < 1) throw new WorkerSessionError(`microBatch must be a positive integer, got ${microBatch}`);
    let workers: WorkerHandle[];
    if (typeof options.workers === 'number') {
      if (!Number.isInteger(options.workers) || options.workers < 1) throw new WorkerSessionError(`workers must be a positive integer or an array of workers, got ${options.workers}`);
      if (!options.createWorker) throw new WorkerSessionError('workers: N needs createWorker(), a factory for workers running the tessera/worker entry');
      workers = Array.from({ length: options.workers }, () => options.createWorker!());
    } else workers = options.workers;
    // Optimize once here (folding, fusion), so stages are cut from the graph that will run.
    const optimized = (await InferenceSession.create(model, { optimize: options.optimize ?? true })).graph;
    return new PipelineSession(optimized, workers.map((w) => new WorkerLink(w)), microBatch, typeof options.workers === 'number');
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    if (this.disposed) throw new WorkerSessionError('this pipeline session has been disposed');
    const batch = this.batchOf(feeds);
    const micro: Record<string, Tensor>[] = [];
    for (let b0 = 0; b0 < batch; b0 += this.microBatch) {
      const rows = Math.min(this.microBatch, batch - b0);
      micro.push(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, sliceRows(t, b0, rows)])));
    }
    // All micro-batches start at once; each worker answers in arrival order, which is what
    // makes the stages overlap.
    const results = await Promise.all(micro.map((m) => this.runMicro(m)));
    const out: Record<string, Tensor> = {};
    for (const name of this.outputNames) out[name] = concatRows(results.map((r) => r[name]));
    return out;
  }

  private async runMicro(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const set = await this.stageSet(feeds);
    const env = new Map<string, Tensor>(Object.entries(feeds));
    for (const [k, v] of set.plan.constantOutputs) env.set(k, v);
    for (let s = 0; s < set.sessions.length; s++) {
      const st = set.sessions[s];
      const res = await st.run(Object.fromEntries(st.inputNames.map((n) => [n, env.get(n)!])));
      for (const [k, v] of Object.entries(res)) env.set(k, v);
    }
    return Object.fromEntries(this.outputNames.map((n) => [n, env.get(n)!]));
  }

  private stageSet(feeds: Record<string, Tensor>): Promise<StageSet> {
    const key = this.inputNames.map((n) => feeds[n].shape.join('x')).join('|');
    let set = this.sets.get(key);
    if (!set) {
      set = (async () => {
        const shapes = new Map(this.inputNames.map((n) => [n, feeds[n].shape.slice()]));
        const plan = splitStages(this.graph, this.links.length, shapes);
        for (const st of plan.stages) {
          for (const o of st.graph.outputs) {
            if (this.outputNames.includes(o.name) && o.shape[0] !== feeds[this.inputNames[0]].shape[0]) {
              throw new WorkerSessionError(`output '${o.name}' has shape [${o.shape.join(', ')}]: a pipeline needs outputs whose dim 0 is the batch`);
            }
          }
        }
        const sessions = await Promise.all(plan.stages.map((st, i) => WorkerSession.open(this.links[i], st.graph, { optimize: false })));
        return { plan, sessions };
      })();
      this.sets.set(key, set);
      set.catch(() => this.sets.delete(key));
    }
    return set;
  }

  private batchOf(feeds: Record<string, Tensor>): number {
    if (typeof feeds !== 'object' || feeds === null) throw new WorkerSessionError(`run() takes an object of input tensors keyed by name (${this.inputNames.join(', ')})`);
    let batch = -1;
    for (const v of this.graph.inputs) {
      const t = feeds[v.name];
      if (!(t instanceof Tensor)) throw new WorkerSessionError(`missing input '${v.name}' (${v.dtype} [${v.shape.join(', ')}])`);
      if (t.dtype !== v.dtype) throw new WorkerSessionError(`input '${v.name}' must be ${v.dtype}, got ${t.dtype}`);
      if (t.shape.length !== v.shape.length) throw new WorkerSessionError(`input '${v.name}' must have rank ${v.shape.length} ([${v.shape.join(', ')}]), got shape [${t.shape.join(', ')}]`);
      v.shape.forEach((d, i) => {
        if (typeof d === 'number' && d !== t.shape[i]) throw new WorkerSessionError(`input '${v.name}' dimension ${i} must be ${d}, got ${t.shape[i]} (shape [${t.shape.join(', ')}])`);
      });
      if (t.shape.length === 0) throw new WorkerSessionError(`input '${v.name}' is a scalar; a pipeline splits inputs along dim 0 (the batch)`);
      if (batch >= 0 && t.shape[0] !== batch) throw new WorkerSessionError(`inputs disagree on the batch size (dim 0): '${v.name}' has ${t.shape[0]}, expected ${batch}`);
      batch = t.shape[0];
    }
    const unknown = Object.keys(feeds).filter((k) => !this.inputNames.includes(k));
    if (unknown.length) throw new WorkerSessionError(`unknown input ${unknown.map((k) => `'${k}'`).join(', ')}; the model's inputs are ${this.inputNames.map((k) => `'${k}'`).join(', ')}`);
    return batch;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const sets = [...this.sets.values()];
    this.sets.clear();
    await Promise.allSettled(sets.map(async (p) => Promise.all((await p).sessions.map((s) => s.dispose()))));
    for (const l of this.links) l.close(this.ownsWorkers);
  }
}

/** Rows [start, start + rows) of dim 0: a copy-free view (row-major, so rows are contiguous). */
function sliceRows(t: Tensor, start: number, rows: number): Tensor {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = t.data.subarray(start * per, (start + rows) * per);
  return new Tensor(t.dtype, [rows, ...t.shape.slice(1)], data as DataFor<DType>);
}

function concatRows(parts: Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  const data = new (first.data.constructor as new (n: number) => typeof first.data)(parts.reduce((n, p) => n + p.data.length, 0));
  let off = 0;
  for (const p of parts) { (data as Float32Array).set(p.data as Float32Array, off); off += p.data.length; }
  return new Tensor(first.dtype, [parts.reduce((n, p) => n + p.shape[0], 0), ...first.shape.slice(1)], data as DataFor<DType>);
}

/** `PipelineSession.create`. */
export function createPipelineSession(model: Graph, options: PipelineOptions): Promise<PipelineSession> {
  return PipelineSession.create(model, options);
}
