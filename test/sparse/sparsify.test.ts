import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { prune, sparsify, CsrWeight, type SparsifyDecision } from '../../src/sparse/index.js';
import { expectClose, randomFloats } from '../util/numerics.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** MatMul + bias + Relu, Gemm (transB, alpha, beta, C [1, N]), pointwise Conv + BN + ReLU6, a 3x3 conv. */
function mixed(): Graph {
  const b = new GraphBuilder('mixed');
  const w = (shape: number[], name: string, k: number, lo = -1) => b.constant(new Tensor('float32', shape, randomFloats(size(shape), k, lo, 1)), name);
  const x = b.input('x', 'float32', ['B', 40]);
  const h = b.relu(b.add(b.matmul(x, w([40, 48], 'mm_w', 1)), w([48], 'mm_b', 2)));
  b.output(b.gemm(h, w([24, 48], 'fc_w', 3), w([1, 24], 'fc_c', 4), { transB: 1, alpha: 0.5, beta: 2 }), 'y');
  const img = b.input('img', 'float32', [1, 32, 6, 6]);
  const c = b.conv(img, w([64, 32, 1, 1], 'pw_w', 5), w([64], 'pw_b', 6));
  const bn = b.batchNorm(c, w([64], 'g', 7, 0.5), w([64], 'be', 8), w([64], 'mu', 9), w([64], 'var', 10, 0.5));
  b.output(b.conv(b.clip(bn, 0, 6), w([8, 64, 3, 3], 'c3_w', 11), undefined, { pads: [1, 1, 1, 1] }), 'z');
  return b.build();
}

const feeds = () => ({ x: new Tensor('float32', [3, 40], randomFloats(120, 21)), img: new Tensor('float32', [1, 32, 6, 6], randomFloats(1152, 22)) });

async function outputs(g: Graph, optimize: boolean | { disable: string[] } = true): Promise<Record<string, Tensor>> {
  return (await InferenceSession.create(g, { optimize })).run(feeds());
}

describe('sparsify', () => {
  it('turns pruned MatMul, Gemm and pointwise Conv into sparse ops with their epilogues; results match the dense pruned graph', async () => {
    const p = prune(mixed(), { sparsity: 0.9 }), decisions: SparsifyDecision[] = [];
    const s = sparsify(p, { onDecision: (d) => decisions.push(d) });
    const ops = s.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === 'SparseMatMul')).toHaveLength(2);
    expect(ops.filter((o) => o === 'SparseConv')).toHaveLength(1);
    expect(ops).toContain('Conv'); // 3x3: no sparse kernel
    expect(s.nodes.find((n) => n.name.startsWith('matmul') || n.op === 'SparseMatMul')!.attrs.activation).toBe('Relu');
    expect(s.nodes.find((n) => n.op === 'SparseConv')!.attrs).toEqual({ activation: 'Clip', activation_params: [0, 6] });
    expect(decisions.map((d) => [d.op, d.chosen !== 'dense'])).toEqual([['FusedMatMul', true], ['Gemm', true], ['FusedConv', true]]);
    for (const d of decisions) expect(d.sparsity).toBeCloseTo(0.9, 2);
    const bytes = decisions.reduce((n, d) => n + d.bytes, 0), denseBytes = decisions.reduce((n, d) => n + d.denseBytes, 0);
    expect(bytes).toBeLessThan(0.2 * denseBytes);
    expect(s.weightBytes).toBeLessThan(p.weightBytes - 0.75 * denseBytes);
    const want = await outputs(p, { disable: ['sparsify'] }), got = await outputs(s);
    for (const k of ['y', 'z']) expectClose(got[k].data as Float32Array, want[k].data as Float32Array, k, { k: 64 });
  });

  it('InferenceSession sparsifies pruned weights by itself; dense weights stay dense', async () => {
    const dense = await InferenceSession.create(mixed());
    expect(dense.graph.nodes.some((n) => n.op.startsWith('Sparse'))).toBe(false);
    const p = prune(mixed(), { sparsity: 0.95, pattern: 'block' });
    const s = await InferenceSession.create(p);
    expect(s.graph.nodes.filter((n) => n.op.startsWith('Sparse'))).toHaveLength(3);
    // Block pruning runs as CSR: on the default (SIMD) tier a CSR nonzero costs less than a quarter of a JavaScript BSR block (cost.ts).
    expect([...s.graph.initializers.values()].some((w) => w instanceof CsrWeight)).toBe(true);
    const want = await outputs(p, { disable: ['sparsify'] }), got = await s.run(feeds());
    for (const k of ['y', 'z']) expectClose(got[k].data as Float32Array, want[k].data as Float32Array, k, { k: 64 });
  });

  it('below break-even (or minSparsity) layers stay dense; format can be forced', () => {
    const light = sparsify(prune(mixed(), { sparsity: 0.2 }));
    expect(light.nodes.some((n) => n.op.startsWith('Sparse'))).toBe(false);
    const floor = sparsify(prune(mixed(), { sparsity: 0.9 }), { minSparsity: 0.95 });
    expect(floor.nodes.some((n) => n.op.startsWith('Sparse'))).toBe(false);
    const csr = sparsify(prune(mixed(), { sparsity: 0.9, pattern: 'block' }), { format: 'csr' });
    const packed = [...csr.initializers.values()].filter((w) => !(w instanceof Tensor));
    expect(packed.length).toBe(3);
    expect(packed.every((w) => w instanceof CsrWeight)).toBe(true);
    expect(() => sparsify(mixed(), { minSparsity: 2 })).toThrow(/option 'minSparsity' must be a number in \[0, 1\], got 2/);
    expect(() => sparsify(mixed(), { format: 'coo' as never })).toThrow(/option 'format' must be 'auto', 'csr' or 'bsr'/);
  });

  it('MobileNetV2 pruned to 90%: the session output matches the dense kernels on the same weights', async () => {
    const g = prune(models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 4 }), { sparsity: 0.9 });
    const s = await InferenceSession.create(g);
    const pointwise = s.graph.nodes.filter((n) => n.op === 'SparseConv').length;
    expect(pointwise).toBeGreaterThanOrEqual(30);
    const x = { input: new Tensor('float32', [2, 3, 32, 32], randomFloats(6144, 8, -1.7, 1.7)) };
    const got = (await s.run(x)).logits.data as Float32Array;
    const want = (await (await InferenceSession.create(g, { optimize: { disable: ['sparsify'] } })).run(x)).logits.data as Float32Array;
    expectClose(got, want, 'mobilenetV2 90%', { k: 1000, atol: 1e-4, rtol: 1e-3 });
  });
});
