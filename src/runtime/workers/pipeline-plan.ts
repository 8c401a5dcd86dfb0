import { Graph, GraphError, type Initializer, type Node, type ValueInfo } from '../../graph/graph.js';
import { analyze } from '../../graph/analyze.js';
import { inferTypes } from '../../graph/infer.js';
import { toKernelData, toPublicData, type KernelData } from '../../dtype.js';
import { isPacked } from '../../graph/graph.js';
import { Tensor } from '../../tensor.js';
import type { Dim, ValueType } from '../../ops/types.js';
import { evaluateOnCpu } from '../cpu/evaluate.js';

/** One pipeline stage: a subgraph, the values it takes from earlier stages, what it hands on. */
export interface Stage {
  graph: Graph;
  /** Estimated multiply-adds (plus one per output element for the other ops). */
  cost: number;
}

export interface PipelinePlan {
  stages: Stage[];
  /** Graph outputs known without running anything (shape arithmetic): name -> value. */
  constantOutputs: Map<string, Tensor>;
}

/**
 * Splits a graph into `count` pipeline stages for concrete input shapes (one micro-batch):
 * nodes in topological order are cut into contiguous runs of about equal cost. Values the
 * shapes determine (Shape -> Gather -> Concat -> Reshape chains) are computed here and become
 * constants of the stages that use them, so no stage ever receives a shape from another.
 * Every value crossing a cut is an output of the stage that makes it and an input of each
 * later stage that reads it.
 */
export function splitStages(graph: Graph, count: number, inputShapes: ReadonlyMap<string, readonly Dim[]>): PipelinePlan {
  if (!Number.isInteger(count) || count < 1) throw new GraphError(`pipeline stages must be a positive integer, got ${count}`);
  const analysis = analyze(graph);
  const constants = new Map<string, KernelData>();
  for (const [name, w] of graph.initializers) if (!isPacked(w)) constants.set(name, toKernelData(w.dtype, (w as Tensor).data, true, `initializer '${name}'`));
  const types = inferTypes(graph, analysis, { inputShapes, evaluate: evaluateOnCpu, constants });
  const known = (v: string) => !!v && (graph.initializers.has(v) || !!types.get(v)?.value);
  const compute = analysis.order.map((pn) => pn.node).filter((n) => !n.outputs.every((o) => !o || types.get(o)?.value));
  const costs = compute.map((n) => nodeCost(n, types));

  // Cut where the running cost crosses k/count of the total; never leave a stage empty.
  const total = costs.reduce((a, b) => a + b, 0);
  const n = Math.min(count, Math.max(1, compute.length));
  const bounds: number[] = [0];
  let acc = 0;
  for (let i = 0; i < compute.length && bounds.length < n; i++) {
    acc += costs[i];
    const left = compute.length - (i + 1), need = n - bounds.length;
    if ((acc >= (total * bounds.length) / n && left >= need) || left === need) bounds.push(i + 1);
  }
  bounds.push(compute.length);

  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const stageOf = new Map<string, number>();
  compute.forEach((node, i) => {
    const s = bounds.findIndex((b, k) => k > 0 && i < b) - 1;
    for (const o of node.outputs) if (o) stageOf.set(o, s);
  });
  const info = (name: string): ValueInfo => {
    const t = types.get(name)!;
    return { name, dtype: t.dtype, shape: t.shape.slice() };
  };
  const stages: Stage[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const nodes = compute.slice(bounds[s], bounds[s + 1]);
    const made = new Set(nodes.flatMap((nd) => nd.outputs.filter(Boolean)));
    const inputs: string[] = [], inits = new Map<string, Initializer>();
    for (const nd of nodes) {
      for (const v of nd.inputs) {
        if (!v || made.has(v) || inputs.includes(v) || inits.has(v)) continue;
        if (graph.initializers.has(v)) inits.set(v, graph.initializers.get(v)!);
        else if (known(v)) inits.set(v, constantTensor(types.get(v)!));
        else inputs.push(v);
      }
    }
    // Later stages and the graph's outputs decide what this stage must hand on.
    const later = compute.slice(bounds[s + 1]).flatMap((nd) => nd.inputs);
    const outputs = [...made].filter((v) => outputNames.has(v) || later.includes(v));
    const sub = new Graph({
      name: `${graph.name}/stage${s}`, opset: graph.opset, metadata: graph.metadata,
      inputs: inputs.map(info), outputs: outputs.map(info), nodes: nodes.map((nd) => ({ ...nd })), initializers: inits,
    });
    stages.push({ graph: sub, cost: costs.slice(bounds[s], bounds[s + 1]).reduce((a, b) => a + b, 0) });
  }
  const constantOutputs = new Map<string, Tensor>();
  for (const o of graph.outputs) {
    if (stageOf.has(o.name) || inputShapes.has(o.name)) continue;
    const init = graph.initializers.get(o.name);
    constantOutputs.set(o.name, init && !isPacked(init) ? (init as Tensor) : constantTensor(types.get(o.name)!));
  }
  return { stages, constantOutputs };
}

function constantTensor(t: ValueType): Tensor {
  return new Tensor(t.dtype, t.shape as number[], toPublicData(t.dtype, t.value!) as never);
}

const size = (s: readonly Dim[]) => s.reduce<number>((a, b) => a * (typeof b === 'number' ? b : 1), 1);

/** Multiply-adds of the heavy ops; one unit per output element for the rest. */
function nodeCost(n: Node, types: Map<string, ValueType>): number {
  const out = types.get(n.outputs[0]);
  if (!out) return 0;
  const y = size(out.shape), op = n.op.replace(/^(Fused|Q|Sparse)/, '');
  const shapeOf = (i: number) => types.get(n.inputs[i])?.shape ?? [];
  if (op === 'Conv') return y * size(shapeOf(1).slice(1));
  if (op === 'Gemm') return y * (n.attrs.transA ? Number(shapeOf(0)[0]) : Number(shapeOf(0)[1]));
  if (op === 'MatMul') { const a = shapeOf(0); return y * Number(a[a.length - 1]); }
  return y;
}
