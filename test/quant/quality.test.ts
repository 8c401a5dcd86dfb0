import { describe, expect, it } from 'vitest';
import { models } from '../../src/models/index.js';
import { quantize, quantizeWithReport, type QuantizeOptions } from '../../src/quant/index.js';
import { compareOutputs } from '../../src/quant/report.js';

/**
 * Whole-model quality budgets from the quantization issue, at sizes that run in seconds. Output
 * agreement is measured against the FP32 graph on seeded random inputs (compareOutputs, seeds
 * 1..n); calibration (gptq, biasCorrection) uses quantize()'s own seeds 1000+, so no figure here
 * is measured on its calibration set. Full-size figures: `node dist/bench/quant.js --only quality`.
 */
const BERT = { layers: 2, hidden: 128, heads: 4, ffn: 512, vocab: 1000, maxPositions: 64, seed: 1 } as const;

describe('DistilBERT quality', () => {
  const fp32 = models.distilbert(BERT);

  it('int8 (dynamic int8 activations): hidden-state cosine >= 0.999 (full size, S=128: 0.9995)', async () => {
    const a = await compareOutputs(fp32, quantize(fp32, { weights: 'int8' }), 4, 1, { sequence: 16 });
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.999);
  });

  // int4 group 32: the rounding errors of each layer shift its output channels' means the same
  // way for every token, and the residual stream adds those shifts up layer after layer. Bias
  // correction removes them: at full size (6 layers, hidden 768, S=128) the hidden-state cosine
  // goes from 0.9747 (rounding to nearest) to 0.9921. It needs enough width per layer: at 6
  // layers x hidden 128 it gives 0.985 only, so the budget is asserted where it holds, at a
  // reduced width and depth (rounding to nearest alone measures 0.9895 here).
  it('int4 group 32 with biasCorrection: hidden-state cosine >= 0.99 (full size, S=128: 0.9921)', async () => {
    const g = models.distilbert({ layers: 2, hidden: 256, heads: 4, ffn: 1024, vocab: 1000, maxPositions: 64, seed: 1 });
    const a = await compareOutputs(g, quantize(g, { weights: 'int4', groupSize: 32, biasCorrection: true }), 4, 1, { sequence: 16 });
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.99);
  });

  it('int4 group 32 with GPTQ: hidden-state cosine >= 0.99 (rounding to nearest alone measures 0.9881 here)', async () => {
    const a = await compareOutputs(fp32, quantize(fp32, { weights: 'int4', groupSize: 32, gptq: true }), 4, 1, { sequence: 16 });
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.99);
  });
});

describe('MobileNetV2 quality and size', () => {
  const small = models.mobilenetV2({ width: 0.5, resolution: 96, classes: 1000, seed: 1, batch: 1 });
  const full = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1, batch: 1 });

  it('full size (1.0/224): int8 weight bytes <= 0.27x FP32 and int4-g32 <= 0.16x, every layer within the NMSE budgets', () => {
    const q8 = quantizeWithReport(full, { weights: 'int8' }), q4 = quantizeWithReport(full, { weights: 'int4', groupSize: 32 });
    expect(q8.graph.weightBytes / full.weightBytes).toBeLessThanOrEqual(0.27);
    expect(q4.graph.weightBytes / full.weightBytes).toBeLessThanOrEqual(0.16);
    for (const l of q8.layers) expect(l.nmse, l.node).toBeLessThanOrEqual(1e-4);
    for (const l of q4.layers) expect(l.nmse, l.node).toBeLessThanOrEqual(l.format === 'int4' ? 1e-2 : 1e-4);
  });

  // Where the output error comes from (quantizing one layer at a time, 1 - cosine at 1.0/224):
  // the first conv alone costs 7.4e-4, the stem's 6 convs (features.0-2, 0.2% of the weights)
  // 2.5e-3 of the 3.5e-3 that all 52 layers sum to; everything after them is small. The seeded
  // network amplifies early errors (~100x in energy), as it does its input's: 0.5% noise on the
  // input alone gives cosine 0.9994 and top-1 93.8% (64 inputs). So the stem stays float, and
  // bias correction removes the mean shift the rest leaves. Default int8 measures cosine 0.9974.
  it('full size int8 with biasCorrection and the stem in float (keepFirstLayers 6): output cosine >= 0.999 (mean 0.9993, min 0.9990 over 128 inputs), bytes <= 0.27x', async () => {
    const q = quantize(full, { weights: 'int8', biasCorrection: true, keepFirstLayers: 6 });
    expect(q.weightBytes / full.weightBytes).toBeLessThanOrEqual(0.27);
    const a = await compareOutputs(full, q, 6, 1);
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.999);
  });

  it('int8 weight-only keeps output cosine >= 0.99 at 0.5/96 (measured 0.9949 there; 0.9974 at 1.0/224)', async () => {
    const a = await compareOutputs(small, quantize(small, { weights: 'int8', activations: 'float32' }), 6, 1);
    expect(a.cosineMean).toBeGreaterThanOrEqual(0.99);
  });

  it('int8 bias correction and keepFirstLayers each lower the output error', async () => {
    const err = async (o: Partial<QuantizeOptions>) => 1 - (await compareOutputs(small, quantize(small, { weights: 'int8', activations: 'float32', ...o }), 6, 1)).cosineMean;
    const plain = await err({});
    expect(await err({ biasCorrection: true })).toBeLessThan(plain);
    expect(await err({ keepFirstLayers: 6 })).toBeLessThan(plain);
  });

  // The top-1 budget (>= 95% agreement) is NOT met and not asserted. The seeded model's
  // logits are nearly Gaussian: over 128 inputs the top1 - top2 gap is a median 0.18 sigma of
  // the logits, and under 0.015 sigma on 5% of the inputs, so 95% agreement needs an output
  // error of about 1 - cosine = 5e-5, 20x below the cosine budget; each late layer's int8
  // rounding alone costs 1e-5 to 3e-5. Measured at 1.0/224 over 128 inputs (seeds 1..128), all
  // with biasCorrection: keepFirstLayers 6 cosine 0.9993, top-1 93.0%; 12: 0.9997, 91.4%;
  // 18: 0.9998, 94.5% (top-1 is not even monotonic in cosine: it counts near ties). Over 64
  // inputs: default int8 cosine 0.9973, top-1 87.5%; FP32 itself with 0.5% input noise 0.9994,
  // 93.8%, the same as int8 with biasCorrection and keepFirstLayers 6.
});
