import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { InferenceSession, models, Tensor } from '../../src/index.js';
import { simdAvailable } from '../../kernels/cpu/sgemm-simd.js';
import { compileCpuPlan } from '../../src/runtime/cpu/plan.js';
import { CpuExecutor } from '../../src/runtime/cpu/executor.js';
import { analyze } from '../../src/graph/analyze.js';
import { tierName } from '../../kernels/cpu/tiers.js';
import { toKernelData, type KernelData } from '../../src/dtype.js';
import { randomFloats } from '../util/numerics.js';

/**
 * Sessions run their Conv/Gemm/MatMul products on the WebAssembly SIMD engine by default
 * (float32 accumulation) and in JavaScript with `simd: false` (float64 accumulation): the two
 * agree to float32 accumulation error, and a sample's outputs do not depend on its batch.
 */
const maxRel = (a: Float32Array, b: Float32Array) => {
  let scale = 0, err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
  return err / scale;
};

describe('the SIMD module', () => {
  it('is the one scripts/build-wasm.mjs assembles from its WebAssembly text (wabt)', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!simdAvailable())('the wasm-simd tier in sessions', () => {
  it('runs convnets and transformers like the JavaScript tier (to float32 accumulation error)', async () => {
    const cases = [
      { g: models.mobilenetV2({ width: 0.35, resolution: 64 }), feed: (n: string) => ({ [n]: new Tensor('float32', [2, 3, 64, 64], randomFloats(2 * 3 * 64 * 64, 5)) }) },
      { g: models.distilbert({ layers: 2, hidden: 64, heads: 4, ffn: 128, vocab: 50, maxPositions: 32, seed: 2 }), feed: (n: string) => ({ [n]: new Tensor('int64', [1, 24], BigInt64Array.from({ length: 24 }, (_, i) => BigInt((i * 7) % 50))), attention_mask: new Tensor('int64', [1, 24], new BigInt64Array(24).fill(1n)) }) },
    ];
    for (const { g, feed } of cases) {
      const f = feed(g.inputs[0].name);
      const fast = await InferenceSession.create(g, { threads: 1 }), slow = await InferenceSession.create(g, { threads: 1, simd: false });
      const a = Object.values(await fast.run(f))[0].data as Float32Array, b = Object.values(await slow.run(f))[0].data as Float32Array;
      expect(maxRel(a, b), g.name).toBeLessThan(1e-4);
      expect(Array.from(a)).not.toEqual(Array.from(b)); // different accumulation: the SIMD engine really ran
    }
  });

  it('gives a sample the same outputs alone and in a batch', async () => {
    const g = models.mobilenetV2({ width: 0.35, resolution: 64 }), name = g.inputs[0].name;
    const s = await InferenceSession.create(g, { threads: 1 });
    const batch = randomFloats(3 * 3 * 64 * 64, 9), one = batch.slice(3 * 64 * 64, 2 * 3 * 64 * 64);
    const all = Object.values(await s.run({ [name]: new Tensor('float32', [3, 3, 64, 64], batch) }))[0].data as Float32Array;
    const alone = Object.values(await s.run({ [name]: new Tensor('float32', [1, 3, 64, 64], one) }))[0].data as Float32Array;
    expect(Array.from(all.slice(alone.length, 2 * alone.length))).toEqual(Array.from(alone));
  });

  it('plans GEMMs and 3x3 depthwise convs on the wasm-simd tier only for a runner with the engine', () => {
    const g = models.mobilenetV2({ width: 0.35, resolution: 32 }), a = analyze(g);
    const constants = new Map<string, KernelData>();
    for (const [n, w] of g.initializers) constants.set(n, toKernelData((w as Tensor).dtype, (w as Tensor).data, true, n));
    const shapes = new Map([[g.inputs[0].name, [1, 3, 32, 32]]]);
    const plan = compileCpuPlan(g, a, shapes, constants, undefined, { tiers: ['wasm-simd'] });
    const tiers = new Set(plan.steps.filter((s) => s.pn.node.op === 'Conv').map((s) => tierName(s.prepared)));
    expect([...tiers]).toEqual(['wasm-simd']); // MobileNetV2's depthwise convs are all 3x3, stride 1 or 2
    expect(() => new CpuExecutor(plan)).toThrow(/wasm-simd tier, but the executor has no SIMD engine/);
    expect(compileCpuPlan(g, a, shapes, constants).steps.every((s) => tierName(s.prepared) === 'js')).toBe(true);
  });
});
