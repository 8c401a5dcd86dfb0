import type { Graph, PackedWeight } from '../../graph/graph.js';
import { GraphError, isPacked } from '../../graph/graph.js';
import type { Analysis, ParsedNode } from '../../graph/analyze.js';
import { inferTypes, unusedOutput } from '../../graph/infer.js';
import type { DType, KernelData } from '../../dtype.js';
import type { Dim } from '../../ops/types.js';
import { isStatic, showShape } from '../../ops/dims.js';
import type { OpName } from '../../ops/index.js';
import { CPU_KERNELS } from '../../../kernels/cpu/index.js';
import type { CpuKernel, KMeta } from '../../../kernels/types.js';
import { lowerNode } from '../../../kernels/webgpu/index.js';
import { isUnsupported, type Dispatch, type GpuEnv } from '../../../kernels/webgpu/types.js';
import { evaluateOnCpu } from '../cpu/evaluate.js';
import { gpuBytes } from './transfer.js';

export type ValueKind = 'input' | 'constant' | 'temp' | 'output';

export interface GpuPlanValue {
  name: string;
  dtype: DType;
  shape: number[];
  size: number;
  kind: ValueKind;
  data?: KernelData;
  packed?: PackedWeight;
  /** A graph initializer (uploaded once per session), as opposed to a value folded for this plan. */
  initializer: boolean;
  /** The value whose bytes this one is (itself, or the input of a no-copy Reshape/Flatten/...). */
  root: number;
  /** Pool slot holding the root on the GPU; -1 when it has none (constants, host-only values). */
  slot: number;
}

export interface GpuStep {
  kind: 'gpu';
  pn: ParsedNode;
  inputs: number[];
  outputs: number[];
  dispatches: Dispatch[];
  /** Pool slot per scratch buffer of the lowering. */
  scratch: number[];
}

export interface CpuStep {
  kind: 'cpu';
  pn: ParsedNode;
  inputs: number[];
  outputs: number[];
  kernel: CpuKernel<unknown, unknown>;
  prepared: unknown;
  scratchBytes: number;
  reason: string;
  /** Roots read back from the GPU before the node runs; roots written to the GPU after. */
  download: number[];
  upload: number[];
}

export interface WebGpuPlan {
  values: GpuPlanValue[];
  steps: (GpuStep | CpuStep)[];
  inputs: number[];
  outputs: number[];
  /** Graph inputs written to the GPU at the start of a run. */
  uploadInputs: number[];
  /** Output roots read back at the end of a run (the others are on the host already). */
  downloadOutputs: number[];
  /** Byte size of each pool slot (intermediates share slots when their lifetimes do not overlap). */
  slotBytes: number[];
  /** Bytes of all slots, and what one buffer per intermediate would take. */
  arenaBytes: number;
  naiveBytes: number;
  folded: number;
  /** Gather indices fed straight from a graph input: checked on the host before anything runs. */
  indexChecks: { value: number; size: number; node: string }[];
}

