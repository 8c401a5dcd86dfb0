import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor, type Graph } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { buildDistilbert, distilbertWeightSpecs, resolveDistilbertConfig } from '../../src/models/distilbert.js';
import { expectClose } from '../util/numerics.js';

const SMALL = { layers: 2, hidden: 32, heads: 4, ffn: 64, vocab: 100, maxPositions: 16 } as const;

const ids = (rows: number[][]) => new Tensor('int64', [rows.length, rows[0].length], rows.flat().map(BigInt));
const f32 = (t: Tensor) => Array.from(t.data as Float32Array);

async function run(g: Graph, idRows: number[][], maskRows: number[][]): Promise<Record<string, Tensor>> {
  const s = await InferenceSession.create(g, { backend: 'cpu' });
  try {
    return await s.run({ input_ids: ids(idRows), attention_mask: ids(maskRows) });
  } finally {
    s.dispose();
  }
}

/**
 * DistilBERT written out in float64 from the weights by name (HF semantics: masked_fill with
 * -FLT_MAX, erf GELU, LayerNorm eps 1e-12), independent of the graph: what the graph must compute.
 */
function reference(g: Graph, cfg: typeof SMALL, idRows: number[][], maskRows: number[][]): number[][][] {
  const w = (n: string) => (g.initializers.get(n) as Tensor).data as Float32Array;
  const { hidden: h, heads, ffn } = cfg, dh = h / heads;
  const linear = (x: number[], p: string, inF: number, outF: number) => {
    const W = w(`${p}.weight.T`), b = w(`${p}.bias`);
    return Array.from({ length: outF }, (_, o) => { let s = b[o]; for (let i = 0; i < inF; i++) s += x[i] * W[i * outF + o]; return s; });
  };
  const ln = (x: number[], p: string) => {
    const mu = x.reduce((a, v) => a + v, 0) / x.length, va = x.reduce((a, v) => a + (v - mu) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mu) / Math.sqrt(va + 1e-12)) * w(`${p}.weight`)[i] + w(`${p}.bias`)[i]);
  };
  const erf = (x: number) => { // Abramowitz-Stegun 7.1.26, |error| < 1.5e-7
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  };
  return idRows.map((row, bi) => {
    let x = row.map((id, s) => ln(Array.from({ length: h }, (_, i) => w('embeddings.word_embeddings.weight')[id * h + i] + w('embeddings.position_embeddings.weight')[s * h + i]), 'embeddings.LayerNorm'));
    for (let l = 0; l < cfg.layers; l++) {
      const p = `transformer.layer.${l}`;
      const q = x.map((t) => linear(t, `${p}.attention.q_lin`, h, h)), k = x.map((t) => linear(t, `${p}.attention.k_lin`, h, h)), v = x.map((t) => linear(t, `${p}.attention.v_lin`, h, h));
      const ctx = x.map((_, i) => {
        const out = new Array<number>(h).fill(0);
        for (let hd = 0; hd < heads; hd++) {
          const sc = k.map((kj, j) => (maskRows[bi][j] === 0 ? -3.4028234663852886e38 : q[i].slice(hd * dh, (hd + 1) * dh).reduce((a, qv, d) => a + qv * kj[hd * dh + d], 0) / Math.sqrt(dh)));
          const m = Math.max(...sc), e = sc.map((s) => Math.exp(s - m)), z = e.reduce((a, b) => a + b, 0);
          e.forEach((ej, j) => { for (let d = 0; d < dh; d++) out[hd * dh + d] += (ej / z) * v[j][hd * dh + d]; });
        }
        return out;
      });
      x = x.map((t, i) => ln(linear(ctx[i], `${p}.attention.out_lin`, h, h).map((a, d) => a + t[d]), `${p}.sa_layer_norm`));
      x = x.map((t) => {
        const hid = linear(t, `${p}.ffn.lin1`, h, ffn).map((a) => 0.5 * a * (1 + erf(a / Math.SQRT2)));
        return ln(linear(hid, `${p}.ffn.lin2`, ffn, h).map((a, d) => a + t[d]), `${p}.output_layer_norm`);
      });
    }
    return x;
  });
}

