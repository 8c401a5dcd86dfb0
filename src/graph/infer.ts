import type { Graph } from './graph.js';
import { GraphError, isPacked } from './graph.js';
import type { Analysis, ParsedNode } from './analyze.js';
import type { Dim, ValueType } from '../ops/types.js';
import { toKernelData, type KernelData } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { isStatic, showShape } from '../ops/dims.js';

/** Evaluates a node whose inputs are all known (plan-time constant folding). */
export type Evaluate = (pn: ParsedNode, inputs: readonly (ValueType | undefined)[], outputs: readonly ValueType[]) => KernelData[];

export interface InferOptions {
  /** Concrete shapes for graph inputs (overrides the declared, possibly symbolic, ones). */
  inputShapes?: ReadonlyMap<string, readonly Dim[]>;
  /** When given, nodes whose inputs are all known and whose outputs are small get evaluated. */
  evaluate?: Evaluate;
  /** Largest output (elements) worth evaluating at plan time. */
  foldLimit?: number;
  /** Kernel data of initializers, converted once by the caller (else converted here when small). */
  constants?: ReadonlyMap<string, KernelData>;
}

const VALUE_LIMIT = 1024;

/** Whole-graph type and shape inference; errors name the node and op. */
export function inferTypes(graph: Graph, analysis: Analysis, opts: InferOptions = {}): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const v of graph.inputs) {
    types.set(v.name, { dtype: v.dtype, shape: (opts.inputShapes?.get(v.name) ?? v.shape).slice() });
  }
  for (const [name, w] of graph.initializers) {
    if (types.has(name)) continue; // a graph input with a default initializer: the feed wins
    if (isPacked(w)) { types.set(name, { dtype: 'float32', shape: w.shape.slice() }); continue; }
    const t = w as Tensor;
    const known = opts.constants?.get(name) ?? (t.size <= VALUE_LIMIT ? toKernelData(t.dtype, t.data) : undefined);
    types.set(name, { dtype: t.dtype, shape: t.shape.slice(), ...(known ? { value: known } : {}) });
  }
  const limit = opts.foldLimit ?? 4096;
  for (const pn of analysis.order) {
    const { node } = pn;
    const ins = node.inputs.map((v) => (v ? types.get(v) : undefined));
    let outs = inferNode(pn, ins);
    if (opts.evaluate && outs.every((t) => !t.value) && ins.every((t, k) => !node.inputs[k] || t?.value) &&
        outs.every((t) => isStatic(t.shape) && t.shape.reduce((a, b) => a * b, 1) <= limit)) {
      const data = opts.evaluate(pn, ins, outs);
      outs = outs.map((t, k) => ({ ...t, value: data[k] }));
    }
    // An omitted optional output ('') still gets a slot, under a name no value can have.
    node.outputs.forEach((name, k) => { if (outs[k]) types.set(name || unusedOutput(node.name, k), outs[k]); });
  }
  for (const o of graph.outputs) {
    const t = types.get(o.name)!;
    if (o.dtype && t.dtype !== o.dtype) throw new GraphError(`graph output '${o.name}' is declared ${o.dtype} but computes ${t.dtype}`);
    if (o.shape?.length && o.shape.length !== t.shape.length) {
      throw new GraphError(`graph output '${o.name}' is declared with shape ${showShape(o.shape)} but computes ${showShape(t.shape)}`);
    }
  }
  return types;
}

/** The name under which an omitted ('') node output is typed and planned. */
/** One node's output types from its inputs'; a schema's complaint becomes a GraphError naming the node and op. */
export function inferNode(pn: ParsedNode, ins: (ValueType | undefined)[]): ValueType[] {
  try {
    return pn.schema.infer(ins, pn.attrs);
  } catch (e) {
    throw new GraphError((e as Error).message, pn.node.name, pn.node.op);
  }
}

export function unusedOutput(node: string, k: number): string { return `${node}:unused${k}`; }
