import { describe, expect, it } from 'vitest';
import { agreement, argmax, logitsOf, margins, naturalishInputs, trainedMobilenetV2 } from '../../bench/trained-mobilenet.js';
import { quantize } from '../../src/quant/index.js';

/**
 * The issue's MobileNetV2 int8 budgets (top-1 agreement >= 95%, output cosine >= 0.999 vs FP32)
 * on a TRAINED MobileNetV2 1.0/224: nsfwjs@4.4.0's (a devDependency; see
 * bench/trained-mobilenet.ts), converted from its tfjs layers files, whose FP32 outputs match
 * tfjs within 2e-6 in probability (bench/tfjs-crosscheck.cjs). Its head has 5 classes, so top-1
 * is over 5 classes: an easier check than ImageNet's 1000. Its weights are already on 256
 * levels per tensor (the package stores them uint8, min + q * scale): per-channel symmetric
 * int8 does not reproduce that grid exactly (the zero point is not at the middle, and BN
 * folding rescales each channel), but it starts from fewer distinct values than a float
 * checkpoint would have.
 *
 * Measured over 64 synthetic natural-ish inputs (seed 1; FP32 top-1 by class index 3/0/52/9/0,
 * top1-top2 logit gap median 2.6, under 0.1 on 4 inputs), int8 weights with int8-dynamic
 * activations, top-1 / cosine mean / cosine min:
 *   plain                                                        98.4%  0.99444  0.944
 *   biasCorrection + keepFirstLayers 6 (the seeded model's options,
 *     calibrated on random-normal inputs)                        96.9%  0.99917  0.9949
 *   biasCorrection on 8 natural-ish images (seed 2) + keepFirstLayers 12
 *     (asserted below)                                           98.4%  0.99990  0.99945
 * Almost all of the plain error comes from the first depthwise conv (32 channels of 9 weights),
 * inside the first 6 layers; layers 7-12 add most of the rest. Random-normal calibration does
 * not look like [0, 1] images, so bias correction calibrated on images does better. The top-1
 * flips are inputs whose FP32 gap is under 0.1 logits: with 4 such near ties in 64 inputs, each
 * row above sits at 95-98% (one flip is 1.6%), and which ties flip moves with the kernel tier
 * (the JavaScript depthwise gave 96.9% / 0.99991 / 0.99963 for the asserted row).
 * More options and 128 inputs: `npm run build && node dist/bench/trained-mobilenet.js [--inputs 128]`.
 */
const g = trainedMobilenetV2({ batch: 1 });
const missing = 'missing' in g ? g.missing : undefined;
if (missing) console.log(`test/quant/trained-mobilenet.test.ts skipped: ${missing}`);

describe.skipIf(missing !== undefined)('trained MobileNetV2 1.0/224 (nsfwjs 4.4.0, 5 classes) int8 quality', () => {
  it('int8 + int8-dynamic, biasCorrection on 8 images, keepFirstLayers 12: top-1 agreement >= 95% and logit cosine >= 0.999 on each of 64 natural-ish inputs', async () => {
    if ('missing' in g) return;
    const inputs = naturalishInputs(64, 1);
    const ref = await logitsOf(g, inputs);
    // The inputs must not all land in one class with huge margins, or agreement means nothing.
    const hist = new Array(ref[0].length).fill(0);
    for (const l of ref) hist[argmax(l)]++;
    const gaps = margins(ref).sort((a, b) => a - b);
    console.log(`FP32 top-1 by class index: ${hist.join('/')}; top1-top2 logit gap: min ${gaps[0].toFixed(3)}, median ${gaps[32].toFixed(3)}`);
    expect(hist.filter((c) => c > 0).length, `FP32 classes hit: ${hist.join('/')}`).toBeGreaterThanOrEqual(2);
    expect(Math.max(...hist) / inputs.length, `FP32 classes hit: ${hist.join('/')}`).toBeLessThan(0.9);

    // Calibration images come from another seed than the evaluation inputs.
    const calibration = { feeds: naturalishInputs(8, 2).map((x) => ({ input: x })) };
    const q = quantize(g, { weights: 'int8', activations: 'int8-dynamic', biasCorrection: true, keepFirstLayers: 12, calibration });
    expect(q.weightBytes / g.weightBytes).toBeLessThanOrEqual(0.27);
    const a = agreement(ref, await logitsOf(q, inputs));
    console.log(`int8: top-1 ${(a.top1Agreement * 100).toFixed(1)}%, cosine mean ${a.cosineMean.toFixed(5)} min ${a.cosineMin.toFixed(5)}`);
    expect(a.top1Agreement).toBeGreaterThanOrEqual(0.95);
    expect(a.cosineMin).toBeGreaterThanOrEqual(0.999);
  }, 120_000);
});