describe('distilbert builder', () => {
  const g = models.distilbert({ ...SMALL, seed: 1 });

  it('has int64 input_ids and attention_mask [batch, sequence] and last_hidden_state [batch, sequence, hidden]', () => {
    expect(g.inputs).toEqual([
      { name: 'input_ids', dtype: 'int64', shape: ['batch', 'sequence'] },
      { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'sequence'] },
    ]);
    expect(g.outputs).toEqual([{ name: 'last_hidden_state', dtype: 'float32', shape: ['batch', 'sequence', 32] }]);
    // Exported form: erf GELU, not the Gelu op; LayerNormalization; only standard ONNX ops.
    expect(g.nodes.some((n) => n.op === 'Gelu')).toBe(false);
    expect(g.nodes.filter((n) => n.op === 'Erf')).toHaveLength(2);
    expect(g.nodes.filter((n) => n.op === 'LayerNormalization')).toHaveLength(1 + 2 * 2);
    expect(g.nodes.every((n) => !n.domain)).toBe(true);
  });

  it('computes DistilBERT: matches a float64 reference written from the weights, with padding', async () => {
    const idRows = [[1, 5, 9, 42, 7, 2], [1, 99, 3, 2, 0, 0]], maskRows = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]];
    const out = (await run(g, idRows, maskRows)).last_hidden_state;
    expect(out.shape).toEqual([2, 6, 32]);
    expectClose(f32(out), reference(g, SMALL, idRows, maskRows).flat(2), { idRows, maskRows }, { atol: 1e-4, rtol: 1e-4, k: 64 });
  });

  it('works for any sequence length up to maxPositions and any batch on one graph', async () => {
    const s = await InferenceSession.create(g);
    for (const [b, len] of [[1, 1], [3, 5], [2, 16]]) {
      const rows = Array.from({ length: b }, (_, i) => Array.from({ length: len }, (_, j) => (i * 31 + j * 7) % 100));
      const out = (await s.run({ input_ids: ids(rows), attention_mask: ids(rows.map((r) => r.map(() => 1))) })).last_hidden_state;
      expect(out.shape).toEqual([b, len, 32]);
      expect(f32(out).every(Number.isFinite)).toBe(true);
    }
    // Longer than the position table: refused at run time rather than read out of bounds.
    const long = Array.from({ length: 17 }, (_, j) => j);
    await expect(s.run({ input_ids: ids([long]), attention_mask: ids([long.map(() => 1)]) })).rejects.toThrow(/embeddings.add.*cannot be broadcast/);
  });

  it('attention mask masks: a padded token id does not change the other tokens (but a real one does)', async () => {
    const mask = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]];
    const a = f32((await run(g, [[1, 5, 9, 42, 0, 0], [3, 4, 5, 6, 7, 8]], mask)).last_hidden_state);
    const b = f32((await run(g, [[1, 5, 9, 42, 77, 13], [3, 4, 5, 6, 7, 8]], mask)).last_hidden_state);
    const c = f32((await run(g, [[1, 5, 9, 42, 0, 0], [3, 4, 5, 6, 7, 9]], mask)).last_hidden_state);
    const unpadded = (x: number[]) => [...x.slice(0, 4 * 32), ...x.slice(6 * 32)];
    expect(unpadded(b)).toEqual(unpadded(a)); // exactly: masked keys get probability 0
    expect(b.slice(4 * 32, 6 * 32)).not.toEqual(a.slice(4 * 32, 6 * 32)); // the padded rows themselves change
    expect(c.slice(6 * 32, 10 * 32)).not.toEqual(a.slice(6 * 32, 10 * 32)); // unmasked tokens do attend to the changed one
    expect(c.slice(0, 6 * 32)).toEqual(a.slice(0, 6 * 32)); // and batch rows are independent
  });

  it('classification head: logits [batch, labels] from the first token', async () => {
    const gc = models.distilbert({ ...SMALL, seed: 1, classifier: { labels: 3 } });
    expect(gc.outputs).toEqual([{ name: 'logits', dtype: 'float32', shape: ['batch', 3] }]);
    const idRows = [[1, 5, 9, 2], [1, 7, 2, 0]], maskRows = [[1, 1, 1, 1], [1, 1, 1, 0]];
    const logits = (await run(gc, idRows, maskRows)).logits;
    expect(logits.shape).toEqual([2, 3]);
    const w = (n: string) => (gc.initializers.get(n) as Tensor).data as Float32Array;
    const expected = reference(gc, SMALL, idRows, maskRows).flatMap(([cls]) => {
      const pre = Array.from({ length: 32 }, (_, o) => Math.max(0, cls.reduce((a, v, i) => a + v * w('pre_classifier.weight')[o * 32 + i], w('pre_classifier.bias')[o])));
      return Array.from({ length: 3 }, (_, o) => pre.reduce((a, v, i) => a + v * w('classifier.weight')[o * 32 + i], w('classifier.bias')[o]));
    });
    expectClose(f32(logits), expected, { idRows }, { atol: 1e-4, rtol: 1e-4, k: 32 });
  });

  it('is deterministic: same seed, identical weights; another seed, different ones; weights shared across configs by name', () => {
    const again = models.distilbert({ ...SMALL, seed: 1 }), other = models.distilbert({ ...SMALL, seed: 2 });
    const deeper = models.distilbert({ ...SMALL, layers: 3, seed: 1 });
    for (const [name, t] of g.initializers) {
      const data = (t as Tensor).data as Float32Array;
      expect(((again.initializers.get(name) as Tensor).data as Float32Array)).toEqual(data);
      expect(((other.initializers.get(name) as Tensor).data as Float32Array).some((v, i) => v !== data[i]), name).toBe(true);
      expect(((deeper.initializers.get(name) as Tensor).data as Float32Array)).toEqual(data);
    }
  });

  it('fixed batch and sequence dims, and a config that cannot work is refused up front', () => {
    const fixed = models.distilbert({ ...SMALL, batch: 2, sequence: 8 });
    expect(fixed.inputs[0].shape).toEqual([2, 8]);
    expect(fixed.outputs[0].shape).toEqual([2, 8, 32]);
    expect(() => models.distilbert({ ...SMALL, heads: 5 })).toThrow(/hidden \(32\) must be divisible by heads \(5\)/);
    expect(() => models.distilbert({ ...SMALL, sequence: 17 })).toThrow(/sequence 17 is longer than maxPositions 16/);
    expect(() => models.distilbert({ ...SMALL, layers: 0 })).toThrow(/option 'layers' must be a positive integer, got 0/);
    expect(() => models.distilbert({ ...SMALL, classifier: { labels: 0 } })).toThrow(/'classifier.labels' must be a positive integer/);
  });

  it('distilbert-base has 66,362,880 parameters without the head (counted on the full graph, zero weights)', () => {
    const cfg = resolveDistilbertConfig({});
    expect(distilbertWeightSpecs(cfg).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0)).toBe(66_362_880);
    // Zero-filled weights cost no time to make: the graph builder is checked at full size without seeding 66M values.
    const full = buildDistilbert(cfg, (s) => new Tensor('float32', s.shape));
    expect(full.parameterCount).toBe(66_362_880);
    expect(full.weightBytes).toBe(66_362_880 * 4);
    expect(models.learnableParameterCount(full)).toBe(66_362_880);
    const head = buildDistilbert(resolveDistilbertConfig({ classifier: { labels: 2 } }), (s) => new Tensor('float32', s.shape));
    expect(head.parameterCount).toBe(66_362_880 + 768 * 768 + 768 + 2 * 768 + 2);
  });
});
