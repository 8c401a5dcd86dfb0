import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { ValueInfo } from '../graph/graph.js';
import { readNpy } from './npy.js';
import { DATATYPE_TO_DTYPE, DTYPE_TO_DATATYPE, tensorFromJsonData, type V2Datatype } from './protocol.js';

/**
 * Inputs and outputs of batch jobs. A record's `index` is its position in the input (the
 * 0-based line number of a JSONL file, the position of a .npy file in name order): it decides
 * the shard and is what resuming matches on.
 */
export interface Shard { index: number; count: number }

/** "K/N" with 0 <= K < N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard must be K/N (for example 0/4), got '${text}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`--shard ${text}: K must be in 0..N-1 and N >= 1`);
  return { index, count };
}

export type SourceRecord = { index: number; kind: 'jsonl'; text: string } | { index: number; kind: 'npy'; file: string };

const inShard = (i: number, shard?: Shard) => !shard || i % shard.count === shard.index;

/** Records of a JSONL file (blank lines are skipped but keep their line numbers) or a directory of .npy files. */
export async function* readRecords(input: string, shard?: Shard): AsyncGenerator<SourceRecord> {
  if ((await stat(input)).isDirectory()) {
    const files = (await readdir(input)).filter((f) => f.endsWith('.npy')).sort();
    for (let i = 0; i < files.length; i++) if (inShard(i, shard)) yield { index: i, kind: 'npy', file: join(input, files[i]) };
    return;
  }
  const lines = createInterface({ input: createReadStream(input, 'utf8'), crlfDelay: Infinity });
  let i = 0;
  for await (const line of lines) {
    if (line.trim() && inShard(i, shard)) yield { index: i, kind: 'jsonl', text: line };
    i++;
  }
}

/** Records in the input (in this shard): for the progress bar's total. */
export async function countRecords(input: string, shard?: Shard): Promise<number> {
  let n = 0;
  for await (const _ of readRecords(input, shard)) n++;
  return n;
}

/** A record's id and feeds. JSONL lines are {"id"?, "inputs": {...}} or {name: value, ...}. */
export async function loadRecord(rec: SourceRecord, inputs: readonly ValueInfo[]): Promise<{ id: string | number; feeds: Record<string, Tensor>; squeezed: boolean }> {
  if (rec.kind === 'npy') {
    if (inputs.length !== 1) throw new Error(`a directory of .npy files feeds single-input models; this model has inputs ${inputs.map((v) => v.name).join(', ')} (use JSONL)`);
    const t = addBatchDim(readNpy(new Uint8Array(await readFile(rec.file)), rec.file), inputs[0]);
    return { id: rec.file.split(/[\\/]/).pop()!, feeds: { [inputs[0].name]: t.tensor }, squeezed: t.squeezed };
  }
  let obj: unknown;
  try { obj = JSON.parse(rec.text); } catch (e) { throw new Error(`malformed JSON: ${(e as Error).message}`); }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('a record must be a JSON object: {"id"?, "inputs": {name: value}} or {name: value}');
  const o = obj as Record<string, unknown>;
  const values = (typeof o.inputs === 'object' && o.inputs !== null ? o.inputs : o) as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : rec.index;
  const feeds: Record<string, Tensor> = {};
  let squeezed = false;
  for (const info of inputs) {
    if (values[info.name] === undefined) throw new Error(`missing input '${info.name}'`);
    const t = addBatchDim(jsonToTensor(values[info.name], info), info);
    feeds[info.name] = t.tensor;
    squeezed ||= t.squeezed;
  }
  return { id, feeds, squeezed };
}

/** Nested arrays (dtype from the model) or {"data", "shape"?, "dtype"?|"datatype"?}. */
function jsonToTensor(v: unknown, info: ValueInfo): Tensor {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'data' in v) {
    const o = v as { data: unknown; shape?: number[]; dtype?: string; datatype?: string };
    const dtype = (o.datatype ? DATATYPE_TO_DTYPE[o.datatype as V2Datatype] : o.dtype) as DType | undefined;
    const data = Array.isArray(o.data) ? o.data.flat(Infinity) : [o.data];
    return tensorFromJsonData(info.name, DTYPE_TO_DATATYPE[dtype ?? info.dtype] ?? 'FP32', o.shape ?? [data.length], data);
  }
  const shape: number[] = [];
  for (let x: unknown = v; Array.isArray(x); x = x[0]) shape.push(x.length);
  return tensorFromJsonData(info.name, DTYPE_TO_DATATYPE[info.dtype], shape, v);
}

/** A sample given without the model's leading batch dimension gets one (and loses it again in the output). */
function addBatchDim(t: Tensor, info: ValueInfo): { tensor: Tensor; squeezed: boolean } {
  const d0 = info.shape[0];
  if (t.rank === info.shape.length - 1 && (typeof d0 === 'string' || d0 === 1)) return { tensor: t.reshape([1, ...t.shape]), squeezed: true };
  return { tensor: t, squeezed: false };
}

/**
 * Indices already in a JSONL results file. A line cut short by a crash is removed first, so
 * that record is done again: every record ends up in the file exactly once.
 */
export async function completedIndices(path: string): Promise<Set<number>> {
  const done = new Set<number>();
  const s = await stat(path).catch(() => undefined);
  if (!s || s.size === 0) return done;
  await truncate(path, await lastNewlineEnd(path, s.size));
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    const m = /^\{"index":(\d+)[,}]/.exec(line);
    let idx = m ? Number(m[1]) : undefined;
    if (idx === undefined) {
      try { idx = (JSON.parse(line) as { index?: number }).index; } catch { /* reported below */ }
    }
    if (!Number.isInteger(idx)) throw new Error(`${path} line ${n} is not a result record (no "index"); is it the output of another tool?`);
    done.add(idx!);
  }
  return done;
}

/** Byte offset just past the last '\n' (0 when there is none). */
async function lastNewlineEnd(path: string, size: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const i = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}
