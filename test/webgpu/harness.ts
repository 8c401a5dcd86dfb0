import { Graph, type ValueInfo } from '../../src/graph/graph.js';
import { analyze } from '../../src/graph/analyze.js';
import { OPS, type OpName } from '../../src/ops/index.js';
import type { OpSchema, RawAttrs, ValueType } from '../../src/ops/types.js';
import { toKernelData, type DType, type KernelData, type TensorData } from '../../src/dtype.js';
import { Tensor } from '../../src/tensor.js';
import { compileCpuPlan } from '../../src/runtime/cpu/plan.js';
import { CpuExecutor } from '../../src/runtime/cpu/executor.js';
import { acquireDevice, type GpuDeviceHandle } from '../../src/runtime/webgpu/device.js';
import { WebGpuBackend } from '../../src/runtime/webgpu/backend.js';
import { expectClose, expectEqual, randomFloats, randomInts, type Tolerance } from '../util/numerics.js';

/**
 * One WebGPU device per test file (creating one takes a second on a CPU driver). Without an
 * adapter the file's GPU tests skip with the reason printed, unless REQUIRE_WEBGPU=1 (set by a
 * CI that installed a driver): then the missing adapter is a failure.
 */
export const REQUIRED = process.env.REQUIRE_WEBGPU === '1';

export interface Gpu { handle: GpuDeviceHandle | undefined; reason: string }

export async function openGpu(file: string): Promise<Gpu> {
  try {
    return { handle: await acquireDevice({ f16: true }), reason: '' };
  } catch (e) {
    const reason = (e as Error).message;
    if (!REQUIRED) console.warn(`[${file}] WebGPU tests skipped: ${reason}. (REQUIRE_WEBGPU=1 makes this a failure.)`);
    return { handle: undefined, reason };
  }
}

export interface OpInput { tensor: Tensor; constant?: boolean }

/** A graph of one node whose non-constant inputs are graph inputs named in0, in1, ... */
export function singleNodeGraph(op: OpName, inputs: (OpInput | undefined)[], attrs: RawAttrs = {}, nOutputs?: number): Graph {
  const schema = OPS[op] as OpSchema<unknown>;
  const parsed = schema.parse(attrs);
  const types = schema.infer(inputs.map((t): ValueType | undefined => t && { dtype: t.tensor.dtype, shape: t.tensor.shape.slice(), ...(t.constant ? { value: toKernelData(t.tensor.dtype, t.tensor.data as TensorData) } : {}) }), parsed);
  const outs = types.slice(0, nOutputs ?? schema.outputs[0]);
  const graphInputs: ValueInfo[] = [], init = new Map<string, Tensor>();
  const names = inputs.map((t, i): string => {
    if (!t) return '';
    if (t.constant) init.set(`in${i}`, t.tensor); else graphInputs.push({ name: `in${i}`, dtype: t.tensor.dtype, shape: t.tensor.shape.slice() });
    return `in${i}`;
  });
  return new Graph({
    inputs: graphInputs,
    outputs: outs.map((t, k) => ({ name: `out${k}`, dtype: t.dtype, shape: t.shape.slice() })),
    nodes: [{ name: 'node', op, ...(schema.domain ? { domain: schema.domain } : {}), inputs: names, outputs: outs.map((_, k) => `out${k}`), attrs }],
    initializers: init,
  });
}

function constantsOf(g: Graph): Map<string, KernelData> {
  const m = new Map<string, KernelData>();
  for (const [name, w] of g.initializers) if (w instanceof Tensor) m.set(name, toKernelData(w.dtype, w.data as TensorData));
  return m;
}

function feedsOf(g: Graph, inputs: (OpInput | undefined)[]): { feeds: Tensor[]; shapes: Map<string, number[]> } {
  const byName = new Map<string, Tensor>(inputs.flatMap((t, i): [string, Tensor][] => (t && !t.constant ? [[`in${i}`, t.tensor]] : [])));
  const feeds = g.inputs.map((v) => byName.get(v.name)!);
  return { feeds, shapes: new Map(g.inputs.map((v, i) => [v.name, feeds[i].shape.slice()])) };
}

/** Runs a graph on the CPU executor and on `backend`; returns both outputs and how many nodes fell back to the CPU. */
export async function runBoth(backend: WebGpuBackend, g: Graph, inputs: (OpInput | undefined)[]): Promise<{ cpu: Tensor[]; gpu: Tensor[]; cpuNodes: number }> {
  const analysis = analyze(g), constants = constantsOf(g);
  const { feeds, shapes } = feedsOf(g, inputs);
  const cpu = new CpuExecutor(compileCpuPlan(g, analysis, shapes, constants)).run(feeds);
  const exec = backend.compile(g, analysis, shapes, constants);
  try {
    const gpu = await exec.run(feeds);
    return { cpu, gpu, cpuNodes: exec.plan.steps.filter((s) => s.kind === 'cpu').length };
  } finally {
    exec.dispose();
  }
}

/** WebGPU vs CPU on one op: the node must not fall back to the CPU, outputs must agree (floats within tol, others exactly). */
export async function checkOp(backend: WebGpuBackend, op: OpName, inputs: (OpInput | undefined)[], attrs: RawAttrs, tol: Tolerance, context: unknown, nOutputs?: number): Promise<void> {
  const g = singleNodeGraph(op, inputs, attrs, nOutputs);
  const { cpu, gpu, cpuNodes } = await runBoth(backend, g, inputs);
  const ctx = { op, attrs, shapes: inputs.map((t) => t?.tensor.shape), ...(context as object) };
  if (cpuNodes !== 0) throw new Error(`${op} fell back to the CPU; ${JSON.stringify(ctx)}`);
  cpu.forEach((c, k) => {
    const w = gpu[k];
    if (w.dtype !== c.dtype || w.shape.join() !== c.shape.join()) throw new Error(`output ${k}: ${w.dtype}[${w.shape}] vs CPU ${c.dtype}[${c.shape}]; ${JSON.stringify(ctx)}`);
    if (c.dtype === 'float32') expectClose(w.data as Float32Array, c.data as Float32Array, { output: k, ...ctx }, tol);
    else if (c.dtype === 'int64') expectEqual(Array.from(w.data as BigInt64Array, Number), Array.from(c.data as BigInt64Array, Number), { output: k, ...ctx });
    else expectEqual(w.data as ArrayLike<number>, c.data as ArrayLike<number>, { output: k, ...ctx });
  });
}

let seedCounter = 1;
/** A float tensor of uniform values in [lo, hi). */
export function floats(shape: number[], seed = seedCounter++, lo = -1, hi = 1): Tensor {
  return new Tensor('float32', shape, randomFloats(shape.reduce((a, b) => a * b, 1), seed, lo, hi));
}

export function ints(dtype: DType, shape: number[], lo: number, hi: number, seed = seedCounter++): Tensor {
  const v = randomInts(shape.reduce((a, b) => a * b, 1), seed, lo, hi);
  return new Tensor(dtype, shape, dtype === 'int64' ? Array.from(v, (x) => BigInt(x)) : (v as never));
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-30);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}
