import { toKernelData, type DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { defineOp, OpError, type Dim } from './types.js';
import { expectDType, expectRank, input, knownInts, showShape } from './dims.js';

/** The fill value in kernel storage (default: float32 0). */
export interface ConstantOfShapeAttrs { dtype: DType; value: number }

export const ConstantOfShape = defineOp<ConstantOfShapeAttrs>({
  name: 'ConstantOfShape',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: { value: { type: 'tensor' } },
  parse(raw) {
    const t = raw.value as Tensor | undefined;
    if (!t) return { dtype: 'float32', value: 0 };
    if (t.size !== 1) throw new OpError(`attribute 'value' must hold exactly one element, got ${t.toString()}`);
    return { dtype: t.dtype, value: toKernelData(t.dtype, t.data)[0] };
  },
  infer(inputs, attrs) {
    const s = input(inputs, 0, 'input');
    expectDType(s, 'input', ['int64', 'int32']);
    expectRank(s, 'input', 1);
    const dims = knownInts(s);
    let shape: Dim[];
    if (dims) {
      if (dims.some((d) => d < 0)) throw new OpError(`shape ${showShape(dims)} has a negative dimension`);
      shape = dims;
    } else if (typeof s.shape[0] === 'number') shape = new Array<Dim>(s.shape[0]).fill('?');
    else throw new OpError(`the length of the shape input (${s.shape[0]}) is unknown, so the output rank is too`);
    return [{ dtype: attrs.dtype, shape }];
  },
});
