import { afterAll, describe, expect, it } from 'vitest';
import { models } from '../../src/models/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { floats, ints, openGpu, relErr, REQUIRED } from './harness.js';

/**
 * Both models at reduced size, WebGPU vs the CPU backend on the same optimized graph:
 * max |gpu - cpu| / max |cpu| <= 1e-3 on every output, and no node falls back to the CPU.
 */
const gpu = await openGpu('models.test');
afterAll(() => gpu.handle?.release());

if (REQUIRED && !gpu.handle) it('has a WebGPU adapter (REQUIRE_WEBGPU=1)', () => { throw new Error(`no WebGPU adapter: ${gpu.reason}`); });

async function compare(g: Parameters<typeof InferenceSession.create>[0], feeds: Record<string, Tensor>, precision: 'f32' | 'f16' = 'f32'): Promise<{ err: number; fallbacks: string[] }> {
  const lines: string[] = [];
  const cpu = await InferenceSession.create(g);
  const web = await InferenceSession.create(g, { backend: 'webgpu', precision, webgpu: { device: gpu.handle!.device }, debug: (l) => lines.push(l) });
  try {
    const [a, b] = [await cpu.run(feeds), await web.run(feeds)];
    let err = 0;
    for (const name of cpu.outputNames) {
      expect(b[name].shape).toEqual(a[name].shape);
      err = Math.max(err, relErr(b[name].data as Float32Array, a[name].data as Float32Array));
    }
    return { err, fallbacks: lines.filter((l) => l.includes('falls back to CPU')) };
  } finally {
    web.dispose();
  }
}

describe.skipIf(!gpu.handle)('models on WebGPU vs CPU', () => {
  it('MobileNetV2 (width 0.35, 48x48, batch 2)', { timeout: 240_000 }, async () => {
    const g = models.mobilenetV2({ width: 0.35, resolution: 48, classes: 10, seed: 3 });
    const { err, fallbacks } = await compare(g, { [g.inputs[0].name]: floats([2, 3, 48, 48], 7) });
    expect(fallbacks).toEqual([]);
    expect(err).toBeLessThanOrEqual(1e-3);
  });

  it('DistilBERT (2 layers, hidden 32, 4 heads, ffn 64, vocab 100) with a padding mask', { timeout: 240_000 }, async () => {
    const g = models.distilbert({ layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 64, seed: 5 });
    const seq = 11;
    const mask = new Tensor('int64', [2, seq], Array.from({ length: 2 * seq }, (_, i) => BigInt(i % seq < (i < seq ? seq : 7) ? 1 : 0)));
    const { err, fallbacks } = await compare(g, { input_ids: ints('int64', [2, seq], 0, 99, 9), attention_mask: mask });
    expect(fallbacks).toEqual([]);
    expect(err).toBeLessThanOrEqual(1e-3);
  });
});
