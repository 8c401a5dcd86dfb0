import { f16ToF32 } from '../dtype.js';
import { Tensor } from '../tensor.js';

/**
 * Turning model outputs into answers: class probabilities and top-k for classifiers,
 * masked mean pooling and L2 normalisation for sentence embeddings. Computed in float64,
 * returned as float32 tensors or plain numbers.
 */

export class PostprocessError extends Error {
  override name = 'PostprocessError';
}

export interface TopKEntry {
  index: number;
  label?: string;
  /** Softmax probability (or the raw value when `softmax: false`). */
  score: number;
}

/** Values of a float tensor as numbers (float16 half bits decoded). */
function values(t: Tensor | ArrayLike<number>, what: string): ArrayLike<number> {
  if (!(t instanceof Tensor)) {
    if (t === null || typeof t !== 'object' || typeof (t as ArrayLike<number>).length !== 'number') throw new PostprocessError(`${what}: expected a Tensor or an array of numbers`);
    return t;
  }
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') return Array.from(t.data as Uint16Array, f16ToF32);
  return t.toArray();
}

/** Numerically stable softmax of one row of logits. */
export function softmax(logits: Tensor | ArrayLike<number>): Float32Array {
  const x = values(logits, 'softmax');
  const out = new Float32Array(x.length);
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  // All -Infinity (or empty): no finite maximum to subtract; every class is equally impossible.
  if (max === -Infinity) return out.fill(x.length ? NaN : 0);
  let sum = 0;
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) sum += e[i] = Math.exp(x[i] - max);
  for (let i = 0; i < x.length; i++) out[i] = e[i] / sum;
  return out;
}

/**
 * The k highest-scoring classes of one row ([C] or [1, C]), best first; ties keep the
 * lower index first. Scores are softmax probabilities unless `softmax: false`.
 */
export function topK(logits: Tensor | ArrayLike<number>, k: number, labels?: readonly string[], opts: { softmax?: boolean } = {}): TopKEntry[] {
  if (logits instanceof Tensor && !(logits.rank === 1 || (logits.rank === 2 && logits.shape[0] === 1))) {
    throw new PostprocessError(`topK: expected logits of shape [C] or [1, C], got [${logits.shape.join(', ')}]; use topKBatch for a batch`);
  }
  const row = values(logits, 'topK');
  if (!Number.isInteger(k) || k < 1 || k > row.length) throw new PostprocessError(`topK: k must be an integer in [1, ${row.length}], got ${k}`);
  if (labels !== undefined && labels.length !== row.length) throw new PostprocessError(`topK: ${labels.length} labels for ${row.length} classes`);
  const scores = opts.softmax === false ? Float64Array.from(row) : softmax(row);
  const order = Array.from({ length: row.length }, (_, i) => i);
  // NaN sorts last so it never displaces a real score.
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  order.sort((a, b) => key(b) - key(a) || a - b);
  return order.slice(0, k).map((index) => (labels ? { index, label: labels[index], score: scores[index] } : { index, score: scores[index] }));
}

/** topK for every row of [B, C] logits. */
export function topKBatch(logits: Tensor, k: number, labels?: readonly string[], opts: { softmax?: boolean } = {}): TopKEntry[][] {
  if (!(logits instanceof Tensor) || logits.rank !== 2) throw new PostprocessError(`topKBatch: expected a [B, C] tensor, got ${logits instanceof Tensor ? `[${logits.shape.join(', ')}]` : typeof logits}`);
  const [b, c] = logits.shape;
  const all = values(logits, 'topKBatch');
  return Array.from({ length: b }, (_, i) => topK(Array.prototype.slice.call(all, i * c, (i + 1) * c) as number[], k, labels, opts));
}

/**
 * Masked mean over the sequence axis: hidden [B, S, H], mask [B, S] (any numeric or bool
 * dtype; non-zero = real token) -> [B, H]. A row whose mask is all zero pools to zeros.
 */
export function meanPool(hidden: Tensor, mask?: Tensor): Tensor<'float32'> {
  if (!(hidden instanceof Tensor) || hidden.rank !== 3) throw new PostprocessError(`meanPool: hidden state must be a [batch, seq, hidden] tensor, got ${hidden instanceof Tensor ? `[${hidden.shape.join(', ')}]` : typeof hidden}`);
  const [b, s, h] = hidden.shape;
  if (mask !== undefined && (!(mask instanceof Tensor) || mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== s)) {
    throw new PostprocessError(`meanPool: attention mask must be [${b}, ${s}] to match hidden [${b}, ${s}, ${h}], got ${mask instanceof Tensor ? `[${mask.shape.join(', ')}]` : typeof mask}`);
  }
  const x = values(hidden, 'meanPool');
  const m = mask === undefined ? undefined : mask.toArray();
  const out = new Float32Array(b * h);
  const acc = new Float64Array(h);
  for (let i = 0; i < b; i++) {
    acc.fill(0);
    let count = 0;
    for (let j = 0; j < s; j++) {
      const w = m === undefined ? 1 : m[i * s + j];
      if (w === 0) continue;
      count += w;
      const base = (i * s + j) * h;
      for (let k = 0; k < h; k++) acc[k] += w * x[base + k];
    }
    // sentence-transformers clamps the count at 1e-9: an empty row gives zeros, not NaN.
    const inv = 1 / Math.max(count, 1e-9);
    for (let k = 0; k < h; k++) out[i * h + k] = acc[k] * inv;
  }
  return new Tensor('float32', [b, h], out);
}

/** Divides each vector along the last axis by its L2 norm (floored at 1e-12, like torch's F.normalize). */
export function l2Normalize(t: Tensor): Tensor<'float32'> {
  if (!(t instanceof Tensor) || t.rank < 1) throw new PostprocessError('l2Normalize: expected a tensor of rank >= 1');
  const x = values(t, 'l2Normalize');
  const h = t.shape[t.rank - 1], rows = h === 0 ? 0 : x.length / h;
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let k = 0; k < h; k++) ss += x[r * h + k] * x[r * h + k];
    const inv = 1 / Math.max(Math.sqrt(ss), 1e-12);
    for (let k = 0; k < h; k++) out[r * h + k] = x[r * h + k] * inv;
  }
  return new Tensor('float32', t.shape, out);
}

/** Sentence embedding from a transformer's last hidden state: masked mean pool, then L2 normalise. */
export function sentenceEmbedding(hidden: Tensor, mask?: Tensor): Tensor<'float32'> {
  return l2Normalize(meanPool(hidden, mask));
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosineSimilarity(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  const x = values(a, 'cosineSimilarity'), y = values(b, 'cosineSimilarity');
  if (x.length !== y.length) throw new PostprocessError(`cosineSimilarity: vectors have ${x.length} and ${y.length} elements`);
  let dot = 0, nx = 0, ny = 0;
  for (let i = 0; i < x.length; i++) { dot += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i]; }
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
}
