import { isPacked, type Graph, type Node } from '../graph/graph.js';
import { Tensor } from '../tensor.js';
import type { ValueType } from '../ops/types.js';

/**
 * What quantize() can do with one node: which initializer is its weight, how the weight is
 * seen as channels (axis), and how to build the quantized node. `undefined` from match() with a
 * reason means "stays float" (the report lists why).
 */
export interface Candidate {
  node: Node;
  kind: 'matmul' | 'conv' | 'gather';
  /** Initializer name of the weight. */
  weight: string;
  /** The float weight as the quantized op sees it (Gemm's B transposed to [K, N], alpha folded in). */
  dense: () => Tensor;
  /** Cache key: same source and same dense view means the same packed weight. */
  key: string;
  axis: 0 | 1;
  /** depthwise convs compute in float (see kernels/cpu/q-conv.ts), so they take no int8 inputs. */
  depthwise: boolean;
  /** Builds the replacement node given the packed weight's name. */
  build: (packed: string, inputQuant: 'none' | 'int8', addBias: (stem: string, t: Tensor) => string) => Node;
}

export type Match = { candidate: Candidate } | { reason: string };

const epilogue = (n: Node) => {
  const out: Node['attrs'] = {};
  if (n.attrs.activation !== undefined) out.activation = n.attrs.activation;
  if (n.attrs.activation_params !== undefined) out.activation_params = n.attrs.activation_params;
  return out;
};

export function match(g: Graph, n: Node, types: ReadonlyMap<string, ValueType>): Match | undefined {
  const floatInit = (v: string | undefined): Tensor | undefined => {
    const w = v ? g.initializers.get(v) : undefined;
    return w && !isPacked(w) && w.dtype === 'float32' ? (w as Tensor) : undefined;
  };
  const isF32 = (v: string) => types.get(v)?.dtype === 'float32';
  const domainOk = (n.domain ?? '') === '' || n.domain === 'ai.onnx' || (n.domain === 'tessera' && n.op.startsWith('Fused'));
  if (!domainOk) return undefined;
  switch (n.op) {
    case 'MatMul': case 'FusedMatMul': {
      const w = floatInit(n.inputs[1]);
      if (!w) return { reason: 'B is not a float32 initializer' };
      if (w.rank !== 2) return { reason: `B has rank ${w.rank}; only 2-D weights are quantized` };
      if (!isF32(n.inputs[0])) return { reason: 'A is not float32' };
      return {
        candidate: {
          node: n, kind: 'matmul', weight: n.inputs[1], dense: () => w, key: `${n.inputs[1]}|kn`, axis: 1, depthwise: false,
          build: (packed, inputQuant) => ({
            name: n.name, op: 'QMatMul', domain: 'tessera', inputs: [n.inputs[0], packed, ...(n.inputs[2] ? [n.inputs[2]] : [])],
            outputs: n.outputs.slice(), attrs: { ...epilogue(n), input_quant: inputQuant },
          }),
        },
      };
    }
    case 'Gemm': case 'FusedGemm': {
      const w = floatInit(n.inputs[1]), transA = n.attrs.transA ?? 0, transB = (n.attrs.transB ?? 0) === 1;
      const alpha = (n.attrs.alpha as number | undefined) ?? 1, beta = (n.attrs.beta as number | undefined) ?? 1;
      if (transA !== 0) return { reason: 'transA = 1' };
      if (!w || w.rank !== 2) return { reason: 'B is not a 2-D float32 initializer' };
      if (!isF32(n.inputs[0])) return { reason: 'A is not float32' };
      const N = transB ? w.shape[0] : w.shape[1], K = transB ? w.shape[1] : w.shape[0];
      let bias: Float32Array | undefined;
      if (n.inputs[2] && beta !== 0) {
        const c = floatInit(n.inputs[2]);
        if (!c) return { reason: 'C is not a float32 initializer' };
        const s = c.shape;
        const perColumn = c.size === 1 || (s.length <= 2 && c.size === N && s[s.length - 1] === N);
        if (!perColumn) return { reason: `C ${JSON.stringify(s)} is not one value per output column` };
        const cv = c.data as Float32Array;
        bias = Float32Array.from({ length: N }, (_, j) => beta * cv[c.size === 1 ? 0 : j]);
      }
      const dense = () => {
        const src = w.data as Float32Array, out = new Float32Array(K * N);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) out[k * N + j] = alpha * (transB ? src[j * K + k] : src[k * N + j]);
        return new Tensor('float32', [K, N], out);
      };
      return {
        candidate: {
          node: n, kind: 'matmul', weight: n.inputs[1], dense, key: `${n.inputs[1]}|gemm${+transB}|${alpha}`, axis: 1, depthwise: false,
          build: (packed, inputQuant, addBias) => ({
            name: n.name, op: 'QMatMul', domain: 'tessera',
            inputs: [n.inputs[0], packed, ...(bias ? [addBias(`${n.name}_bias`, new Tensor('float32', [N], bias))] : [])],
            outputs: n.outputs.slice(), attrs: { ...epilogue(n), input_quant: inputQuant },
          }),
        },
      };
    }
    case 'Conv': case 'FusedConv': {
      const w = floatInit(n.inputs[1]);
      if (!w) return { reason: 'W is not a float32 initializer' };
      if (!isF32(n.inputs[0])) return { reason: 'X is not float32' };
      const group = (n.attrs.group as number | undefined) ?? 1;
      const depthwise = group > 1 && w.shape[1] === 1 && w.shape[0] === group;
      return {
        candidate: {
          node: n, kind: 'conv', weight: n.inputs[1], dense: () => w, key: `${n.inputs[1]}|conv`, axis: 0, depthwise,
          build: (packed, inputQuant) => ({
            name: n.name, op: 'QConv', domain: 'tessera', inputs: [n.inputs[0], packed, ...(n.inputs[2] ? [n.inputs[2]] : [])],
            outputs: n.outputs.slice(), attrs: { ...n.attrs, input_quant: depthwise ? 'none' : inputQuant },
          }),
        },
      };
    }
    case 'Gather': {
      const w = floatInit(n.inputs[0]), axis = (n.attrs.axis as number | undefined) ?? 0;
      if (!w) return undefined; // gathers of activations and shapes are not weights
      if (w.rank !== 2 || (axis !== 0 && axis !== -2)) return { reason: 'only axis-0 gathers from a 2-D table are quantized' };
      return {
        candidate: {
          node: n, kind: 'gather', weight: n.inputs[0], dense: () => w, key: `${n.inputs[0]}|rows`, axis: 0, depthwise: false,
          build: (packed) => ({ name: n.name, op: 'QGather', domain: 'tessera', inputs: [packed, n.inputs[1]], outputs: n.outputs.slice(), attrs: { axis: 0 } }),
        },
      };
    }
  }
  return undefined;
}
