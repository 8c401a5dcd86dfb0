import { afterAll, describe, expect, it } from 'vitest';
import { models } from '../../src/models/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { WebGpuBackend } from '../../src/runtime/webgpu/backend.js';
import { acquireDevice } from '../../src/runtime/webgpu/device.js';
import { Tensor } from '../../src/tensor.js';
import { cosine, floats, ints, openGpu, relErr, REQUIRED, runBoth, singleNodeGraph } from './harness.js';

/**
 * precision 'f16': floats are stored as f16 on the GPU (inputs, weights, intermediates,
 * outputs), arithmetic and accumulation stay f32. The error this costs is measured against the
 * CPU (f32) backend and held to budgets: one rounding to f16 is a relative 2^-11 = 4.9e-4 per
 * value, so a single layer stays within a few 1e-3 of the largest output; through a whole model
 * the roundings compound with depth: budgets 1e-2 for the 2-layer DistilBERT and 2e-2 for the
 * 17-conv MobileNetV2 (measured on lavapipe: 1.3e-3 and 9.2e-3), cosine similarity >= 0.9999.
 */
const gpu = await openGpu('f16.test');
const hasF16 = !!gpu.handle?.f16;
afterAll(() => gpu.handle?.release());
if (gpu.handle && !hasF16) console.warn('[f16.test] the adapter has no shader-f16: f16 tests skipped');

if (REQUIRED && !gpu.handle) it('has a WebGPU adapter (REQUIRE_WEBGPU=1)', () => { throw new Error(`no WebGPU adapter: ${gpu.reason}`); });

async function modelErrors(g: Parameters<typeof InferenceSession.create>[0], feeds: Record<string, Tensor>) {
  const cpu = await InferenceSession.create(g);
  const opts = { backend: 'webgpu' as const, webgpu: { device: gpu.handle!.device } };
  const s32 = await InferenceSession.create(g, opts), s16 = await InferenceSession.create(g, { ...opts, precision: 'f16' });
  try {
    const [ref, o32, o16] = [await cpu.run(feeds), await s32.run(feeds), await s16.run(feeds)];
    const name = cpu.outputNames[0], r = ref[name].data as Float32Array;
    return { f32: relErr(o32[name].data as Float32Array, r), f16: relErr(o16[name].data as Float32Array, r), cos16: cosine(o16[name].data as Float32Array, r) };
  } finally {
    s32.dispose(); s16.dispose();
  }
}

describe.skipIf(!hasF16)('precision f16 (shader-f16)', () => {
  it('is used when asked for and the device has shader-f16', async () => {
    const b = await WebGpuBackend.create({ device: gpu.handle!.device, precision: 'f16' });
    expect(b.precision).toBe('f16');
    expect(b.env.f16).toBe(true);
    b.dispose();
  });

  it('MatMul and LayerNorm stay within the single-layer budget (5e-3 of the largest value)', async () => {
    const b = await WebGpuBackend.create({ device: gpu.handle!.device, precision: 'f16' });
    try {
      for (const [M, K, N] of [[17, 64, 33], [64, 256, 64]]) {
        const inputs = [{ tensor: floats([M, K]) }, { tensor: floats([K, N]), constant: true }];
        const { cpu, gpu: out } = await runBoth(b, singleNodeGraph('MatMul', inputs), inputs);
        const e = relErr(out[0].data as Float32Array, cpu[0].data as Float32Array);
        expect(e, `MatMul ${M}x${K}x${N}`).toBeLessThan(5e-3);
        expect(e, 'f16 rounding must be visible (else f16 was not used)').toBeGreaterThan(1e-5);
      }
      const ln = [{ tensor: floats([8, 96], 5, -2, 3) }, { tensor: floats([96], 6), constant: true }, { tensor: floats([96], 7), constant: true }];
      const { cpu, gpu: out } = await runBoth(b, singleNodeGraph('LayerNormalization', ln, { epsilon: 1e-5 }), ln);
      expect(relErr(out[0].data as Float32Array, cpu[0].data as Float32Array)).toBeLessThan(5e-3);
    } finally {
      b.dispose();
    }
  });

  it('whole models stay within their budgets (f32 on the same device: within 1e-3)', { timeout: 240_000 }, async () => {
    const mb = models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 3 });
    const m = await modelErrors(mb, { [mb.inputs[0].name]: floats([1, 3, 32, 32], 8) });
    const db = models.distilbert({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 64, seed: 5 });
    const d = await modelErrors(db, { input_ids: ints('int64', [1, 9], 0, 99, 9), attention_mask: new Tensor('int64', [1, 9], new BigInt64Array(9).fill(1n)) });
    console.log(`[f16.test] max |err| / max |ref|: MobileNetV2 f32 ${m.f32.toExponential(2)} f16 ${m.f16.toExponential(2)}; DistilBERT f32 ${d.f32.toExponential(2)} f16 ${d.f16.toExponential(2)}`);
    for (const [e, budget] of [[m, 2e-2], [d, 1e-2]] as const) {
      expect(e.f32).toBeLessThanOrEqual(1e-3);
      expect(e.f16).toBeLessThanOrEqual(budget);
      expect(e.f16).toBeGreaterThan(e.f32);
      expect(e.cos16).toBeGreaterThanOrEqual(0.9999);
    }
  });
});

describe.skipIf(!gpu.handle)('precision f16 without shader-f16', () => {
  it('computes in f32 and says so in the debug log', async () => {
    const plain = await acquireDevice({ f16: false });
    const lines: string[] = [];
    try {
      const b = await WebGpuBackend.create({ device: plain.device, precision: 'f16', debug: (l) => lines.push(l) });
      expect(b.precision).toBe('f32');
      expect(lines.some((l) => /no shader-f16/.test(l))).toBe(true);
      b.dispose();
    } finally {
      plain.release();
    }
  });
});
