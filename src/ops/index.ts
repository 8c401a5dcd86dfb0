import type { OpSchema } from './types.js';
import { Add, Sub, Mul, Div, Pow, Max, Min, Equal, Less, Greater, And, Or } from './binary.js';
import { Relu, Sigmoid, Tanh, Erf, Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Softplus, HardSigmoid, HardSwish, LeakyRelu, Not } from './unary.js';
import { Conv } from './conv.js';
import { BatchNormalization } from './batch-normalization.js';
import { GlobalAveragePool, GlobalMaxPool, AveragePool, MaxPool } from './pool.js';
import { Gemm } from './gemm.js';
import { MatMul } from './matmul.js';
import { Softmax } from './softmax.js';
import { LayerNormalization } from './layer-normalization.js';
import { ReduceMean, ReduceSum, ReduceMax } from './reduce.js';
import { Gelu } from './gelu.js';
import { Clip } from './clip.js';
import { Reshape } from './reshape.js';
import { Flatten } from './flatten.js';
import { Transpose } from './transpose.js';
import { Unsqueeze } from './unsqueeze.js';
import { Squeeze } from './squeeze.js';
import { Concat } from './concat.js';
import { Slice } from './slice.js';
import { Gather } from './gather.js';
import { Shape } from './shape.js';
import { Range } from './range.js';
import { Cast } from './cast.js';
import { Expand } from './expand.js';
import { Where } from './where.js';
import { Constant } from './constant.js';
import { ConstantOfShape } from './constant-of-shape.js';
import { Identity } from './identity.js';
import { Dropout } from './dropout.js';
import { Split } from './split.js';
import { Pad } from './pad.js';
import { Tile } from './tile.js';
import { FusedConv, FusedGemm, FusedMatMul } from './fused.js';
import { QMatMul } from './q-matmul.js';
import { QConv } from './q-conv.js';
import { QGather } from './q-gather.js';
import { QuantizeLinear } from './quantize-linear.js';
import { DequantizeLinear } from './dequantize-linear.js';
import { DynamicQuantizeLinear } from './dynamic-quantize-linear.js';
import { MatMulInteger } from './matmul-integer.js';
import { ConvInteger } from './conv-integer.js';
import { QLinearMatMul } from './qlinear-matmul.js';
import { QLinearConv } from './qlinear-conv.js';
import { MatMulNBits } from './matmul-nbits.js';
import { SparseMatMul } from './sparse-matmul.js';
import { SparseConv } from './sparse-conv.js';

/** The one op table: every op the engine knows, keyed by its ONNX name. */
export const OPS = {
  Add, Sub, Mul, Div, Pow, Max, Min, Equal, Less, Greater, And, Or,
  Relu, Sigmoid, Tanh, Erf, Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Softplus, HardSigmoid, HardSwish, LeakyRelu, Not,
  Conv, BatchNormalization, GlobalAveragePool, GlobalMaxPool, AveragePool, MaxPool,
  Gemm, MatMul, Softmax, LayerNormalization, ReduceMean, ReduceSum, ReduceMax, Gelu, Clip,
  Reshape, Flatten, Transpose, Unsqueeze, Squeeze, Concat, Slice, Gather, Shape, Range, Cast, Expand, Where,
  Constant, ConstantOfShape, Identity, Dropout, Split, Pad, Tile,
  FusedConv, FusedGemm, FusedMatMul,
  QMatMul, QConv, QGather,
  QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv, MatMulNBits,
  SparseMatMul, SparseConv,
} as const;

export type OpName = keyof typeof OPS;
export type AttrsOf<K extends OpName> = (typeof OPS)[K] extends OpSchema<infer A> ? A : never;

export function isOpName(op: string): op is OpName {
  return Object.prototype.hasOwnProperty.call(OPS, op);
}

export function schemaOf(op: string): OpSchema<unknown> | undefined {
  return isOpName(op) ? (OPS[op] as OpSchema<unknown>) : undefined;
}

export type { OpSchema, ValueType, Dim, RawAttrs, AttrValue } from './types.js';
