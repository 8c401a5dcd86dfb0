import type { Graph } from '../graph/graph.js';
import type { Analysis } from '../graph/analyze.js';
import type { Dim } from '../ops/types.js';
import type { KernelData } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { WebGpuOptions } from './webgpu/options.js';
import type { WebGlOptions } from './webgl/backend.js';

export type BackendName = 'cpu' | 'webgpu' | 'webgl';

/** 'auto' (webgpu -> webgl -> cpu), one backend, or a preference order. */
export type BackendChoice = BackendName | 'auto' | readonly BackendName[];

/** A non-CPU backend: compiles a runner per input-shape signature. */
export interface Accelerator {
  compile(graph: Graph, analysis: Analysis, shapes: ReadonlyMap<string, readonly Dim[]>, constants: ReadonlyMap<string, KernelData>): {
    readonly plan: { arenaBytes: number; naiveBytes: number; steps: readonly unknown[]; folded: number };
    run(feeds: readonly Tensor[]): Tensor[] | Promise<Tensor[]>;
    dispose?(): void;
  };
  dispose(): void;
}

export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];
const NAMES: readonly string[] = AUTO_ORDER;

/** None of the backends asked for could start; `failures` says why, per backend. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(readonly failures: readonly { backend: BackendName; error: Error }[]) {
    super(`no backend could start: ${failures.map((f) => `${f.backend}: ${f.error.message}`).join('; ')}`);
  }
}

/**
 * The default when a session names no backend: 'auto' in browsers and Web Workers (use the GPU
 * when there is one), 'cpu' in Node (deterministic, no optional packages probed).
 */
export function defaultBackend(): BackendChoice {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return g.document !== undefined || g.WorkerGlobalScope !== undefined ? 'auto' : 'cpu';
}

/** The order to try, or a message saying what is wrong with the option. */
export function backendOrder(choice: unknown): BackendName[] | string {
  const list = choice === 'auto' ? AUTO_ORDER : typeof choice === 'string' ? [choice] : choice;
  const bad = `backend must be 'cpu', 'webgpu', 'webgl', 'auto' or a non-empty array of backend names, got ${JSON.stringify(choice)}`;
  if (!Array.isArray(list) || list.length === 0) return bad;
  const unknown = list.filter((b) => !NAMES.includes(b as string));
  if (unknown.length) return typeof choice === 'string' ? `unknown backend '${choice}'; use 'cpu', 'webgpu', 'webgl' or 'auto'` : `${bad} (unknown: ${unknown.map((u) => JSON.stringify(u)).join(', ')})`;
  return [...new Set(list as BackendName[])];
}

export interface SelectOptions {
  precision: 'f32' | 'f16';
  debug: boolean | ((line: string) => void);
  webgpu: WebGpuOptions;
  webgl: WebGlOptions;
}

/**
 * Starts the first backend in `order` that works here. A backend named alone fails with its own
 * error; in a list, failures are skipped (and logged under `debug`) until one starts. Each GPU
 * backend's code is imported only when it is tried.
 */
export async function selectBackend(order: readonly BackendName[], opts: SelectOptions): Promise<{ name: BackendName; accelerator?: Accelerator }> {
  const failures: { backend: BackendName; error: Error }[] = [];
  const log = opts.debug === true ? (l: string) => console.log(l) : typeof opts.debug === 'function' ? opts.debug : undefined;
  for (const name of order) {
    try {
      if (name === 'cpu') return { name };
      if (name === 'webgpu') {
        const { WebGpuBackend } = await import('./webgpu/backend.js');
        return { name, accelerator: await WebGpuBackend.create({ ...opts.webgpu, precision: opts.precision, debug: opts.debug }) };
      }
      const { WebGlBackend } = await import('./webgl/backend.js');
      return { name, accelerator: await WebGlBackend.create({ ...opts.webgl, debug: opts.debug }) };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (order.length === 1) throw error;
      failures.push({ backend: name, error });
      log?.(`backend '${name}' is not available: ${error.message}`);
    }
  }
  throw new BackendUnavailableError(failures);
}
