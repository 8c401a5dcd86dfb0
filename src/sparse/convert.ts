import type { Node, PackedWeight } from '../graph/graph.js';
import type { RawAttrs } from '../ops/types.js';
import type { Rewriter } from '../graph/passes/pattern.js';
import { valueTypes } from '../graph/passes/pattern.js';
import { Tensor } from '../tensor.js';
import { CsrWeight } from './formats/csr.js';
import { BsrWeight } from './formats/bsr.js';
import { weightMatrix } from './formats/matrix.js';
import { DEFAULT_COST, layerCost, type LayerCost, type SparseCostModel, type SparseFormat } from './cost.js';

export interface SparsifyOptions {
  /** Layers whose weight sparsity (exact zeros) is below this stay dense whatever the cost model says. Default 0. */
  minSparsity?: number;
  /** 'auto' (default) lets the cost model pick CSR or BSR [1, 4]; 'csr' / 'bsr' force the format where sparse wins. */
  format?: 'auto' | SparseFormat;
  /** Override the calibrated cost model (see cost.ts). */
  cost?: Partial<SparseCostModel>;
  /** Called for every candidate layer with what was decided (for reports). */
  onDecision?: (d: SparsifyDecision) => void;
}

export interface SparsifyDecision {
  node: string;
  op: string;
  weight: string;
  sparsity: number;
  cost: LayerCost;
  chosen: SparseFormat | 'dense';
  /** Bytes of the weight dense and as chosen. */
  denseBytes: number;
  bytes: number;
}

/** A layer the sparse kernels can run: its dense weight as rows (outputs) x depth (K). */
interface Candidate { weight: string; w: Tensor; axis: 0 | 1; scale: number; op: 'SparseMatMul' | 'SparseConv'; inputs: (c: string) => string[]; attrs: RawAttrs }

const ACT_KEYS = ['activation', 'activation_params'];

/**
 * Rewrites every MatMul / Gemm / pointwise Conv (plain or fused) whose constant weight is
 * sparse enough that the cost model prices a sparse kernel below the dense one into
 * SparseMatMul / SparseConv with a CSR or BSR weight, keeping its bias and fused activation.
 */
export function sparsifyNodes(rw: Rewriter, opts: SparsifyOptions = {}): void {
  const model = { ...DEFAULT_COST, ...opts.cost }, min = opts.minSparsity ?? 0, format = opts.format ?? 'auto';
  const types = valueTypes(rw.graph), packed = new Map<string, string>();
  for (const n of rw.nodes()) {
    const x = types.get(n.inputs[0]);
    if (!x || x.dtype !== 'float32' || rw.constant(n.inputs[0])) continue;
    const cand = candidate(rw, n);
    if (!cand) continue;
    const m = weightMatrix(cand.w.shape, cand.axis, cand.weight), data = cand.w.data as Float32Array;
    const cost = layerCost(data, m, model), size = m.rows * m.depth, sparsity = size ? 1 - cost.nnz / size : 0;
    let chosen: SparseFormat | 'dense' = cost.best;
    if (chosen !== 'dense' && format !== 'auto') chosen = format;
    if (sparsity < min || size === 0) chosen = 'dense';
    let bytes = cand.w.data.byteLength;
    if (chosen !== 'dense') {
      const key = `${cand.weight}|${cand.axis}|${cand.scale}|${chosen}|${cand.op}`;
      let name = packed.get(key);
      if (!name) {
        const w = packWeight(cand, chosen);
        name = rw.fresh(`${cand.weight}.${chosen}`);
        rw.graph.initializers.set(name, w);
        packed.set(key, name);
      }
      bytes = (rw.graph.initializers.get(name) as PackedWeight).byteLength;
      rw.replace([n], [{ name: n.name, op: cand.op, domain: 'tessera', inputs: cand.inputs(name), outputs: [n.outputs[0]], attrs: cand.attrs }]);
    }
    opts.onDecision?.({ node: n.name, op: n.op, weight: cand.weight, sparsity, cost, chosen, denseBytes: cand.w.data.byteLength, bytes });
  }
}

