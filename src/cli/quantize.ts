import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadOnnx } from '../onnx/load.js';
import { saveOnnx } from '../onnx/save.js';
import type { Graph } from '../graph/graph.js';
import { quantizeWithReport, type QuantizeOptions, type QuantizedLayer } from '../quant/quantize.js';
import { compareOutputs, formatLayers, table, type OutputAgreement } from '../quant/report.js';
import { INT4_GROUP_SIZES, type Int4GroupSize } from '../quant/formats/int4.js';

const USAGE = `usage: tessera quantize <model.onnx> --int8|--int4 [--group 32|64|128] [--activations float32|int8-dynamic]
                        [-o out.onnx] [--report] [--samples N] [--seq L] [--keep-first-conv] [--keep-first-layers N] [--keep-classifier]
                        [--skip name,...] [--no-embeddings] [--gptq] [--bias-correction] [--calibration N] [--json]`;

export interface QuantizeSummary {
  format: string;
  layers: QuantizedLayer[];
  /** Weight bytes as Tessera holds them, before and after. */
  weightBytesBefore: number;
  weightBytesAfter: number;
  fileBytesBefore: number;
  fileBytesAfter?: number;
  /** Output agreement against FP32 on random inputs (--report). */
  agreement?: OutputAgreement;
}

/** Loads, quantizes, optionally saves (standard ONNX ops, see src/quant/onnx-export.ts) and measures. */
export async function quantizeFile(input: string, opts: QuantizeOptions, out?: { output?: string; samples?: number; sequence?: number }): Promise<QuantizeSummary> {
  const bytes = new Uint8Array(await readFile(input));
  const g: Graph = loadOnnx(bytes);
  const { graph: q, layers } = quantizeWithReport(g, opts);
  let fileBytesAfter: number | undefined;
  if (out?.output) {
    const saved = saveOnnx(q);
    await writeFile(out.output, saved);
    fileBytesAfter = saved.length;
  }
  const agreement = out?.samples ? await compareOutputs(g, q, out.samples, 1, { sequence: out.sequence }) : undefined;
  return {
    format: q.metadata['tessera.quantization'] ?? opts.weights, layers,
    weightBytesBefore: g.weightBytes, weightBytesAfter: q.weightBytes, fileBytesBefore: bytes.length, fileBytesAfter, agreement,
  };
}

export function formatSummary(s: QuantizeSummary): string {
  const mib = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
  const lines = [`quantized: ${s.format}`, '', formatLayers(s.layers), ''];
  const rows = [['weights (in memory)', mib(s.weightBytesBefore), mib(s.weightBytesAfter), `${(s.weightBytesAfter / s.weightBytesBefore).toFixed(3)}x`]];
  if (s.fileBytesAfter !== undefined) rows.push(['ONNX file', mib(s.fileBytesBefore), mib(s.fileBytesAfter), `${(s.fileBytesAfter / s.fileBytesBefore).toFixed(3)}x`]);
  lines.push(table(['size', 'before', 'after', 'ratio'], rows));
  const a = s.agreement;
  if (a) {
    lines.push('', `vs FP32 on ${a.samples} random input${a.samples > 1 ? 's' : ''} (output '${a.output}'):`,
      `  output cosine similarity  mean ${a.cosineMean.toFixed(6)}  min ${a.cosineMin.toFixed(6)}`,
      `  top-1 agreement           ${(a.top1Agreement * 100).toFixed(1)}% (argmax over the last dim)`);
  }
  return lines.join('\n');
}

export async function quantizeCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      int8: { type: 'boolean' }, int4: { type: 'boolean' }, group: { type: 'string' }, activations: { type: 'string' },
      output: { type: 'string', short: 'o' }, report: { type: 'boolean' }, samples: { type: 'string' }, seq: { type: 'string' },
      'keep-first-conv': { type: 'boolean' }, 'keep-first-layers': { type: 'string' }, 'keep-classifier': { type: 'boolean' }, skip: { type: 'string' },
      'no-embeddings': { type: 'boolean' }, 'bias-correction': { type: 'boolean' }, gptq: { type: 'boolean' }, calibration: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  if (!!values.int8 === !!values.int4) throw new Error(`give exactly one of --int8 or --int4\n${USAGE}`);
  const count = (v: string | undefined, name: string, def: number) => {
    const n = v === undefined ? def : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${v}'`);
    return n;
  };
  const opts: QuantizeOptions = { weights: values.int8 ? 'int8' : 'int4' };
  if (values.group !== undefined) {
    const gs = Number(values.group);
    if (!(INT4_GROUP_SIZES as readonly number[]).includes(gs)) throw new Error(`--group must be one of ${INT4_GROUP_SIZES.join(', ')}, got '${values.group}'`);
    opts.groupSize = gs as Int4GroupSize;
  }
  if (values.activations !== undefined) opts.activations = values.activations as QuantizeOptions['activations'];
  if (values['keep-first-conv']) opts.keepFirstConv = true;
  if (values['keep-first-layers'] !== undefined) {
    const n = Number(values['keep-first-layers']);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--keep-first-layers must be a whole number >= 0, got '${values['keep-first-layers']}'`);
    opts.keepFirstLayers = n;
  }
  if (values['keep-classifier']) opts.keepClassifier = true;
  if (values['no-embeddings']) opts.embeddings = false;
  if (values['bias-correction']) opts.biasCorrection = true;
  if (values.gptq) opts.gptq = true;
  if (values.calibration !== undefined) opts.calibration = { samples: count(values.calibration, 'calibration', 4) };
  if (values.skip) { const names = new Set(values.skip.split(',')); opts.skip = (n) => names.has(n.name); }
  const samples = values.report ? count(values.samples, 'samples', 8) : 0;
  const s = await quantizeFile(positionals[0], opts, { output: values.output, samples, sequence: count(values.seq, 'seq', 16) });
  process.stdout.write((values.json ? JSON.stringify(s, null, 2) : values.report || !values.output ? formatSummary(s) : `wrote ${values.output} (${s.format}; weights ${(s.weightBytesAfter / s.weightBytesBefore).toFixed(3)}x)`) + '\n');
}
