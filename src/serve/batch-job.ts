import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Tensor } from '../tensor.js';
import type { BackendName } from '../runtime/session.js';
import { completedIndices, countRecords, loadRecord, readRecords, type Shard, type SourceRecord } from './batch-io.js';
import { openSession, type ModelSource } from './model-repository.js';
import { ProgressBar } from './progress.js';
import { tensorToJsonData } from './protocol.js';
import { ServedModel, defaultBatchSizes } from './served-model.js';

export interface BatchJobOptions {
  model: ModelSource;
  /** A JSONL file (one record per line) or a directory of .npy files (single-input models). */
  input: string;
  /** JSONL results, appended to: an existing file means "resume". */
  output: string;
  /** Records that failed, with the reason. Default: the output path with `.errors.jsonl`. */
  errors?: string;
  /** Records per batch (and per write). Default 32. */
  batchSize?: number;
  /** Process only records whose index % count === index. */
  shard?: Shard;
  backend?: BackendName;
  /** Stops after the batch in progress is written; rerunning resumes. */
  signal?: AbortSignal;
  /** Draw a progress bar on this stream (default: stderr when it is a TTY; false: none). */
  progress?: { write(s: string): unknown; isTTY?: boolean } | false;
  /** Called after each batch is written, with this run's totals so far. */
  onProgress?: (p: { written: number; failed: number; skipped: number }) => void;
}

export interface BatchJobResult {
  /** Records written to the output this run. */
  written: number;
  /** Records written to the errors file this run. */
  failed: number;
  /** Records skipped because an earlier run finished them. */
  skipped: number;
  aborted: boolean;
  elapsedMs: number;
}

export function defaultErrorsPath(output: string): string {
  return output.endsWith('.jsonl') ? `${output.slice(0, -6)}.errors.jsonl` : `${output}.errors.jsonl`;
}

/**
 * Offline inference over a file of records, resumable and shardable. Results are appended a
 * batch at a time, one JSON line per record ({"index", "id", "outputs"}); a rerun skips
 * records already in the output or errors file, so after a crash or kill each record is
 * written exactly once. Records that fail (bad JSON, wrong shape...) go to the errors file
 * ({"index", "id", "error"}) while the rest continue.
 */
export async function runBatchJob(opts: BatchJobOptions): Promise<BatchJobResult> {
  const t0 = performance.now();
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!(await stat(opts.input).catch(() => undefined))) throw new Error(`input '${opts.input}' does not exist`);
  const errorsPath = opts.errors ?? defaultErrorsPath(opts.output);
  const done = await completedIndices(opts.output);
  for (const i of await completedIndices(errorsPath)) done.add(i);

  const session = await openSession(opts.model, { backend: opts.backend, planCacheSize: defaultBatchSizes(batchSize).length + 4 });
  const modelName = typeof opts.model === 'string' ? basename(opts.model).replace(/\.onnx$/, '') : session.graph.name;
  const model = new ServedModel(modelName, session, { maxBatch: batchSize, maxDelayMs: 60_000, maxQueue: batchSize, timeoutMs: 0, drift: false });
  const inputs = session.graph.inputs;
  const stream = opts.progress === false ? undefined : opts.progress ?? process.stderr;
  const bar = new ProgressBar(undefined, stream ?? { write: () => true }, !!stream?.isTTY);
  if (stream?.isTTY) bar.setTotal((await countRecords(opts.input, opts.shard)) - done.size);

  const out = await open(opts.output, 'a');
  const errs = await open(errorsPath, 'a');
  const result: BatchJobResult = { written: 0, failed: 0, skipped: 0, aborted: false, elapsedMs: 0 };

  const runChunk = async (chunk: SourceRecord[]) => {
    const loaded = await Promise.allSettled(chunk.map((rec) => loadRecord(rec, inputs)));
    // Submit every record before flushing so compatible ones share a batch.
    const running = loaded.map((l) => (l.status === 'fulfilled' ? model.infer(l.value.feeds) : Promise.reject(l.reason)));
    model.batcher.flush();
    const settled = await Promise.allSettled(running);
    let okLines = '', errLines = '';
    settled.forEach((s, k) => {
      const rec = chunk[k], l = loaded[k];
      const id = l.status === 'fulfilled' ? l.value.id : rec.kind === 'npy' ? basename(rec.file) : rec.index;
      if (s.status === 'fulfilled') {
        const squeezed = l.status === 'fulfilled' && l.value.squeezed;
        okLines += `{"index":${rec.index},"id":${JSON.stringify(id)},"outputs":${outputsJson(s.value.outputs, squeezed)}}\n`;
        result.written++;
      } else {
        const reason = (s.reason as Error)?.message ?? String(s.reason);
        errLines += `{"index":${rec.index},"id":${JSON.stringify(id)},"error":${JSON.stringify(reason)}}\n`;
        result.failed++;
      }
    });
    // One write per file per batch: a kill leaves at most one torn line, which resuming removes.
    if (okLines) await out.write(okLines);
    if (errLines) await errs.write(errLines);
    bar.tick(chunk.length);
    opts.onProgress?.({ written: result.written, failed: result.failed, skipped: result.skipped });
  };

  try {
    let chunk: SourceRecord[] = [];
    for await (const rec of readRecords(opts.input, opts.shard)) {
      if (opts.signal?.aborted) { result.aborted = true; break; }
      if (done.has(rec.index)) { result.skipped++; continue; }
      chunk.push(rec);
      if (chunk.length >= batchSize) { await runChunk(chunk); chunk = []; }
    }
    if (chunk.length && !result.aborted) await runChunk(chunk);
    await out.datasync();
    await errs.datasync();
  } finally {
    await out.close();
    await errs.close();
    await model.close();
    if (session !== opts.model) session.dispose();
    bar.finish();
  }
  result.elapsedMs = performance.now() - t0;
  return result;
}

function outputsJson(outputs: Record<string, Tensor>, squeezed: boolean): string {
  const o: Record<string, { dtype: string; shape: number[]; data: unknown }> = {};
  for (const [name, t] of Object.entries(outputs)) {
    const shape = squeezed && t.shape[0] === 1 ? t.shape.slice(1) : t.shape.slice();
    o[name] = { dtype: t.dtype, shape, data: tensorToJsonData(t) };
  }
  return JSON.stringify(o);
}
