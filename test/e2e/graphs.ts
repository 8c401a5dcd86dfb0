import { GraphBuilder, Tensor, type Graph, type Value } from '../../src/index.js';
import { randomFloats } from '../util/numerics.js';

let seedCounter = 0;
const weight = (b: GraphBuilder, shape: number[], scale: number, name: string): Value =>
  b.constant(new Tensor('float32', shape, randomFloats(shape.reduce((x, y) => x * y, 1), 1000 + seedCounter++, -scale, scale)), name);

function bn(b: GraphBuilder, x: Value, c: number): Value {
  return b.batchNorm(x, weight(b, [c], 0.2, 'gamma'), weight(b, [c], 0.1, 'beta'), weight(b, [c], 0.1, 'mean'),
    b.constant(new Tensor('float32', [c], randomFloats(c, 77 + seedCounter++, 0.5, 1.5)), 'var'));
}

/** conv -> BN -> ReLU6 -> depthwise -> BN -> ReLU6 -> pointwise -> BN -> residual add -> maxpool -> GAP -> Gemm. */
export function smallConvnet(): Graph {
  seedCounter = 0;
  const b = new GraphBuilder('small-convnet');
  const x = b.input('image', 'float32', ['N', 3, 17, 17]);
  const c1 = b.clip(bn(b, b.conv(x, weight(b, [8, 3, 3, 3], 0.3, 'w1'), weight(b, [8], 0.1, 'b1'), { strides: [2, 2], pads: [1, 1, 1, 1] }), 8), 0, 6);
  const dw = b.clip(bn(b, b.conv(c1, weight(b, [8, 1, 3, 3], 0.4, 'dw'), undefined, { group: 8, pads: [1, 1, 1, 1] }), 8), 0, 6);
  const pw = bn(b, b.conv(dw, weight(b, [8, 8, 1, 1], 0.4, 'pw')), 8);
  const res = b.add(pw, c1);
  const pooled = b.maxPool(res, { kernel_shape: [2, 2], strides: [2, 2] });
  const gap = b.flatten(b.globalAveragePool(pooled), 1);
  b.output(b.gemm(gap, weight(b, [10, 8], 0.5, 'fc_w'), weight(b, [10], 0.1, 'fc_b'), { transB: 1 }), 'logits');
  return b.build();
}

/** Embedding Gather + positions, LayerNorm, masked 2-head self-attention, GELU FFN, residuals. */
export function transformerBlock(seq = 7, hidden = 16, heads = 2, vocab = 20): Graph {
  seedCounter = 0;
  const dh = hidden / heads;
  const b = new GraphBuilder('encoder-block');
  const ids = b.input('input_ids', 'int64', [1, seq]);
  const mask = b.input('attention_mask', 'int64', [1, seq]);
  const emb = b.add(b.gather(weight(b, [vocab, hidden], 1, 'word_emb'), ids), weight(b, [seq, hidden], 0.5, 'pos_emb'));
  const h = b.layerNorm(emb, weight(b, [hidden], 1, 'ln0_g'), weight(b, [hidden], 0.1, 'ln0_b'), { epsilon: 1e-12 });
  const proj = (v: Value, name: string) => b.add(b.matmul(v, weight(b, [hidden, hidden], 0.4, `${name}_w`)), weight(b, [hidden], 0.1, `${name}_b`));
  const split = (v: Value) => b.transpose(b.reshape(v, [0, 0, heads, dh]), [0, 2, 1, 3]);
  const q = split(proj(h, 'q')), k = split(proj(h, 'k')), v = split(proj(h, 'v'));
  const scores = b.div(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), b.float(Math.sqrt(dh)));
  const keep = b.cast(mask, 'float32');
  const bias = b.unsqueeze(b.mul(b.sub(b.float(1), keep), b.float(-1e9)), [1, 2]);
  const probs = b.softmax(b.add(scores, bias), -1);
  const ctx = b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [0, 0, hidden]);
  const attn = b.layerNorm(b.add(proj(ctx, 'o'), h), weight(b, [hidden], 1, 'ln1_g'), weight(b, [hidden], 0.1, 'ln1_b'), { epsilon: 1e-12 });
  const ff = b.add(b.matmul(b.gelu(proj(attn, 'ff1')), weight(b, [hidden, hidden], 0.4, 'ff2_w')), weight(b, [hidden], 0.1, 'ff2_b'));
  b.output(b.layerNorm(b.add(ff, attn), weight(b, [hidden], 1, 'ln2_g'), weight(b, [hidden], 0.1, 'ln2_b'), { epsilon: 1e-12 }), 'hidden');
  return b.build();
}
