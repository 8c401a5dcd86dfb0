import { defineOp, OpError } from './types.js';
import { input, sameDim, showShape } from './dims.js';
import { FusedConv } from './fused.js';
import type { ConvActivation } from './conv.js';

export interface SparseConvAttrs {
  /** Fused epilogue, as FusedConv's (`activation`, `activation_params`). */
  activation?: ConvActivation;
}

/**
 * Internal op (domain 'tessera'), produced by sparsify(): a pointwise (1x1, stride 1, no
 * padding, group 1) convolution, NCHW, with W a packed sparse weight (CSR or BSR) of logical
 * shape [M, C, 1, 1] (rank 3 [M, C, 1] for 1-D X), optional bias [M] and a fused activation.
 * In NCHW each input channel is a contiguous row of pixels, so the sparse product reads
 * activations contiguously (the layout XNNPACK's sparse inference picked for the same reason).
 */
export const SparseConv = defineOp<SparseConvAttrs>({
  name: 'SparseConv',
  domain: 'tessera',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: { activation: FusedConv.attributes.activation, activation_params: FusedConv.attributes.activation_params },
  parse: (raw) => ({ activation: FusedConv.parse(raw).activation }),
  infer(inputs) {
    const x = input(inputs, 0, 'X'), w = input(inputs, 1, 'W'), bias = inputs[2];
    if (x.dtype !== 'float32') throw new OpError(`input X must be float32, got ${x.dtype}`);
    if (w.dtype !== 'float32') throw new OpError(`input W must be a float32 (packed sparse) weight, got ${w.dtype}`);
    if (x.shape.length !== 3 && x.shape.length !== 4) throw new OpError(`input X must have rank 3 or 4 (NCHW), got shape ${showShape(x.shape)}`);
    if (w.shape.length !== x.shape.length || w.shape.slice(2).some((d) => d !== 1)) {
      throw new OpError(`input W must be a pointwise weight [M, C${', 1'.repeat(x.shape.length - 2)}] for X ${showShape(x.shape)}, got shape ${showShape(w.shape)}`);
    }
    const M = w.shape[0];
    sameDim(x.shape[1], w.shape[1], `input channels do not match: X ${showShape(x.shape)} has C = ${x.shape[1]} but W ${showShape(w.shape)} expects`);
    if (bias) {
      if (bias.dtype !== 'float32') throw new OpError(`input B must be float32, got ${bias.dtype}`);
      if (bias.shape.length !== 1) throw new OpError(`input B must be 1-D [M], got ${showShape(bias.shape)}`);
      sameDim(bias.shape[0], M, `input B must have one value per output channel (W ${showShape(w.shape)})`);
    }
    return [{ dtype: 'float32', shape: [x.shape[0], M, ...x.shape.slice(2)] }];
  },
});