function candidate(rw: Rewriter, n: Node): Candidate | undefined {
  const weight = n.inputs[1], w = rw.constant(weight);
  if (!w || w.dtype !== 'float32') return undefined;
  const act: RawAttrs = {};
  for (const k of ACT_KEYS) if (n.attrs[k] !== undefined) act[k] = n.attrs[k];
  const x = n.inputs[0];
  if ((n.op === 'MatMul' || n.op === 'FusedMatMul') && w.rank === 2) {
    const bias = n.op === 'FusedMatMul' ? n.inputs[2] : '';
    return { weight, w, axis: 1, scale: 1, op: 'SparseMatMul', inputs: (p) => (bias ? [x, p, bias] : [x, p]), attrs: act };
  }
  if ((n.op === 'Gemm' || n.op === 'FusedGemm') && w.rank === 2 && n.attrs.transA !== 1) {
    const alpha = (n.attrs.alpha as number | undefined) ?? 1, beta = (n.attrs.beta as number | undefined) ?? 1, axis = n.attrs.transB === 1 ? 0 : 1;
    const N = w.shape[axis], bias = n.inputs[2] ? rowBias(rw, n.inputs[2], N, beta) : new Float32Array(0);
    if (!bias || alpha === 0) return undefined;
    const inputs = (p: string) => (bias.length ? [x, p, rw.addInitializer(`${n.name}.bias`, new Tensor('float32', [N], bias))] : [x, p]);
    return { weight, w, axis, scale: alpha, op: 'SparseMatMul', inputs, attrs: act };
  }
  if ((n.op === 'Conv' || n.op === 'FusedConv') && isPointwise(n, w)) {
    const bias = n.inputs[2];
    return { weight, w, axis: 0, scale: 1, op: 'SparseConv', inputs: (p) => (bias ? [x, p, bias] : [x, p]), attrs: act };
  }
  return undefined;
}

/** beta * C as one value per output, when C is a constant that does not vary along the rows. */
function rowBias(rw: Rewriter, c: string, N: number, beta: number): Float32Array | undefined {
  const t = rw.constant(c), v = rw.floatValues(c);
  if (!t || !v || t.rank > 2 || (t.rank === 2 && t.shape[0] !== 1)) return undefined;
  const last = t.rank === 0 ? 1 : t.shape[t.rank - 1];
  if (last !== N && last !== 1) return undefined;
  return Float32Array.from({ length: N }, (_, j) => beta * v[last === 1 ? 0 : j]);
}

/** 1x1 kernel, stride 1, no padding, group 1: a matrix product per image. */
function isPointwise(n: Node, w: Tensor): boolean {
  const a = n.attrs, ones = (v: unknown) => v === undefined || (v as number[]).every((d) => d === 1);
  const zeros = (v: unknown) => v === undefined || (v as number[]).every((d) => d === 0);
  return w.rank >= 3 && w.shape.slice(2).every((d) => d === 1) && ((a.group as number | undefined) ?? 1) === 1 &&
    ones(a.strides) && zeros(a.pads) && (a.auto_pad === undefined || a.auto_pad === 'NOTSET' || a.auto_pad === 'VALID' || a.auto_pad === 'SAME_UPPER' || a.auto_pad === 'SAME_LOWER');
}

/** The packed weight under the shape the sparse op reads: [K, N] for SparseMatMul, the conv shape for SparseConv. */
function packWeight(c: Candidate, format: SparseFormat): PackedWeight {
  let t = c.w;
  if (c.scale !== 1) t = new Tensor('float32', t.shape, (t.data as Float32Array).map((v) => v * c.scale));
  const p = format === 'csr' ? CsrWeight.fromDense(t, c.axis, c.weight) : BsrWeight.fromDense(t, c.axis, [1, 4], c.weight);
  if (c.op === 'SparseConv' || c.axis === 1) return p;
  // A transB Gemm weight [N, K]: the same rows (outputs) under the [K, N] shape SparseMatMul reads.
  const shape = [t.shape[1], t.shape[0]];
  return p instanceof CsrWeight ? new CsrWeight(shape, 1, p.rowPtr, p.colIndex, p.values) : new BsrWeight(shape, 1, (p as BsrWeight).block, (p as BsrWeight).rowPtr, (p as BsrWeight).colIndex, (p as BsrWeight).values);
}
