import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadOnnxFile } from '../onnx/file.js';
import { saveOnnx, writesSparse } from '../onnx/save.js';
import { isPacked, type Graph } from '../graph/graph.js';
import { prune, type PruneOptions, type PrunePattern } from '../sparse/prune.js';
import { sparsify } from '../sparse/sparsify.js';
import { sparsityReport } from '../sparse/report.js';
import type { SparsifyDecision } from '../sparse/convert.js';

const USAGE = 'usage: tessera prune <model.onnx> --sparsity 0.9 [--pattern unstructured|block|channel|2:4] [--scope layer|global] [--block 1x4] [--skip name,...] -o out.onnx [--dense] [--json]';

/** Weights at least this sparse go to the file as sparse_initializer (unless --dense). */
const SPARSE_FILE_MIN_ZEROS = 0.7;

/** One prunable layer before and after, and how Tessera would run it. */
export interface PrunedLayer {
  node: string;
  op: string;
  weight: string;
  shapeBefore: readonly number[];
  shapeAfter: readonly number[];
  sparsityBefore: number;
  sparsityAfter: number;
  denseBytes: number;
  csrBytes: number;
  /** 'csr' / 'bsr' when InferenceSession runs the layer on a sparse kernel, else 'dense'. */
  runs: string;
}

export interface PruneSummary {
  layers: PrunedLayer[];
  parametersBefore: number;
  parametersAfter: number;
  /** Weight bytes as Tessera stores the result after sparsify(). */
  sparseWeightBytes: number;
  fileBytes: number;
  /** Weights written as ONNX sparse_initializer. */
  sparseInitializers: number;
}

/**
 * Loads, prunes and saves standard ONNX, and reports per layer. Weights that end up at least 70%
 * zeros are written as ONNX sparse_initializer (smaller files; onnxruntime densifies them at
 * load), or all dense with exact zeros when `dense` is set.
 */
export async function pruneFile(input: string, output: string, opts: PruneOptions, dense = false): Promise<PruneSummary> {
  const g = loadOnnxFile(input);
  const p = prune(g, opts);
  const bytes = saveOnnx(p, { sparseInitializers: dense ? false : SPARSE_FILE_MIN_ZEROS });
  await writeFile(output, bytes);
  const summary = summarizePrune(g, p);
  const sparseInitializers = dense ? 0 : [...p.initializers.values()].filter((w) => !isPacked(w) && writesSparse(w, SPARSE_FILE_MIN_ZEROS)).length;
  return { ...summary, fileBytes: bytes.length, sparseInitializers };
}

export function summarizePrune(before: Graph, after: Graph): Omit<PruneSummary, 'fileBytes' | 'sparseInitializers'> {
  const decisions = new Map<string, SparsifyDecision>();
  const sparse = sparsify(after, { onDecision: (d) => decisions.set(d.node, d) });
  const old = new Map(sparsityReport(before).map((l) => [l.node, l]));
  const layers = sparsityReport(after).map((l) => {
    const b = old.get(l.node);
    return {
      node: l.node, op: l.op, weight: l.weight, shapeBefore: b?.shape ?? l.shape, shapeAfter: l.shape,
      sparsityBefore: b?.sparsity ?? 0, sparsityAfter: l.sparsity, denseBytes: l.denseBytes, csrBytes: l.csrBytes,
      runs: decisions.get(l.node)?.chosen ?? 'dense',
    };
  });
  return { layers, parametersBefore: before.parameterCount, parametersAfter: after.parameterCount, sparseWeightBytes: sparse.weightBytes };
}

export async function pruneCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      sparsity: { type: 'string' }, pattern: { type: 'string' }, scope: { type: 'string' }, block: { type: 'string' },
      skip: { type: 'string' }, output: { type: 'string', short: 'o' }, json: { type: 'boolean' }, dense: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1 || !values.output) throw new Error(USAGE);
  const pattern = (values.pattern ?? 'unstructured') as PrunePattern;
  if (values.sparsity === undefined && pattern !== '2:4') throw new Error(`--sparsity is required\n${USAGE}`);
  const sparsity = values.sparsity === undefined ? undefined : Number(values.sparsity);
  if (sparsity !== undefined && !Number.isFinite(sparsity)) throw new Error(`--sparsity must be a number in [0, 1], got '${values.sparsity}'`);
  const opts: PruneOptions = { pattern, ...(sparsity !== undefined ? { sparsity } : {}) };
  if (values.scope) opts.scope = values.scope as 'layer' | 'global';
  if (values.block) {
    const m = /^(\d+)x(\d+)$/.exec(values.block);
    if (!m) throw new Error(`--block must look like 1x4 (inputs x outputs), got '${values.block}'`);
    opts.block = [Number(m[1]), Number(m[2])];
  }
  if (values.skip) opts.skip = values.skip.split(',').map((s) => s.trim()).filter(Boolean);
  const s = await pruneFile(positionals[0], values.output, opts, values.dense === true);
  if (values.json) { process.stdout.write(JSON.stringify(s, null, 2) + '\n'); return; }
  process.stdout.write(formatSummary(s, values.output) + '\n');
}

export function formatSummary(s: PruneSummary, output: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6), kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`.padStart(11);
  const shape = (a: readonly number[]) => `[${a.join(', ')}]`;
  const shapes = s.layers.map((l) => (l.shapeBefore.join() === l.shapeAfter.join() ? shape(l.shapeAfter) : `${shape(l.shapeBefore)} -> ${shape(l.shapeAfter)}`));
  const width = Math.max(5, ...s.layers.map((l) => l.node.length)), sw = Math.max(5, ...shapes.map((x) => x.length));
  const lines = [
    `${'layer'.padEnd(width)}  ${'op'.padEnd(11)} ${'shape'.padEnd(sw)}  sparsity            dense          CSR  runs`,
    ...s.layers.map((l, i) => `${l.node.padEnd(width)}  ${l.op.padEnd(11)} ${shapes[i].padEnd(sw)}  ${pct(l.sparsityBefore)} -> ${pct(l.sparsityAfter)} ${kib(l.denseBytes)}  ${kib(l.csrBytes)}  ${l.runs}`),
    '',
    `parameters: ${s.parametersBefore.toLocaleString('en-US')} -> ${s.parametersAfter.toLocaleString('en-US')}`,
    `weights as Tessera runs them (sparse where it pays): ${(s.sparseWeightBytes / 1048576).toFixed(2)} MiB`,
    `wrote ${output}: ${(s.fileBytes / 1048576).toFixed(2)} MiB (standard ONNX; ${s.sparseInitializers ? `${s.sparseInitializers} weights at >= ${100 * SPARSE_FILE_MIN_ZEROS}% zeros as sparse_initializer, the rest dense` : 'pruned weights stored dense with exact zeros'})`,
  ];
  return lines.join('\n');
}
