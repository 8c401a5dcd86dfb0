import type { DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import type { Dim, RawAttrs } from '../ops/types.js';

/** A graph input or output: name, element type and (possibly symbolic) shape. */
export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/** One op application. Missing optional inputs are ''. */
export interface Node {
  name: string;
  op: string;
  /** ONNX domain; '' (or absent) is ai.onnx. */
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs: RawAttrs;
}

/**
 * A weight stored in a packed format (quantized or sparse). It is not a Tensor: kernels that
 * accept it know its layout. `byteLength` counts every array it stores.
 */
export interface PackedWeight {
  readonly format: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** Dense float32 equivalent (for fallbacks, export and tests). */
  dequantize(): Tensor<'float32'>;
}

export type Initializer = Tensor | PackedWeight;

export function isPacked(w: Initializer): w is PackedWeight {
  return !(w instanceof Tensor);
}

export interface GraphInit {
  name?: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers?: Map<string, Initializer>;
  /** ai.onnx opset the graph was written against. */
  opset?: number;
  /** Free-form metadata (ONNX metadata_props, producer). */
  metadata?: Record<string, string>;
}

/** The IR: a plain, serializable description of a model. Passes return new graphs. */
export class Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers: Map<string, Initializer>;
  opset: number;
  metadata: Record<string, string>;

  constructor(init: GraphInit) {
    this.name = init.name ?? 'graph';
    this.inputs = init.inputs;
    this.outputs = init.outputs;
    this.nodes = init.nodes;
    this.initializers = init.initializers ?? new Map();
    this.opset = init.opset ?? 17;
    this.metadata = init.metadata ?? {};
  }

  /** Bytes of all constant weights as stored (packed formats at their packed size). */
  get weightBytes(): number {
    let n = 0;
    for (const w of this.initializers.values()) n += w instanceof Tensor ? w.data.byteLength : w.byteLength;
    return n;
  }

  /** Number of weight elements (parameters), counting packed weights by their dense shape. */
  get parameterCount(): number {
    let n = 0;
    for (const w of this.initializers.values()) n += w.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  /** A copy whose arrays and maps can be changed without touching this graph (tensors shared). */
  clone(): Graph {
    return new Graph({
      name: this.name,
      inputs: this.inputs.map((v) => ({ ...v, shape: v.shape.slice() })),
      outputs: this.outputs.map((v) => ({ ...v, shape: v.shape.slice() })),
      nodes: this.nodes.map((n) => ({ ...n, inputs: n.inputs.slice(), outputs: n.outputs.slice(), attrs: { ...n.attrs } })),
      initializers: new Map(this.initializers),
      opset: this.opset,
      metadata: { ...this.metadata },
    });
  }
}

/** A structural or typing problem in a graph; names the node and op when there is one. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(message: string, readonly node?: string, readonly op?: string) {
    super(node !== undefined ? `node '${node}' (${op}): ${message}` : message);
  }
}
