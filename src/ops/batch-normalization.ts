import { defineOp, OpError } from './types.js';
import { expectFloat, input, sameDim, showShape } from './dims.js';
import { float, int } from './attrs.js';

export interface BatchNormalizationAttrs { epsilon: number }

const PARAMS = ['scale', 'B', 'input_mean', 'input_var'] as const;

/**
 * BatchNormalization in inference mode: Y = (X - mean) / sqrt(var + epsilon) * scale + B per
 * channel (axis 1). momentum only matters for training and is ignored.
 */
export const BatchNormalization = defineOp<BatchNormalizationAttrs>({
  name: 'BatchNormalization',
  inputs: [5, 5],
  outputs: [1, 1],
  attributes: { epsilon: { type: 'float' }, momentum: { type: 'float' }, training_mode: { type: 'int' } },
  parse(raw) {
    const training = int(raw, 'training_mode', 0);
    if (training !== 0) {
      throw new OpError(`attribute 'training_mode' must be 0: Tessera runs BatchNormalization for inference only (running statistics are not updated), got ${training}`);
    }
    const epsilon = float(raw, 'epsilon', 1e-5);
    if (!(epsilon >= 0)) throw new OpError(`attribute 'epsilon' must be >= 0, got ${epsilon}`);
    return { epsilon };
  },
  infer(inputs) {
    const x = input(inputs, 0, 'X');
    expectFloat(x, 'X');
    if (x.shape.length < 2) throw new OpError(`input X must have rank >= 2 (N, C, ...), got shape ${showShape(x.shape)}`);
    const c = x.shape[1];
    PARAMS.forEach((name, k) => {
      const t = input(inputs, k + 1, name);
      expectFloat(t, name);
      if (t.shape.length !== 1) throw new OpError(`input ${name} must have rank 1 (one value per channel, C = ${c}), got shape ${showShape(t.shape)}`);
      sameDim(t.shape[0], c, `input ${name} must have one value per channel of X ${showShape(x.shape)} (C = ${c}), got shape ${showShape(t.shape)}`);
    });
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },
});
