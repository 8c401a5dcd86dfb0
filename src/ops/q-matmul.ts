import { defineOp, OpError } from './types.js';
import { expectFloat, expectRank, input, sameDim, showShape } from './dims.js';
import { matMulShape } from './matmul.js';
import { FusedMatMul } from './fused.js';
import type { Activation } from './gemm.js';
import { INPUT_QUANT_ATTR, parseInputQuant, type InputQuant } from './q-attrs.js';

export interface QMatMulAttrs {
  inputQuant: InputQuant;
  activation?: Activation;
}

/**
 * Internal (domain 'tessera', made by quantize()): act(A @ W + bias) with W a packed int8 or
 * int4 weight of dense shape [K, N] quantized per output column (src/quant/formats), the
 * optional bias [N] and activation applied in the epilogue. Gemm and MatMul both become this.
 * Attributes: input_quant ('none' | 'int8'), activation and activation_params as FusedMatMul.
 */
export const QMatMul = defineOp<QMatMulAttrs>({
  name: 'QMatMul',
  domain: 'tessera',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: { ...FusedMatMul.attributes, ...INPUT_QUANT_ATTR },
  parse(raw) {
    const { inputQuant, rest } = parseInputQuant(raw);
    return { inputQuant, activation: FusedMatMul.parse(rest).activation };
  },
  infer(inputs) {
    const a = input(inputs, 0, 'A'), w = input(inputs, 1, 'W'), bias = inputs[2];
    expectFloat(a, 'A');
    if (w.dtype !== 'float32') throw new OpError(`input W must be a packed weight (typed float32), got ${w.dtype}`);
    expectRank(w, 'W', 2);
    if (a.shape.length === 0) throw new OpError(`input A must have rank >= 1, got a scalar`);
    const shape = matMulShape(a.shape, w.shape);
    if (bias) {
      if (bias.dtype !== a.dtype) throw new OpError(`input bias must be ${a.dtype} like A, got ${bias.dtype}`);
      if (bias.shape.length !== 1) throw new OpError(`input bias must be 1-D [N], got ${showShape(bias.shape)}`);
      sameDim(bias.shape[0], w.shape[1], `input bias length must equal N (W ${showShape(w.shape)})`);
    }
    return [{ dtype: a.dtype, shape }];
  },
});
