import { Graph, type Initializer, type Node } from '../graph/graph.js';
import { Tensor } from '../tensor.js';
import { Int8Weight } from './formats/int8.js';
import { Int4Weight } from './formats/int4.js';
import { activationOf, baseAttrs, emitActivation, emitFused, type Emitter } from './onnx-activation.js';

const LOWERED = new Set(['QMatMul', 'QConv', 'QGather', 'FusedConv', 'FusedGemm', 'FusedMatMul']);

/**
 * Rewrites a quantized graph into standard ONNX before serialization (saveOnnx calls this), so
 * onnxruntime runs the file and the weights stay quantized in it:
 *
 *   QMatMul int8, float inputs  DequantizeLinear(W int8 [K, N], scales [N], axis 1) -> MatMul
 *   QMatMul int8, int8 inputs   DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W int8, A_zp)
 *                               -> Cast -> Mul(A_scale) -> Mul(scales)   (onnxruntime's dynamic pattern)
 *   QMatMul int4                com.microsoft MatMulNBits (B = the quants as stored, scales as
 *                               float32; accuracy_level 4 for int8 inputs)
 *   QConv int8, float inputs    DequantizeLinear(W int8, scales [M], axis 0) -> Conv
 *   QConv int8, int8 inputs     DynamicQuantizeLinear(X) -> ConvInteger -> Cast -> Mul -> Mul
 *   QConv int4                  Conv on the dequantized float32 weights (standard ONNX below
 *                               opset 21 has no group-wise DequantizeLinear)
 *   QGather int8                DequantizeLinear(table int8, scales [V], axis 0) -> Gather
 *   QGather int4                Gather from the dequantized float32 table
 *   bias, activation            Add and the activation's ops (see onnx-activation.ts)
 *
 * Tessera's int8-input ops quantize each row symmetrically, DynamicQuantizeLinear the whole
 * tensor asymmetrically: the two runtimes agree to quantization error, not bit for bit. Fused*
 * nodes are lowered the same way. A graph without such nodes is returned as it is.
 */
export function toStandardOnnx(graph: Graph): Graph {
  if (!graph.nodes.some((n) => LOWERED.has(n.op) && n.domain === 'tessera')) return graph;
  const inits = new Map<string, Initializer>(graph.initializers);
  const names = new Set<string>([...inits.keys(), ...graph.inputs.map((v) => v.name), ...graph.nodes.flatMap((n) => [n.name, ...n.outputs])]);
  const fresh = (stem: string) => { let s = stem; for (let i = 1; names.has(s); i++) s = `${stem}_${i}`; names.add(s); return s; };
  const nodes: Node[] = [];
  let owner = '';
  const e: Emitter = {
    opset: graph.opset,
    node(op, inputs, attrs = {}, domain) {
      const out = fresh(`${owner}/${op}`);
      nodes.push({ name: out, op, ...(domain ? { domain } : {}), inputs, outputs: [out], attrs });
      return out;
    },
    multi(op, inputs, count) {
      const outs = Array.from({ length: count }, (_, i) => fresh(`${owner}/${op}:${i}`));
      nodes.push({ name: fresh(`${owner}/${op}`), op, inputs, outputs: outs, attrs: {} });
      return outs;
    },
    constant(stem, t) { const n = fresh(`${owner}/${stem}`); inits.set(n, t); return n; },
  };
  const made = new Map<string, string>(); // the standard tensors of a packed weight, made once per key
  const once = (key: string, make: () => Tensor) => {
    let name = made.get(key);
    if (!name) { name = fresh(key); made.set(key, name); inits.set(name, make()); }
    return name;
  };
  for (const n of graph.nodes) {
    if (!LOWERED.has(n.op) || n.domain !== 'tessera') { nodes.push(n); continue; }
    owner = n.name;
    const y = n.op.startsWith('Fused') ? emitFused(e, n) : lowerQuantized(e, n, inits.get(n.op === 'QGather' ? n.inputs[0] : n.inputs[1]), once);
    // The last emitted node takes over the original output name.
    const last = nodes[nodes.length - 1];
    if (last.outputs[0] !== y) throw new Error(`internal: lowering '${n.name}' did not end with its output`);
    last.outputs = [n.outputs[0]];
  }
  const used = new Set(nodes.flatMap((n) => n.inputs).concat(graph.outputs.map((o) => o.name)));
  for (const k of [...inits.keys()]) if (!used.has(k)) inits.delete(k);
  return new Graph({ name: graph.name, inputs: graph.inputs, outputs: graph.outputs, nodes, initializers: inits, opset: graph.opset, metadata: graph.metadata });
}

