import { Graph, isPacked, type Initializer, type Node, type PackedWeight, type ValueInfo } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import type { DType, TensorData } from '../../dtype.js';
import type { AttrValue } from '../../ops/types.js';
import { Int8Weight } from '../../quant/formats/int8.js';
import { Int4Weight } from '../../quant/formats/int4.js';
import { CsrWeight } from '../../sparse/formats/csr.js';
import { BsrWeight } from '../../sparse/formats/bsr.js';

/**
 * Graphs and tensors as plain structured-clone data, for postMessage to a Web Worker or a
 * worker_thread. Class instances lose their prototype in a structured clone, so tensors travel
 * as {dtype, shape, data} and packed weights as their own fields plus `format`, and are rebuilt
 * on the other side. Buffers are copied, never transferred: the caller's graph stays usable.
 */
export interface TensorMessage { dtype: DType; shape: number[]; data: TensorData }

type AttrMessage = Exclude<AttrValue, Tensor> | { tensor: TensorMessage };

export interface GraphMessage {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: (Omit<Node, 'attrs'> & { attrs: Record<string, AttrMessage> })[];
  initializers: [string, TensorMessage | { packed: string; fields: Record<string, unknown> }][];
  opset: number;
  metadata: Record<string, string>;
}

/** Packed formats a worker can rebuild; a new format is one line here. */
const PACKED: Record<string, object> = {
  int8: Int8Weight.prototype, int4: Int4Weight.prototype, csr: CsrWeight.prototype, bsr: BsrWeight.prototype,
};

export class TransferError extends Error {
  override name = 'TransferError';
}

/**
 * A structured clone of a typed array copies its whole ArrayBuffer, so a view into a larger
 * buffer (a row slice, a weight inside a loaded file) is cut out first.
 */
export function tensorToMessage(t: Tensor): TensorMessage {
  const d = t.data;
  return { dtype: t.dtype, shape: t.shape.slice(), data: d.byteLength === d.buffer.byteLength ? d : (d.slice() as TensorData) };
}

export function tensorFromMessage(m: TensorMessage): Tensor {
  return new Tensor(m.dtype, m.shape, m.data);
}

export function graphToMessage(g: Graph): GraphMessage {
  const initializers: GraphMessage['initializers'] = [];
  for (const [name, w] of g.initializers) {
    if (!isPacked(w)) { initializers.push([name, tensorToMessage(w)]); continue; }
    if (!(w.format in PACKED)) throw new TransferError(`initializer '${name}' is stored as '${w.format}', which cannot be sent to a worker (known packed formats: ${Object.keys(PACKED).join(', ')})`);
    initializers.push([name, { packed: w.format, fields: { ...(w as unknown as Record<string, unknown>) } }]);
  }
  return {
    name: g.name, inputs: g.inputs, outputs: g.outputs, opset: g.opset, metadata: g.metadata, initializers,
    nodes: g.nodes.map((n) => ({ ...n, attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, v instanceof Tensor ? { tensor: tensorToMessage(v) } : v])) })),
  };
}

export function graphFromMessage(m: GraphMessage): Graph {
  const initializers = new Map<string, Initializer>();
  for (const [name, w] of m.initializers) {
    if ('packed' in w) {
      const proto = PACKED[w.packed];
      if (!proto) throw new TransferError(`initializer '${name}': unknown packed format '${w.packed}'`);
      initializers.set(name, Object.assign(Object.create(proto) as PackedWeight, w.fields));
    } else initializers.set(name, tensorFromMessage(w));
  }
  const nodes: Node[] = m.nodes.map((n) => ({
    ...n,
    attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, isTensorAttr(v) ? tensorFromMessage(v.tensor) : v])),
  }));
  return new Graph({ name: m.name, inputs: m.inputs, outputs: m.outputs, nodes, initializers, opset: m.opset, metadata: m.metadata });
}

function isTensorAttr(v: AttrMessage): v is { tensor: TensorMessage } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'tensor' in v;
}

/** Buffers of a result that may be transferred (fresh, whole-buffer arrays only). */
export function transferables(tensors: readonly TensorMessage[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const d = t.data;
    if (d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) out.add(d.buffer);
  }
  return [...out];
}
