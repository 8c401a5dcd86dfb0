import type { AttrsOf, OpName } from '../../src/ops/index.js';
import type { CpuKernel, KMeta } from '../types.js';
import { binary } from './binary.js';
import { unary } from './unary.js';
import { conv, isDepthwise, window2d } from './conv.js';
import { batchNormalization } from './batch-normalization.js';
import { globalAveragePool, globalMaxPool, averagePool, maxPool } from './pool.js';
import { gemm } from './gemm.js';
import { matMul } from './matmul.js';
import { softmax } from './softmax.js';
import { layerNormalization } from './layer-normalization.js';
import { reduceMean, reduceSum, reduceMax } from './reduce.js';
import { gelu } from './gelu.js';
import { clip } from './clip.js';
import { reshape } from './reshape.js';
import { flatten } from './flatten.js';
import { transpose } from './transpose.js';
import { unsqueeze } from './unsqueeze.js';
import { squeeze } from './squeeze.js';
import { concat } from './concat.js';
import { slice } from './slice.js';
import { gather } from './gather.js';
import { shape } from './shape.js';
import { range } from './range.js';
import { cast } from './cast.js';
import { expand } from './expand.js';
import { where } from './where.js';
import { constant } from './constant.js';
import { constantOfShape } from './constant-of-shape.js';
import { identity } from './identity.js';
import { dropout } from './dropout.js';
import { split } from './split.js';
import { pad } from './pad.js';
import { tile } from './tile.js';
import { qMatMul } from './q-matmul.js';
import { qMatMulSimd, qMatMulSimdSupports } from './q-matmul-simd.js';
import { qConvSimd, qConvSimdSupports } from './q-conv-simd.js';
import { qConv } from './q-conv.js';
import { qGather } from './q-gather.js';
import { quantizeLinear } from './quantize-linear.js';
import { dequantizeLinear } from './dequantize-linear.js';
import { dynamicQuantizeLinear } from './dynamic-quantize-linear.js';
import { matMulInteger } from './matmul-integer.js';
import { convInteger } from './conv-integer.js';
import { qLinearMatMul } from './qlinear-matmul.js';
import { qLinearConv } from './qlinear-conv.js';
import { matMulNBits } from './matmul-nbits.js';
import { sparseMatMul } from './sparse-matmul.js';
import { sparseConv } from './sparse-conv.js';
import { tiered } from './tiers.js';
import { simdDepthwiseSupported } from './depthwise-simd.js';

/**
 * The GEMM-class kernels dispatch by tier (tiers.ts): the same kernel code either way, its
 * products on the WebAssembly SIMD engine (sgemm-simd.ts) or in JavaScript. A depthwise conv
 * runs no GEMM: it takes the SIMD tier only for the windows of the engine's own depthwise
 * kernel (depthwise-simd.ts), else stays on the JavaScript tier; the sparse ops take it for a CSR
 * weight (spmm-simd.ts).
 */
const SIMD = 'wasm-simd';
const convTiers = tiered([
  { name: SIMD, supports: (a, i, o) => !isDepthwise(a.group, i[1].shape) || simdDepthwiseSupported(window2d(a, i[1].shape.slice(2), i[0].shape, o[0].shape)), kernel: conv },
  { name: 'js', kernel: conv },
]);
const gemmTiers = tiered([{ name: SIMD, kernel: gemm }, { name: 'js', kernel: gemm }]);
const matMulTiers = tiered([{ name: SIMD, kernel: matMul }, { name: 'js', kernel: matMul }]);
// CSR weights only: the engine has no BSR kernel (BSR weights, whatever their blocks, stay on the JavaScript tier).
const csrWeight = (_a: unknown, i: readonly KMeta[]) => i[1]?.packed?.format === 'csr';
const sparseConvTiers = tiered([{ name: SIMD, supports: csrWeight, kernel: sparseConv }, { name: 'js', kernel: sparseConv }]);
const sparseMatMulTiers = tiered([{ name: SIMD, supports: csrWeight, kernel: sparseMatMul }, { name: 'js', kernel: sparseMatMul }]);

const qMatMulTiers = tiered([{ name: SIMD, supports: qMatMulSimdSupports, kernel: qMatMulSimd }, { name: 'js', kernel: qMatMul }]);
const qConvTiers = tiered([{ name: SIMD, supports: qConvSimdSupports, kernel: qConvSimd }, { name: 'js', kernel: qConv }]);

/** The CPU backend covers every op: the mapped type makes a missing entry a compile error. */
export const CPU_KERNELS: { [K in OpName]: CpuKernel<AttrsOf<K>, any> } = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Max: binary, Min: binary,
  Equal: binary, Less: binary, Greater: binary, And: binary, Or: binary,
  Relu: unary, Sigmoid: unary, Tanh: unary, Erf: unary, Sqrt: unary, Exp: unary, Log: unary, Neg: unary,
  Abs: unary, Reciprocal: unary, Floor: unary, Ceil: unary, Softplus: unary, HardSigmoid: unary,
  HardSwish: unary, LeakyRelu: unary, Not: unary,
  Conv: convTiers, BatchNormalization: batchNormalization,
  GlobalAveragePool: globalAveragePool, GlobalMaxPool: globalMaxPool, AveragePool: averagePool, MaxPool: maxPool,
  Gemm: gemmTiers, MatMul: matMulTiers, Softmax: softmax, LayerNormalization: layerNormalization,
  ReduceMean: reduceMean, ReduceSum: reduceSum, ReduceMax: reduceMax, Gelu: gelu, Clip: clip,
  Reshape: reshape, Flatten: flatten, Transpose: transpose, Unsqueeze: unsqueeze, Squeeze: squeeze,
  Concat: concat, Slice: slice, Gather: gather, Shape: shape, Range: range, Cast: cast, Expand: expand,
  Where: where, Constant: constant, ConstantOfShape: constantOfShape, Identity: identity, Dropout: dropout,
  Split: split, Pad: pad, Tile: tile,
  FusedConv: convTiers, FusedGemm: gemmTiers, FusedMatMul: matMulTiers,
  QMatMul: qMatMulTiers, QConv: qConvTiers, QGather: qGather,
  QuantizeLinear: quantizeLinear, DequantizeLinear: dequantizeLinear, DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: matMulInteger, ConvInteger: convInteger, QLinearMatMul: qLinearMatMul, QLinearConv: qLinearConv, MatMulNBits: matMulNBits,
  SparseMatMul: sparseMatMulTiers, SparseConv: sparseConvTiers,
};
