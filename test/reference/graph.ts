import { Graph, isPacked } from '../../src/graph/graph.js';
import { analyze } from '../../src/graph/analyze.js';
import type { RawAttrs } from '../../src/ops/types.js';
import { Tensor } from '../../src/tensor.js';
import { ref, size, type RefTensor } from './tensor.js';
import { binaryRef } from './binary.js';
import { unaryRef } from './unary.js';
import { convRef, type RefWindow } from './conv.js';
import { batchNormRef } from './batch-normalization.js';
import { globalPoolRef, poolRef } from './pool.js';
import { gemmRef } from './gemm.js';
import { matMulRef } from './matmul.js';
import { softmaxRef } from './softmax.js';
import { layerNormRef } from './layer-normalization.js';
import { clipRef } from './clip.js';
import { geluRef } from './gelu.js';
import { reduceRef } from './reduce.js';
import { transposeRef } from './transpose.js';
import { gatherRef } from './gather.js';
import { concatRef } from './concat.js';
import { whereRef } from './expand.js';
import { reshapeShapeRef, flattenShapeRef, unsqueezeShapeRef, squeezeShapeRef } from './reshape.js';

/**
 * Evaluates a whole graph in float64 with the reference kernels: the independent "obviously
 * right" twin of the executor for whole-graph tests. Integers ride along as exact doubles.
 */
export function evaluateGraph(graph: Graph, feeds: Record<string, Tensor>): Record<string, RefTensor> {
  const env = new Map<string, RefTensor>();
  const fromTensor = (t: Tensor) => ref(t.shape as number[], Array.from(t.data as ArrayLike<number | bigint>, Number));
  for (const [name, w] of graph.initializers) env.set(name, fromTensor(isPacked(w) ? w.dequantize() : w));
  for (const [name, t] of Object.entries(feeds)) env.set(name, fromTensor(t));
  for (const { node } of analyze(graph).order) {
    const ins = node.inputs.map((n) => (n ? env.get(n) : undefined));
    const outs = evalNode(node.op, ins, node.attrs);
    node.outputs.forEach((o, k) => { if (o) env.set(o, outs[k]); });
  }
  return Object.fromEntries(graph.outputs.map((o) => [o.name, env.get(o.name)!]));
}

const ints = (t: RefTensor | undefined) => (t ? Array.from(t.data) : undefined);
const reshaped = (t: RefTensor, shape: number[]): RefTensor => ({ shape, data: t.data });

function window(x: RefTensor, a: RawAttrs, kernel: number[]): RefWindow {
  const n = x.shape.length - 2;
  return {
    kernel, strides: (a.strides as number[]) ?? new Array(n).fill(1), dilations: (a.dilations as number[]) ?? new Array(n).fill(1),
    pads: (a.pads as number[]) ?? new Array(2 * n).fill(0), autoPad: (a.auto_pad as RefWindow['autoPad']) ?? 'NOTSET', ceilMode: !!a.ceil_mode,
  };
}

function evalNode(op: string, i: (RefTensor | undefined)[], a: RawAttrs): RefTensor[] {
  const [x, y, z] = i;
  switch (op) {
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Equal': case 'Max': case 'Min': return [binaryRef(op, x!, y!)];
    case 'Relu': case 'Sigmoid': case 'Tanh': case 'Erf': case 'Sqrt': case 'Exp': case 'Neg': case 'Not': case 'Log':
      return [unaryRef(op, x!)];
    case 'Identity': case 'Dropout': return [x!];
    case 'Clip': return [clipRef(x!, y ? y.data[0] : -Infinity, z ? z.data[0] : Infinity)];
    case 'Gelu': return [geluRef(x!, (a.approximate as 'none' | 'tanh') ?? 'none')];
    case 'Conv': return [convRef(x!, y!, z, window(x!, a, y!.shape.slice(2)), (a.group as number) ?? 1)];
    case 'BatchNormalization': return [batchNormRef(x!, y!, z!, i[3]!, i[4]!, (a.epsilon as number) ?? 1e-5)];
    case 'GlobalAveragePool': return [globalPoolRef(x!, 'avg')];
    case 'MaxPool': case 'AveragePool':
      return [poolRef(x!, op === 'MaxPool' ? 'max' : 'avg', window(x!, a, a.kernel_shape as number[]), { countIncludePad: !!a.count_include_pad }).y];
    case 'Gemm': return [gemmRef(x!, y!, z, { transA: !!a.transA, transB: !!a.transB, alpha: (a.alpha as number) ?? 1, beta: (a.beta as number) ?? 1 })];
    case 'MatMul': return [matMulRef(x!, y!)];
    case 'Softmax': return [softmaxRef(x!, (a.axis as number) ?? -1)];
    case 'LayerNormalization': return [layerNormRef(x!, y!, z, (a.axis as number) ?? -1, (a.epsilon as number) ?? 1e-5).y];
    case 'ReduceMean': return [reduceRef('ReduceMean', x!, (a.axes as number[]) ?? ints(y) ?? [], a.keepdims !== 0)];
    case 'Transpose': return [transposeRef(x!, a.perm as number[] | undefined)];
    case 'Gather': return [gatherRef(x!, y!, (a.axis as number) ?? 0)];
    case 'Concat': return [concatRef(i as RefTensor[], a.axis as number)];
    case 'Where': return [whereRef(x!, y!, z!)];
    case 'Cast': return [x!]; // values are exact doubles already; the graphs here cast int -> float only
    case 'Shape': return [ref([x!.shape.length], x!.shape)];
    case 'Reshape': return [reshaped(x!, reshapeShapeRef(x!.shape, ints(y)!, !!a.allowzero))];
    case 'Flatten': return [reshaped(x!, flattenShapeRef(x!.shape, (a.axis as number) ?? 1))];
    case 'Unsqueeze': return [reshaped(x!, unsqueezeShapeRef(x!.shape, ints(y)!))];
    case 'Squeeze': return [reshaped(x!, squeezeShapeRef(x!.shape, ints(y)))];
    default: throw new Error(`evaluateGraph: no reference wired for op ${op}`);
  }
}

export { size };
