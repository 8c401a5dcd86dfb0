import type { KMeta } from '../types.js';
import type { GpuEnv, Lowering, Unsupported, WebGpuKernel } from './types.js';
import { matMul } from './matmul.js';
import { gemm } from './gemm.js';
import { conv } from './conv.js';
import { averagePool, globalAveragePool, globalMaxPool, maxPool } from './pool.js';
import { binary } from './binary.js';
import { unary } from './unary.js';
import { clip } from './clip.js';
import { gelu } from './gelu.js';
import { where } from './where.js';
import { softmax } from './softmax.js';
import { layerNormalization } from './layer-normalization.js';
import { gather } from './gather.js';
import { transpose } from './transpose.js';
import { reshapeAlias } from './reshape.js';
import { qMatMul } from './q-matmul.js';
import { qGather } from './q-gather.js';
import { qConv } from './q-conv.js';
import { slice } from './slice.js';
import { expand } from './expand.js';
import { concat } from './concat.js';
import { cast } from './cast.js';

/**
 * The WebGPU backend: op name -> kernel. Ops missing here (or whose lowering says unsupported
 * for the given shapes and dtypes) run on the CPU kernel for that node, with the transfers it
 * needs; the CPU table is the complete one.
 */
export const WEBGPU_KERNELS: Readonly<Record<string, WebGpuKernel<any>>> = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Max: binary, Min: binary,
  Equal: binary, Less: binary, Greater: binary, And: binary, Or: binary,
  Relu: unary, Sigmoid: unary, Tanh: unary, Erf: unary, Sqrt: unary, Exp: unary, Log: unary, Neg: unary,
  Abs: unary, Reciprocal: unary, Floor: unary, Ceil: unary, Softplus: unary, HardSigmoid: unary,
  HardSwish: unary, LeakyRelu: unary, Not: unary, Gelu: gelu, Clip: clip,
  Conv: conv, FusedConv: conv,
  GlobalAveragePool: globalAveragePool, GlobalMaxPool: globalMaxPool, AveragePool: averagePool, MaxPool: maxPool,
  Gemm: gemm, FusedGemm: gemm, MatMul: matMul, FusedMatMul: matMul,
  Softmax: softmax, LayerNormalization: layerNormalization, Where: where, Gather: gather, Transpose: transpose,
  Slice: slice, Expand: expand, Concat: concat, Cast: cast,
  Reshape: reshapeAlias, Flatten: reshapeAlias, Squeeze: reshapeAlias, Unsqueeze: reshapeAlias, Identity: reshapeAlias, Dropout: reshapeAlias,
  QMatMul: qMatMul, QGather: qGather, QConv: qConv,
};

/** The GPU work for one node, or why it has none. */
export function lowerNode(op: string, attrs: unknown, inputs: readonly (KMeta | undefined)[], outputs: readonly (KMeta | undefined)[], env: GpuEnv): Lowering | Unsupported {
  const k = Object.prototype.hasOwnProperty.call(WEBGPU_KERNELS, op) ? WEBGPU_KERNELS[op] : undefined;
  if (!k) return { unsupported: `no WGSL kernel for ${op}` };
  return k.lower(attrs, inputs, outputs, env);
}

/** Whether the node runs on the GPU (else it falls back to the CPU). */
export function supports(op: string, attrs: unknown, inputs: readonly (KMeta | undefined)[], outputs: readonly (KMeta | undefined)[], env: GpuEnv): boolean {
  return !('unsupported' in lowerNode(op, attrs, inputs, outputs, env));
}

export type { GpuEnv, Lowering, Unsupported, WebGpuKernel, Program, Dispatch } from './types.js';