type Once = (key: string, make: () => Tensor) => string;

function lowerQuantized(e: Emitter, n: Node, w: Initializer | undefined, once: Once): string {
  if (!(w instanceof Int8Weight) && !(w instanceof Int4Weight)) throw new Error(`node '${n.name}' (${n.op}): its weight is not an int8/int4 packed weight`);
  const wn = n.inputs[n.op === 'QGather' ? 0 : 1], int8In = n.attrs.input_quant === 'int8';
  const [act, params] = activationOf(n);
  const scales = () => once(`${wn}.scales`, () => new Tensor('float32', [w.rows], (w as Int8Weight).scales));
  const int8Dense = () => once(`${wn}.q`, () => int8Tensor(w as Int8Weight));
  const floatDense = () => once(`${wn}.dequantized`, () => w.dequantize());
  const withBias = (y: string, bias: string | undefined, shape?: number[]) => {
    if (!bias) return y;
    return e.node('Add', [y, shape ? e.node('Reshape', [bias, e.constant('shape', new Tensor('int64', [shape.length], shape))]) : bias]);
  };
  if (n.op === 'QGather') {
    const table = w instanceof Int8Weight ? e.node('DequantizeLinear', [int8Dense(), scales()], { axis: 0 }) : floatDense();
    return e.node('Gather', [table, n.inputs[1]], { axis: 0 });
  }
  if (n.op === 'QMatMul') {
    const [a, , bias] = n.inputs;
    let y: string;
    if (w instanceof Int4Weight) {
      const s = once(`${wn}.scales`, () => new Tensor('float32', [w.rows * w.blocks], w.scalesFloat32()));
      const b = once(`${wn}.blocks`, () => new Tensor('uint8', [w.rows, w.blocks, w.groupSize / 2], w.quants));
      y = e.node('MatMulNBits', [a, b, s], { K: w.depth, N: w.rows, bits: 4, block_size: w.groupSize, ...(int8In ? { accuracy_level: 4 } : {}) }, 'com.microsoft');
    } else if (int8In) {
      const q = dynamicQuantize(e, a);
      y = e.node('Mul', [e.node('Mul', [e.node('Cast', [e.node('MatMulInteger', [q.q, int8Dense(), q.zp])], { to: 1 }), q.scale]), scales()]);
    } else y = e.node('MatMul', [a, e.node('DequantizeLinear', [int8Dense(), scales()], { axis: 1 })]);
    return emitActivation(e, withBias(y, bias || undefined), act, params);
  }
  // QConv
  const [x, , bias] = n.inputs, attrs = baseAttrs(n), rank = w.shape.length, perChannel = [1, w.rows, ...new Array<number>(rank - 2).fill(1)];
  let y: string;
  if (w instanceof Int8Weight && int8In) {
    const q = dynamicQuantize(e, x);
    const acc = e.node('Cast', [e.node('ConvInteger', [q.q, int8Dense(), q.zp], attrs)], { to: 1 });
    const s = once(`${wn}.scales.channels`, () => new Tensor('float32', perChannel, (w as Int8Weight).scales));
    y = withBias(e.node('Mul', [e.node('Mul', [acc, q.scale]), s]), bias || undefined, perChannel);
  } else {
    const wf = w instanceof Int8Weight ? e.node('DequantizeLinear', [int8Dense(), scales()], { axis: 0 }) : floatDense();
    y = e.node('Conv', [x, wf, ...(bias ? [bias] : [])], attrs);
  }
  return emitActivation(e, y, act, params);
}

function dynamicQuantize(e: Emitter, x: string): { q: string; scale: string; zp: string } {
  const [q, scale, zp] = e.multi('DynamicQuantizeLinear', [x], 3);
  return { q, scale, zp };
}

/** The int8 quants in the dense layout (a MatMul B is [K, N]: the stored rows transposed). */
function int8Tensor(w: Int8Weight): Tensor {
  const out = new Int8Array(w.rows * w.depth);
  for (let c = 0; c < w.rows; c++) for (let k = 0; k < w.depth; k++) out[w.axis === 0 ? c * w.depth + k : k * w.rows + c] = w.quants[c * w.stride + k];
  return new Tensor('int8', w.shape, out);
}