/** Plan a graph for the GPU at concrete input shapes: types, folding, lowering, CPU fallbacks, slots. */
export function compileWebGpuPlan(graph: Graph, analysis: Analysis, inputShapes: ReadonlyMap<string, readonly Dim[]>, constants: ReadonlyMap<string, KernelData>, env: GpuEnv): WebGpuPlan {
  const types = inferTypes(graph, analysis, { inputShapes, evaluate: evaluateOnCpu, constants });
  const values: GpuPlanValue[] = [];
  const index = new Map<string, number>();
  const add = (name: string, kind: ValueKind): number => {
    const t = types.get(name)!;
    if (!isStatic(t.shape)) {
      const producer = analysis.order.find((pn) => pn.node.outputs.includes(name));
      throw new GraphError(`could not determine the shape of '${name}' (got ${showShape(t.shape)}) from the input shapes`, producer?.node.name, producer?.node.op);
    }
    const init = kind === 'constant' ? graph.initializers.get(name) : undefined;
    const packed = init && isPacked(init) ? init : undefined;
    const data = kind === 'constant' ? constants.get(name) ?? t.value : undefined;
    const v = values.length;
    values.push({ name, dtype: t.dtype, shape: t.shape, size: t.shape.reduce((a, b) => a * b, 1), kind, data, packed, initializer: !!init, root: v, slot: -1 });
    index.set(name, v);
    return v;
  };
  const inputs = graph.inputs.map((v) => add(v.name, 'input'));
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const steps: (GpuStep | CpuStep)[] = [];
  const scratchSizes: number[][] = [];
  const indexChecks: WebGpuPlan['indexChecks'] = [];
  let folded = 0;

  for (const pn of analysis.order) {
    const outs = pn.node.outputs;
    if (outs.every((o) => !o || types.get(o)?.value)) {
      for (const o of outs) if (o) add(o, 'constant');
      folded++;
      continue;
    }
    const ins = pn.node.inputs.map((v) => (v ? index.get(v) ?? add(v, 'constant') : -1));
    const outIdx = outs.map((o, k) => add(o || unusedOutput(pn.node.name, k), outputNames.has(o) ? 'output' : 'temp'));
    const meta = (i: number): KMeta => values[i];
    const inMetas = ins.map((i) => (i < 0 ? undefined : meta(i)));
    const outMetas = outIdx.map((i, k) => (outs[k] ? meta(i) : undefined));
    let lowering;
    try {
      lowering = lowerNode(pn.node.op, pn.attrs, inMetas, outMetas, env);
    } catch (e) {
      throw new GraphError(`WebGPU lowering failed: ${(e as Error).message}`, pn.node.name, pn.node.op);
    }
    if (!isUnsupported(lowering) && 'dispatches' in lowering) {
      // A packed weight has no dense bytes to bind: only a kernel that reads its arrays (as `data`) can use it.
      const packedRef = lowering.dispatches.some((d) => d.bindings.some((b) => 'input' in b && values[ins[b.input]]?.packed));
      if (packedRef) lowering = { unsupported: 'a packed (quantized or sparse) weight input has no WGSL kernel' };
    }
    if (!isUnsupported(lowering) && 'alias' in lowering) {
      values[outIdx[0]].root = values[ins[lowering.alias]].root;
      continue;
    }
    if (isUnsupported(lowering)) {
      steps.push(cpuStep(pn, ins, outIdx, lowering.unsupported, values));
      scratchSizes.push([]);
      continue;
    }
    if ((pn.node.op === 'Gather' || pn.node.op === 'QGather') && values[ins[1]].kind === 'input') indexChecks.push({ value: ins[1], size: values[ins[0]].shape[normAxis(pn, values[ins[0]].shape.length)], node: pn.node.name });
    steps.push({ kind: 'gpu', pn, inputs: ins, outputs: outIdx, dispatches: lowering.dispatches, scratch: [] });
    scratchSizes.push(lowering.scratchBytes ?? []);
  }
  for (const o of graph.outputs) if (!index.has(o.name)) add(o.name, 'constant');
  const outputs = graph.outputs.map((o) => index.get(o.name)!);
  return { ...placeSlots(values, steps, scratchSizes, inputs, outputs, env), values, steps, inputs, outputs, folded, indexChecks };
}

function normAxis(pn: ParsedNode, rank: number): number {
  const axis = (pn.attrs as { axis: number }).axis;
  return axis < 0 ? axis + rank : axis;
}

function cpuStep(pn: ParsedNode, inputs: number[], outputs: number[], reason: string, values: GpuPlanValue[]): CpuStep {
  const kernel = CPU_KERNELS[pn.node.op as OpName] as CpuKernel<unknown, unknown>;
  const meta = (i: number): KMeta => (i < 0 ? { dtype: 'float32', shape: [] } : values[i]);
  const inMetas = inputs.map(meta), outMetas = outputs.map(meta);
  try {
    const prepared = kernel.prepare ? kernel.prepare(pn.attrs, inMetas, outMetas) : pn.attrs;
    const scratchBytes = kernel.scratchBytes?.(prepared, inMetas, outMetas) ?? 0;
    return { kind: 'cpu', pn, inputs, outputs, kernel, prepared, scratchBytes, reason, download: [], upload: [] };
  } catch (e) {
    throw new GraphError((e as Error).message, pn.node.name, pn.node.op);
  }
}

