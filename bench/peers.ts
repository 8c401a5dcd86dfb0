import type { Graph, Tensor } from '../src/index.js';

/** The runtimes a benchmark compares: Tessera and its two onnxruntime peers, same model bytes. */
export type RuntimeName = 'tessera' | 'ort-node' | 'ort-web';
export const RUNTIMES: readonly RuntimeName[] = ['tessera', 'ort-node', 'ort-web'];

/** One model input, in the storage every runtime accepts (int64 as BigInt64Array). */
export interface Feed {
  name: string;
  dtype: 'float32' | 'int64';
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** A loaded model bound to fixed feeds: `run()` is what gets timed. */
export interface Runner {
  readonly runtime: RuntimeName;
  run(): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface RunnerOptions {
  /** Intra-op threads for every runtime (onnxruntime-web: wasm threads). */
  threads: number;
}

/** Thrown when a peer package is not installed or cannot start here; the report says so. */
export class PeerUnavailable extends Error {
  override name = 'PeerUnavailable';
}

/** A model as a Graph (Tessera only), ONNX bytes, or an .onnx path; at least bytes or path. */
export interface ModelSource { graph?: Graph; bytes?: Uint8Array; path?: string }

/**
 * Loads `model` into `runtime`, each from the form it takes natively: Tessera from the Graph
 * when given one (kernel cases: no ONNX round trip), else from the path (weights stay in the
 * file's buffer) or bytes; onnxruntime-node from the path or bytes; onnxruntime-web from bytes.
 */
export async function createRunner(runtime: RuntimeName, model: ModelSource, feeds: readonly Feed[], opts: RunnerOptions): Promise<Runner> {
  const src = model.path ?? model.bytes;
  if (src === undefined) throw new Error('createRunner needs ONNX bytes or a path');
  if (runtime === 'tessera') return tesseraRunner(model.graph ?? src, feeds, opts);
  if (runtime === 'ort-web' && typeof src === 'string') {
    const { readFileSync } = await import('node:fs');
    return ortRunner(runtime, readFileSync(src), feeds, opts);
  }
  return ortRunner(runtime, src, feeds, opts);
}

async function tesseraRunner(model: Graph | Uint8Array | string, feeds: readonly Feed[], opts: RunnerOptions): Promise<Runner> {
  // Imported here so a peer's process (model benchmarks) does not load Tessera at all.
  const { InferenceSession, Tensor } = await import('../src/index.js');
  // `threads` is passed through as a plain option so older builds without it still run.
  const session = await InferenceSession.create(model, { backend: 'cpu', threads: opts.threads } as Parameters<typeof InferenceSession.create>[1]);
  const inputs: Record<string, Tensor> = {};
  for (const f of feeds) inputs[f.name] = new Tensor(f.dtype, f.shape, f.data);
  return {
    runtime: 'tessera',
    run: () => session.run(inputs),
    dispose: async () => session.dispose(),
  };
}

/** The part of onnxruntime's API both packages share. */
interface OrtLike {
  Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => unknown;
  InferenceSession: { create(model: Uint8Array | string, options: Record<string, unknown>): Promise<OrtSession> };
  env: { wasm?: { numThreads?: number; simd?: boolean }; logLevel?: string };
}
interface OrtSession { run(feeds: Record<string, unknown>): Promise<unknown>; release(): Promise<void> }

async function loadOrt(runtime: 'ort-node' | 'ort-web'): Promise<OrtLike> {
  try {
    return (runtime === 'ort-node' ? await import('onnxruntime-node') : await import('onnxruntime-web')) as unknown as OrtLike;
  } catch (e) {
    throw new PeerUnavailable(`${runtime === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web'} is not installed or does not load here: ${(e as Error).message}`);
  }
}

async function ortRunner(runtime: 'ort-node' | 'ort-web', model: Uint8Array | string, feeds: readonly Feed[], opts: RunnerOptions): Promise<Runner> {
  const ort = await loadOrt(runtime);
  const options: Record<string, unknown> = { graphOptimizationLevel: 'all', executionMode: 'sequential' };
  if (runtime === 'ort-node') Object.assign(options, { intraOpNumThreads: opts.threads, interOpNumThreads: 1 });
  else {
    // The wasm files ship inside the package; Node loads them from disk, nothing is fetched.
    ort.env.wasm!.numThreads = opts.threads;
    options.executionProviders = ['wasm'];
  }
  const session = await ort.InferenceSession.create(model, options);
  const inputs: Record<string, unknown> = {};
  for (const f of feeds) inputs[f.name] = new ort.Tensor(f.dtype, f.data, f.shape);
  return {
    runtime,
    run: () => session.run(inputs),
    dispose: () => session.release(),
  };
}

/** Installed package versions, for the results file (null: not installed). */
export async function peerVersions(): Promise<Record<string, string | null>> {
  const { readFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const out: Record<string, string | null> = {};
  for (const pkg of ['onnxruntime-node', 'onnxruntime-web', 'tinybench']) {
    out[pkg] = null;
    try {
      // Walk up from the resolved entry: not every package exports its package.json.
      for (let dir = dirname(fileURLToPath(import.meta.resolve(pkg))); dir !== dirname(dir); dir = dirname(dir)) {
        try {
          const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
          if (meta.name === pkg) { out[pkg] = meta.version ?? null; break; }
        } catch { /* no package.json at this level */ }
      }
    } catch { /* not installed */ }
  }
  return out;
}
