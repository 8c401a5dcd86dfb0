import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Graph } from '../graph/graph.js';
import { InferenceSession, type SessionOptions } from '../runtime/session.js';
import { WorkerSession, type WorkerHandle } from '../runtime/workers/worker-session.js';
import type { WorkerSessionOptionsMessage } from '../runtime/workers/protocol.js';
import { loadOnnx } from '../onnx/load.js';
import { loadOnnxFile } from '../onnx/file.js';
import { modelSignature, type ModelRunner } from './served-model.js';

/** What a model can be given as: a Graph, ONNX bytes, an .onnx path, or a ready session. */
export type ModelSource = Graph | Uint8Array | string | InferenceSession;

/**
 * Model names to .onnx paths. Each argument is an .onnx file (served under its file name
 * without the extension, or `name` when there is exactly one) or a directory holding .onnx
 * files and/or a Triton-style repository: `<dir>/<name>/model.onnx` or
 * `<dir>/<name>/<version>/model.onnx` (the highest numeric version is served).
 */
export async function discoverModels(paths: readonly string[], name?: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (n: string, p: string) => {
    if (found.has(n)) throw new Error(`two models are named '${n}': ${found.get(n)} and ${p}; rename one or pass --name`);
    found.set(n, p);
  };
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new Error(`model path '${p}' does not exist`);
    if (s.isFile()) { add(paths.length === 1 && name ? name : basename(p, extname(p)), p); continue; }
    for (const entry of (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(p, entry.name);
      if (entry.isFile() && entry.name.endsWith('.onnx')) add(basename(entry.name, '.onnx'), full);
      else if (entry.isDirectory()) {
        const model = await repositoryModel(full);
        if (model) add(entry.name, model);
      }
    }
  }
  if (!found.size) throw new Error(`no .onnx models found in ${paths.join(', ')}`);
  if (name && found.size > 1) throw new Error(`--name applies to a single model, but ${found.size} were found (${[...found.keys()].join(', ')})`);
  return found;
}

async function repositoryModel(dir: string): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  const versions = entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => Number(e.name)).sort((a, b) => b - a);
  for (const v of versions) {
    const p = join(dir, String(v), 'model.onnx');
    if (await stat(p).then((s) => s.isFile(), () => false)) return p;
  }
  return entries.some((e) => e.isFile() && e.name === 'model.onnx') ? join(dir, 'model.onnx') : undefined;
}

/** A session for any model source (a session is used as it is). */
export async function openSession(source: ModelSource, options: SessionOptions = {}): Promise<InferenceSession> {
  if (source instanceof InferenceSession) return source;
  return InferenceSession.create(source, defined(options));
}

/**
 * The model in a worker_thread of its own running the tessera/worker script (`script`), behind
 * the ModelRunner a ServedModel takes: the calling thread keeps reading requests, answering
 * health probes and metrics while a batch runs there. A model given as a path or bytes is
 * loaded here, sent to the worker (a copy) and dropped: this thread keeps only its signature.
 */
export async function openWorkerRunner(source: ModelSource, script: URL, options: WorkerSessionOptionsMessage = {}): Promise<ModelRunner> {
  if (source instanceof InferenceSession) throw new Error('an InferenceSession cannot move to a worker thread: pass the model (a Graph, ONNX bytes or a path) instead');
  const graph = source instanceof Graph ? source : source instanceof Uint8Array ? loadOnnx(source) : loadOnnxFile(source);
  const { Worker } = await import('node:worker_threads');
  const session = await WorkerSession.create(graph, { ...defined(options), worker: new Worker(script) as unknown as WorkerHandle });
  return {
    signature: modelSignature(graph), run: (feeds) => session.run(feeds), runOwned: (feeds) => session.run(feeds, { transfer: true }),
    dispose: () => session.dispose(), failure: () => session.failure,
  };
}

/** The options without keys given as undefined, which must not override a session's defaults. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}