/**
 * Decide where every root lives (host, GPU or both), which transfers each CPU fallback needs,
 * and give GPU-resident intermediates pool slots: greedy in step order, a slot is reused once
 * the last reader of its previous occupant has run (never by the same node's outputs).
 */
function placeSlots(values: GpuPlanValue[], steps: (GpuStep | CpuStep)[], scratchSizes: number[][], inputs: number[], outputs: number[], env: GpuEnv) {
  const root = (v: number) => values[v].root;
  const onGpu = new Set<number>(), onHost = new Set<number>();
  const first = new Map<number, number>(), last = new Map<number, number>();
  const use = (r: number, s: number) => { last.set(r, Math.max(last.get(r) ?? s, s)); };
  for (const v of values) if (v.kind === 'constant') onHost.add(v.root);
  for (const v of inputs) { onHost.add(root(v)); }
  const cpuProduced = new Map<number, CpuStep>();
  steps.forEach((st, s) => {
    if (st.kind === 'gpu') {
      for (const i of st.inputs) {
        if (i < 0) continue;
        const r = root(i);
        if (values[r].kind === 'constant') continue;
        if (!onGpu.has(r)) {
          onGpu.add(r);
          const producer = cpuProduced.get(r);
          if (producer) producer.upload.push(r), first.set(r, steps.indexOf(producer)); else first.set(r, -1);
        }
        use(r, s);
      }
      for (const o of st.outputs) { const r = root(o); onGpu.add(r); first.set(r, s); use(r, s); }
    } else {
      for (const i of st.inputs) {
        if (i < 0) continue;
        const r = root(i);
        if (onHost.has(r)) continue;
        st.download.push(r);
        onHost.add(r);
        use(r, s);
      }
      for (const o of st.outputs) { onHost.add(root(o)); cpuProduced.set(root(o), st); }
    }
  });
  const downloadOutputs: number[] = [];
  for (const o of outputs) {
    const r = root(o);
    if (onHost.has(r) || downloadOutputs.includes(r)) continue;
    downloadOutputs.push(r);
    use(r, steps.length);
  }

  // Greedy slot assignment in step order.
  const slotBytes: number[] = [], free: number[] = [];
  let naiveBytes = 0;
  const take = (bytes: number): number => {
    bytes = Math.max(16, Math.ceil(bytes / 16) * 16);
    naiveBytes += bytes;
    let best = -1;
    for (const k of free) if (slotBytes[k] >= bytes && (best < 0 || slotBytes[k] < slotBytes[best])) best = k;
    if (best < 0 && free.length) best = free.reduce((a, b) => (slotBytes[a] >= slotBytes[b] ? a : b));
    if (best >= 0) { free.splice(free.indexOf(best), 1); slotBytes[best] = Math.max(slotBytes[best], bytes); return best; }
    slotBytes.push(bytes);
    return slotBytes.length - 1;
  };
  const bytesOf = (r: number) => gpuBytes(values[r].dtype, values[r].size, env.f16);
  const startsAt = new Map<number, number[]>(), endsAt = new Map<number, number[]>();
  for (const r of onGpu) {
    const f = first.get(r) ?? -1, l = last.get(r) ?? f;
    startsAt.set(f, [...(startsAt.get(f) ?? []), r]);
    endsAt.set(Math.max(f, l), [...(endsAt.get(Math.max(f, l)) ?? []), r]);
  }
  for (let s = -1; s <= steps.length; s++) {
    for (const r of startsAt.get(s) ?? []) values[r].slot = take(bytesOf(r));
    const st = steps[s];
    const scratch = st?.kind === 'gpu' ? scratchSizes[s].map((b) => take(b)) : [];
    if (st?.kind === 'gpu') st.scratch = scratch;
    free.push(...scratch);
    for (const r of endsAt.get(s) ?? []) free.push(values[r].slot);
  }
  for (const v of values) v.slot = values[v.root].slot;
  const uploadInputs = [...new Set(inputs.map(root))].filter((r) => onGpu.has(r) && values[r].kind === 'input');
  return { uploadInputs, downloadOutputs, slotBytes, arenaBytes: slotBytes.reduce((a, b) => a + b, 0), naiveBytes };
}
