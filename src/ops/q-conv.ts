import { defineOp } from './types.js';
import type { ConvAttrs } from './conv.js';
import { FusedConv } from './fused.js';
import { INPUT_QUANT_ATTR, parseInputQuant, type InputQuant } from './q-attrs.js';

export interface QConvAttrs extends ConvAttrs { inputQuant: InputQuant }

/**
 * Internal (domain 'tessera', made by quantize()): Conv with W a packed int8 or int4 weight of
 * dense shape [M, C/group, kh, kw] quantized per output channel, bias and activation in the
 * epilogue. Attributes: Conv's, activation and activation_params as FusedConv, input_quant
 * ('none' | 'int8': each output pixel's receptive field quantized to int8 at run time).
 */
export const QConv = defineOp<QConvAttrs>({
  name: 'QConv',
  domain: 'tessera',
  inputs: FusedConv.inputs,
  outputs: FusedConv.outputs,
  attributes: { ...FusedConv.attributes, ...INPUT_QUANT_ATTR },
  parse(raw) {
    const { inputQuant, rest } = parseInputQuant(raw);
    return { ...FusedConv.parse(rest), inputQuant };
  },
  infer: (inputs, attrs) => FusedConv.infer(inputs, attrs),
});
