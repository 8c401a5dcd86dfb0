import { Graph, isPacked } from '../graph/graph.js';
import { analyze } from '../graph/analyze.js';
import { inferTypes } from '../graph/infer.js';
import type { ValueType } from '../ops/types.js';
import { compileCpuPlan } from '../runtime/cpu/plan.js';
import { CpuExecutor } from '../runtime/cpu/executor.js';
import { toKernelData, type KernelData } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/**
 * Runs the float graph on calibration feeds and hands `visit` the values named in `probe`
 * (layer inputs) with every value's type for that feed's shapes. Synchronous (the CPU executor
 * directly), so quantize() stays a plain function.
 */
export function runProbe(g: Graph, probe: readonly string[], feeds: readonly Record<string, Tensor>[], visit: (values: ReadonlyMap<string, Tensor>, types: ReadonlyMap<string, ValueType>) => void): void {
  const extra = [...new Set(probe)].filter((v) => !g.outputs.some((o) => o.name === v));
  const graph = new Graph({ ...g, outputs: [...g.outputs, ...extra.map((name) => ({ name, dtype: 'float32' as const, shape: [] }))], metadata: g.metadata });
  const analysis = analyze(graph);
  const constants = new Map<string, KernelData>();
  for (const [name, w] of graph.initializers) if (!isPacked(w)) constants.set(name, toKernelData(w.dtype, (w as Tensor).data, true));
  for (const feed of feeds) {
    const missing = graph.inputs.find((v) => !feed[v.name]);
    if (missing) throw new Error(`calibration feed is missing input '${missing.name}'`);
    const shapes = new Map(graph.inputs.map((v) => [v.name, feed[v.name].shape]));
    const types = inferTypes(graph, analysis, { inputShapes: shapes });
    const outs = new CpuExecutor(compileCpuPlan(graph, analysis, shapes, constants)).run(graph.inputs.map((v) => feed[v.name]));
    visit(new Map(graph.outputs.map((o, i) => [o.name, outs[i]])), types);
  }
}
