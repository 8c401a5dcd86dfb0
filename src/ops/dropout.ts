import { defineOp, OpError, type ValueType } from './types.js';
import { expectDType, input } from './dims.js';

/** seed is accepted and unused: inference never drops anything. */
export type DropoutAttrs = Record<string, never>;

const TRAINING_UNSUPPORTED = 'training_mode=true is not supported: Tessera runs inference only, where Dropout passes its input through';

export const Dropout = defineOp<DropoutAttrs>({
  name: 'Dropout',
  inputs: [1, 3],
  outputs: [1, 2],
  attributes: { seed: { type: 'int' } },
  parse: () => ({}),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), ratio = inputs[1], training = inputs[2];
    if (ratio) expectDType(ratio, 'ratio', ['float32', 'float16']);
    if (training) {
      expectDType(training, 'training_mode', ['bool']);
      if (training.value?.[0]) throw new OpError(TRAINING_UNSUPPORTED);
    }
    // The optional mask (all true in inference) is always described; the graph keeps what it names.
    const outs: ValueType[] = [{ dtype: x.dtype, shape: x.shape.slice() }, { dtype: 'bool', shape: x.shape.slice() }];
    return outs;
  },
});
