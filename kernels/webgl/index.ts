import type { AttrsOf, OpName } from '../../src/ops/index.js';
import type { WebGlKernel } from './types.js';
import { matMul } from './matmul.js';
import { gemm } from './gemm.js';
import { conv } from './conv.js';
import { unary, binary, clip, gelu } from './elementwise.js';

/**
 * The WebGL backend's kernels (gpu.js): GEMM-shaped ops, convolutions and elementwise math.
 * Every other op, and any node a kernel declines, runs on the CPU kernel in its place.
 */
export const WEBGL_KERNELS: { [K in OpName]?: WebGlKernel<AttrsOf<K>> } = {
  MatMul: matMul, FusedMatMul: matMul, Gemm: gemm, FusedGemm: gemm, Conv: conv, FusedConv: conv,
  Add: binary, Sub: binary, Mul: binary, Div: binary, Max: binary, Min: binary,
  Relu: unary, Sigmoid: unary, Tanh: unary, Erf: unary, Sqrt: unary, Exp: unary, Log: unary, Neg: unary,
  Abs: unary, Reciprocal: unary, Floor: unary, Ceil: unary, Softplus: unary, HardSigmoid: unary,
  HardSwish: unary, LeakyRelu: unary,
  Clip: clip, Gelu: gelu,
};
