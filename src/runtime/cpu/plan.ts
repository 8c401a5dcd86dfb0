import type { Graph, PackedWeight } from '../../graph/graph.js';
import { isPacked } from '../../graph/graph.js';
import { GraphError } from '../../graph/graph.js';
import type { Analysis, ParsedNode } from '../../graph/analyze.js';
import { inferTypes, unusedOutput } from '../../graph/infer.js';
import { kernelBytes, type DType, type KernelData } from '../../dtype.js';
import type { Dim } from '../../ops/types.js';
import { isStatic, showShape } from '../../ops/dims.js';
import type { OpName } from '../../ops/index.js';
import { CPU_KERNELS } from '../../../kernels/cpu/index.js';
import type { CpuKernel, KMeta, PlanEnv } from '../../../kernels/types.js';
import { planArena } from '../arena.js';
import { evaluateOnCpu } from './evaluate.js';

export type ValueKind = 'input' | 'constant' | 'temp' | 'output';

export interface PlanValue {
  name: string;
  dtype: DType;
  shape: number[];
  size: number;
  kind: ValueKind;
  /** Constants (initializers and plan-time folded values). */
  data?: KernelData;
  /** A constant stored in a packed format (quantized or sparse weights). */
  packed?: PackedWeight;
  /** Arena byte offset, or -1 when the value lives outside the arena. */
  offset: number;
}

export interface PlanStep {
  pn: ParsedNode;
  kernel: CpuKernel<unknown, unknown>;
  prepared: unknown;
  inputs: number[];   // value index, -1 for a missing optional input
  outputs: number[];  // value index; an omitted ('') output still gets a temp slot
  scratchBytes: number;
  scratchOffset: number;
}

export interface CpuPlan {
  values: PlanValue[];
  steps: PlanStep[];
  inputs: number[];
  outputs: number[];
  arenaBytes: number;
  /** Sum of all intermediate (and scratch) buffers: what one buffer per value would take. */
  naiveBytes: number;
  /** Nodes folded away at plan time (all inputs known). */
  folded: number;
}

/**
 * Compile a plan for concrete input shapes: types, folding, kernels bound, arena placed.
 * `packedWeights` replaces the graph's packed weights by name (a session with threads passes copies in
 * shared memory); `env` lists the kernel tiers beyond JavaScript the plan may use (the runner
 * must then have their engines: CpuExecutor's `simd` for 'wasm-simd').
 */
export function compileCpuPlan(graph: Graph, analysis: Analysis, inputShapes: ReadonlyMap<string, readonly Dim[]>, constants: ReadonlyMap<string, KernelData>, packedWeights?: ReadonlyMap<string, PackedWeight>, env?: PlanEnv): CpuPlan {
  const types = inferTypes(graph, analysis, { inputShapes, evaluate: evaluateOnCpu, constants });
  const values: PlanValue[] = [];
  const index = new Map<string, number>();
  const add = (name: string, kind: ValueKind): number => {
    const t = types.get(name)!;
    if (!isStatic(t.shape)) {
      const producer = analysis.order.find((pn) => pn.node.outputs.includes(name));
      throw new GraphError(`could not determine the shape of '${name}' (got ${showShape(t.shape)}) from the input shapes`, producer?.node.name, producer?.node.op);
    }
    const data = kind === 'constant' ? constants.get(name) ?? t.value : undefined;
    const init = kind === 'constant' ? graph.initializers.get(name) : undefined;
    const packed = init && isPacked(init) ? packedWeights?.get(name) ?? init : undefined;
    values.push({ name, dtype: t.dtype, shape: t.shape, size: t.shape.reduce((a, b) => a * b, 1), kind, data, packed, offset: -1 });
    index.set(name, values.length - 1);
    return values.length - 1;
  };
  const graphInputs = graph.inputs.map((v) => add(v.name, 'input'));
  const outputNames = new Set(graph.outputs.map((o) => o.name));

  const steps: PlanStep[] = [];
  let folded = 0;
  for (const pn of analysis.order) {
    const outs = pn.node.outputs;
    if (outs.every((o) => !o || types.get(o)?.value)) { // known at plan time: becomes a constant
      for (const o of outs) if (o) add(o, 'constant');
      folded++;
      continue;
    }
    const inputs = pn.node.inputs.map((v) => (v ? index.get(v) ?? add(v, 'constant') : -1));
    const outputs = outs.map((o, k) => add(o || unusedOutput(pn.node.name, k), outputNames.has(o) ? 'output' : 'temp'));
    const kernel = CPU_KERNELS[pn.node.op as OpName] as CpuKernel<unknown, unknown>;
    const meta = (i: number): KMeta => (i < 0 ? { dtype: 'float32', shape: [] } : values[i]);
    const inMetas = inputs.map(meta), outMetas = outputs.map(meta);
    let prepared: unknown, scratchBytes: number;
    try {
      prepared = kernel.prepare ? kernel.prepare(pn.attrs, inMetas, outMetas, env) : pn.attrs;
      scratchBytes = kernel.scratchBytes?.(prepared, inMetas, outMetas) ?? 0;
    } catch (e) {
      throw new GraphError((e as Error).message, pn.node.name, pn.node.op);
    }
    steps.push({ pn, kernel, prepared, inputs, outputs, scratchBytes, scratchOffset: -1 });
  }
  for (const o of graph.outputs) if (!index.has(o.name)) add(o.name, 'constant');

  // Liveness: arena-resident values are temps, plus inputs/outputs whose dtype needs conversion
  // at the edge (int64 and float16 have a different public storage).
  const converts = (v: PlanValue) => v.dtype === 'int64' || v.dtype === 'float16';
  const life = new Map<number, { first: number; last: number }>();
  const touch = (v: number, s: number) => {
    const val = values[v];
    if (v < 0 || val.kind === 'constant' || ((val.kind === 'input' || val.kind === 'output') && !converts(val))) return;
    const l = life.get(v);
    if (!l) life.set(v, { first: val.kind === 'input' ? -1 : s, last: val.kind === 'output' ? steps.length : s });
    else { l.first = Math.min(l.first, s); l.last = Math.max(l.last, s); }
  };
  for (const v of graphInputs) touch(v, -1);
  steps.forEach((st, s) => { st.inputs.forEach((v) => touch(v, s)); st.outputs.forEach((v) => touch(v, s)); });
  const resident = [...life.keys()];
  const buffers = resident.map((v) => ({ bytes: values[v].size * kernelBytes(values[v].dtype), ...life.get(v)! }));
  const scratchSteps = steps.map((st, s) => [st, s] as const).filter(([st]) => st.scratchBytes > 0);
  for (const [st, s] of scratchSteps) buffers.push({ bytes: st.scratchBytes, first: s, last: s });
  const layout = planArena(buffers);
  resident.forEach((v, k) => { values[v].offset = layout.offsets[k]; });
  scratchSteps.forEach(([st], k) => { st.scratchOffset = layout.offsets[resident.length + k]; });

  return {
    values, steps, inputs: graphInputs, outputs: graph.outputs.map((o) => index.get(o.name)!),
    arenaBytes: layout.bytes, naiveBytes: layout.naiveBytes, folded,
  };
}
