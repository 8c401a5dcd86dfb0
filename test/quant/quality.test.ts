import { describe, expect, it } from 'vitest';
import { models } from '../../src/models/index.js';
import { quantize, quantizeWithReport } from '../../src/quant/index.js';
import { compareOutputs } from '../../src/quant/report.js';

/**
 * Whole-model quality budgets from the quantization issue, at sizes that run in seconds. Output
 * agreement is measured against the FP32 graph on seeded random inputs (compareOutputs).
 */
const BERT = { layers: 2, hidden: 128, heads: 4, ffn: 512, vocab: 1000, maxPositions: 64, seed: 1 } as const;

describe('DistilBERT quality', () => {
  const fp32 = models.distilbert(BERT);

  it('int8 (dynamic int8 activations): hidden-state cosine >= 0.999', async () => {
    const a = await compareOutputs(fp32, quantize(fp32, { weights: 'int8' }), 4, 1, { sequence: 16 });
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.999);
  });

  it('int4 group 32 with GPTQ: hidden-state cosine >= 0.99 (rounding to nearest alone measures 0.9897 here)', async () => {
    const a = await compareOutputs(fp32, quantize(fp32, { weights: 'int4', groupSize: 32, gptq: true }), 4, 1, { sequence: 16 });
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.99);
  });
});

describe('MobileNetV2 quality and size', () => {
  const small = models.mobilenetV2({ width: 0.5, resolution: 96, classes: 1000, seed: 1, batch: 1 });

  it('full size (1.0/224): int8 weight bytes <= 0.27x FP32 and int4-g32 <= 0.16x, every layer within the NMSE budgets', () => {
    const g = models.mobilenetV2({ width: 1.0, resolution: 224, classes: 1000, seed: 1 });
    const q8 = quantizeWithReport(g, { weights: 'int8' }), q4 = quantizeWithReport(g, { weights: 'int4', groupSize: 32 });
    expect(q8.graph.weightBytes / g.weightBytes).toBeLessThanOrEqual(0.27);
    expect(q4.graph.weightBytes / g.weightBytes).toBeLessThanOrEqual(0.16);
    for (const l of q8.layers) expect(l.nmse, l.node).toBeLessThanOrEqual(1e-4);
    for (const l of q4.layers) expect(l.nmse, l.node).toBeLessThanOrEqual(l.format === 'int4' ? 1e-2 : 1e-4);
  });

  it('int8 weight-only keeps output cosine >= 0.99 (measured 0.9945 at 0.5/96; 0.9973 at 1.0/224)', async () => {
    const a = await compareOutputs(small, quantize(small, { weights: 'int8', activations: 'float32' }), 6, 1);
    expect(a.cosineMean).toBeGreaterThanOrEqual(0.99);
  });

  // The MobileNetV2 int8 budget (top-1 >= 95%, cosine >= 0.999) is NOT met on the
  // seeded-weight model (every layer is within its NMSE budget, but the untrained network
  // amplifies perturbations ~100x). It is recorded as open in the issue, not as a test.
});
