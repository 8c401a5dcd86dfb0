import { describe, expect, it } from 'vitest';
import { tiered, tierName, type TieredPlan } from '../../kernels/cpu/tiers.js';
import { cpuKernel, type KMeta, type KTensor, type PlanEnv } from '../../kernels/types.js';
import { CPU_KERNELS } from '../../kernels/cpu/index.js';
import { Conv } from '../../src/ops/conv.js';

/** A kernel that writes its tier's mark into output[0] and records the extra argument it got. */
function marking(mark: number, seen: unknown[]) {
  return cpuKernel<{ k: number }, { k: number; mark: number }>({
    prepare: (attrs) => ({ k: attrs.k, mark }),
    scratchBytes: (p) => p.mark * 16,
    run(_inputs, p, outputs, _scratch, ...rest: unknown[]) { (outputs[0].data as Float32Array)[0] = p.mark * 100 + p.k; seen.push(rest[0]); },
  });
}

const depthwiseAttrs = Conv.parse({ group: 8 } as never);
const meta = (cols: number): KMeta => ({ dtype: 'float32', shape: [2, cols] });
const out = (): KTensor => ({ dtype: 'float32', shape: [1], data: new Float32Array(1) });

describe('tiered kernels', () => {
  const seen: unknown[] = [];
  let simd = true;
  const k = tiered<{ k: number }>([
    { name: 'simd', available: () => simd, supports: (_a, inputs) => inputs[0].shape[1] % 4 === 0, kernel: marking(2, seen) },
    { name: 'js', kernel: marking(1, seen) },
  ]);

  const env = { tiers: ['simd'] };

  it('picks the first tier that the plan allows, is available and supports the node, once per plan', () => {
    const p = k.prepare!({ k: 7 }, [meta(8)], [meta(1)], env);
    expect(tierName(p)).toBe('simd');
    expect(k.scratchBytes!(p, [meta(8)], [meta(1)])).toBe(32);
    const y = out();
    (k.run as (...a: unknown[]) => void)([], p, [y], new Float32Array(0), 'pool');
    expect(y.data[0]).toBe(207);
    expect(seen.at(-1)).toBe('pool');
  });

  it('falls back to the last tier when a node is not supported or the tier is unavailable', () => {
    const odd = k.prepare!({ k: 3 }, [meta(6)], [meta(1)], env);
    expect(tierName(odd)).toBe('js');
    expect(tierName(k.prepare!({ k: 3 }, [meta(8)], [meta(1)]))).toBe('js'); // no env: the plan's runner has no engine for it
    expect(tierName(k.prepare!({ k: 3 }, [meta(8)], [meta(1)], { tiers: ['other'] }))).toBe('js');
    simd = false;
    const off = k.prepare!({ k: 3 }, [meta(8)], [meta(1)], env);
    expect(tierName(off)).toBe('js');
    const y = out();
    k.run([], off, [y], new Float32Array(0));
    expect(y.data[0]).toBe(103);
    expect(k.scratchBytes!(off, [meta(8)], [meta(1)])).toBe(16);
  });

  it('refuses an empty tier list', () => {
    expect(() => tiered([])).toThrow(/at least one tier/);
  });

  it('dispatches the GEMM-class CPU kernels (Conv, Gemm, MatMul and their fused forms) by tier', () => {
    const mm = (env?: PlanEnv) => tierName(CPU_KERNELS.MatMul.prepare!({} as never, [{ dtype: 'float32', shape: [4, 8] }, { dtype: 'float32', shape: [8, 3] }], [{ dtype: 'float32', shape: [4, 3] }], env) as TieredPlan<unknown>);
    expect(mm()).toBe('js');
    expect(mm({ tiers: ['wasm-simd'] })).toBe('wasm-simd');
    const dw = (k: number, out: number, env?: PlanEnv) => tierName(CPU_KERNELS.Conv.prepare!(depthwiseAttrs, [{ dtype: 'float32', shape: [1, 8, 6, 6] }, { dtype: 'float32', shape: [8, 1, k, k] }], [{ dtype: 'float32', shape: [1, 8, out, out] }], env) as TieredPlan<unknown>);
    expect(dw(5, 2, { tiers: ['wasm-simd'] })).toBe('js'); // a depthwise conv runs no GEMM: only the engine's 3x3 kernel takes one
    expect(dw(3, 4, { tiers: ['wasm-simd'] })).toBe('wasm-simd');
    for (const op of ['Conv', 'FusedConv', 'Gemm', 'FusedGemm', 'MatMul', 'FusedMatMul'] as const) expect(CPU_KERNELS[op]).toBe(op.endsWith('Conv') ? CPU_KERNELS.Conv : op.endsWith('Gemm') ? CPU_KERNELS.Gemm : CPU_KERNELS.MatMul);
  });
});
