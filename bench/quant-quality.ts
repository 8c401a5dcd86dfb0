/**
 * Whole-model quantization quality at full size, the figures the issue's budgets are about:
 * MobileNetV2 1.0/224 int8 (output cosine and top-1 agreement vs FP32) and DistilBERT-base
 * int8 / int4-g32 (hidden-state cosine), each with the quantize() options that change it.
 * Evaluation inputs are randomFeeds seeds 1..N; calibration (biasCorrection, gptq) uses
 * quantize()'s own seeds 1000+, so nothing is evaluated on its calibration set.
 *
 * Also measured: how far the FP32 MobileNetV2 itself moves when its input gets 0.5% noise
 * (normal, std 0.005 on unit-variance pixels: about what rounding an image to 8 bits does).
 * That is the model's sensitivity, not a quantization figure: a budget tighter than what 8-bit
 * input rounding costs cannot be met by any weight quantizer on that model.
 *
 *   npm run build && node dist/bench/quant.js --only quality [--quick]
 */
import { InferenceSession, Tensor, type Graph } from '../src/index.js';
import { models } from '../src/models/index.js';
import { normal } from '../src/models/weights.js';
import { quantize, type QuantizeOptions } from '../src/quant/index.js';
import { compareOutputs, cosine, randomFeeds } from '../src/quant/report.js';

export interface QualityRow {
  model: string;
  variant: string;
  samples: number;
  cosineMean: number;
  cosineMin: number;
  top1Agreement?: number;
  quantizeMs?: number;
  budget?: string;
  pass?: boolean;
}

interface Case { variant: string; options: QuantizeOptions }

async function measure(label: string, g: Graph, cases: Case[], samples: number, sequence: number | undefined, budget: (c: Case, a: QualityRow) => [string, boolean] | undefined, log?: (s: string) => void): Promise<QualityRow[]> {
  const rows: QualityRow[] = [];
  for (const c of cases) {
    const t = performance.now(), q = quantize(g, c.options), quantizeMs = performance.now() - t;
    const a = await compareOutputs(g, q, samples, 1, sequence ? { sequence } : {});
    const row: QualityRow = { model: label, variant: c.variant, samples, cosineMean: a.cosineMean, cosineMin: a.cosineMin, quantizeMs, ...(sequence ? {} : { top1Agreement: a.top1Agreement }) };
    const b = budget(c, row);
    if (b) [row.budget, row.pass] = b;
    rows.push(row);
    log?.(`${label} ${c.variant}: cosine mean ${a.cosineMean.toFixed(5)} min ${a.cosineMin.toFixed(5)}${sequence ? '' : `, top-1 ${(a.top1Agreement * 100).toFixed(1)}%`}; quantize ${(quantizeMs / 1000).toFixed(1)} s`);
  }
  return rows;
}

/** FP32 against itself with std `noise` normal noise added to its (unit-variance) input. */
async function inputNoise(label: string, g: Graph, samples: number, noise: number): Promise<QualityRow> {
  const s = await InferenceSession.create(g), name = s.outputNames[0];
  let sum = 0, min = Infinity, agree = 0;
  try {
    for (let i = 1; i <= samples; i++) {
      const f = randomFeeds(g, i), x = f[g.inputs[0].name], n = normal(100000 + i, 'noise', [...x.shape], noise).data;
      const xn = new Tensor('float32', x.shape, Float32Array.from(x.data as Float32Array, (v, j) => v + n[j]));
      const a = (await s.run(f))[name].data as Float32Array, b = (await s.run({ ...f, [g.inputs[0].name]: xn }))[name].data as Float32Array;
      const c = cosine(a, b);
      sum += c;
      min = Math.min(min, c);
      if (argmax(a) === argmax(b)) agree++;
    }
  } finally { s.dispose(); }
  return { model: label, variant: `fp32, input + ${noise * 100}% noise (reference)`, samples, cosineMean: sum / samples, cosineMin: min, top1Agreement: agree / samples };
}

function argmax(x: Float32Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

export async function qualityBench(o: { quick: boolean; log?: (s: string) => void }): Promise<QualityRow[]> {
  const rows: QualityRow[] = [];
  const mn = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1, batch: 1 }), mnLabel = 'MobileNetV2 1.0/224';
  // Top-1 over 32 inputs moves by 3% per input; the logits of the untrained model are close
  // together (see quality.test.ts), so more inputs than for the cosine.
  const mnSamples = o.quick ? 8 : 64;
  const mnCases: Case[] = [
    { variant: 'int8 (default: float conv inputs)', options: { weights: 'int8' } },
    { variant: 'int8, int8-dynamic activations', options: { weights: 'int8', activations: 'int8-dynamic' } },
    { variant: 'int8 + biasCorrection', options: { weights: 'int8', biasCorrection: true } },
    { variant: 'int8 + biasCorrection, keepFirstConv, keepClassifier', options: { weights: 'int8', biasCorrection: true, keepFirstConv: true, keepClassifier: true } },
    { variant: 'int8 + biasCorrection, keepFirstLayers 6 (the stem)', options: { weights: 'int8', biasCorrection: true, keepFirstLayers: 6 } },
  ];
  const mnBudget = (_: Case, r: QualityRow): [string, boolean] => {
    const cos = r.cosineMin >= 0.999, top1 = r.top1Agreement! >= 0.95;
    return [`cosine >= 0.999 ${cos ? 'met' : 'not met'}, top-1 >= 95% ${top1 ? 'met' : 'not met'}:`, cos && top1];
  };
  rows.push(...await measure(mnLabel, mn, mnCases, mnSamples, undefined, mnBudget, o.log));
  const ref = await inputNoise(mnLabel, mn, mnSamples, 0.005);
  o.log?.(`${mnLabel} ${ref.variant}: cosine mean ${ref.cosineMean.toFixed(5)} min ${ref.cosineMin.toFixed(5)}, top-1 ${(ref.top1Agreement! * 100).toFixed(1)}%`);
  rows.push(ref);

  const bert = models.distilbert({ layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 });
  const seq = o.quick ? 32 : 128, bertLabel = `DistilBERT-base S=${seq}`;
  const bertCases: Case[] = [
    { variant: 'int8 (default: int8-dynamic MatMul inputs)', options: { weights: 'int8' } },
    { variant: 'int4 g32', options: { weights: 'int4', groupSize: 32 } },
    { variant: 'int4 g32 + biasCorrection', options: { weights: 'int4', groupSize: 32, biasCorrection: true } },
  ];
  const bertBudget = (c: Case, r: QualityRow): [string, boolean] => c.options.weights === 'int8' ? ['cosine >= 0.999', r.cosineMin >= 0.999] : ['cosine >= 0.99', r.cosineMin >= 0.99];
  rows.push(...await measure(bertLabel, bert, bertCases, o.quick ? 2 : 4, seq, bertBudget, o.log));
  return rows;
}

export function formatQuality(rows: readonly QualityRow[]): string {
  const head = ['model', 'variant', 'inputs', 'cos mean', 'cos min', 'top-1', 'quantize s', 'budget'];
  const body = rows.map((r) => [
    r.model, r.variant, String(r.samples), r.cosineMean.toFixed(5), r.cosineMin.toFixed(5), r.top1Agreement === undefined ? '' : `${(r.top1Agreement * 100).toFixed(1)}%`,
    r.quantizeMs === undefined ? '' : (r.quantizeMs / 1000).toFixed(1), r.budget ? `${r.budget} ${r.pass ? 'PASS' : 'FAIL'}` : '',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 || i === 7 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}
