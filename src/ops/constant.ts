import { toKernelData, type DType, type KernelData } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { defineOp, OpError, type ValueType } from './types.js';

/** The constant in kernel storage (int64 clamped to int32, float16 widened to float32). */
export interface ConstantAttrs { dtype: DType; shape: number[]; data: KernelData }

/** Outputs up to this many elements carry their value through shape inference. */
const VALUE_LIMIT = 1024;
const FORMS = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings'];

export const Constant = defineOp<ConstantAttrs>({
  name: 'Constant',
  inputs: [0, 0],
  outputs: [1, 1],
  attributes: {
    value: { type: 'tensor' }, value_float: { type: 'float' }, value_floats: { type: 'floats' },
    value_int: { type: 'int' }, value_ints: { type: 'ints' }, value_string: { type: 'string' }, value_strings: { type: 'strings' },
  },
  parse(raw) {
    const given = FORMS.filter((k) => k in raw);
    if (given.length !== 1) throw new OpError(`exactly one of the attributes ${FORMS.join(', ')} must be given, got ${given.length ? given.join(', ') : 'none'}`);
    switch (given[0]) {
      case 'value': {
        const t = raw.value as Tensor;
        return { dtype: t.dtype, shape: t.shape.slice(), data: toKernelData(t.dtype, t.data) };
      }
      case 'value_float': return { dtype: 'float32', shape: [], data: Float32Array.of(raw.value_float as number) };
      case 'value_floats': return { dtype: 'float32', shape: [(raw.value_floats as number[]).length], data: Float32Array.from(raw.value_floats as number[]) };
      case 'value_int': return { dtype: 'int64', shape: [], data: toKernelData('int64', BigInt64Array.of(BigInt(raw.value_int as number))) };
      case 'value_ints': return { dtype: 'int64', shape: [(raw.value_ints as number[]).length], data: toKernelData('int64', BigInt64Array.from(raw.value_ints as number[], BigInt)) };
      default: throw new OpError(`attribute '${given[0]}': string tensors are not supported`);
    }
  },
  infer(_inputs, attrs) {
    const t: ValueType = { dtype: attrs.dtype, shape: attrs.shape.slice() };
    if (attrs.data.length <= VALUE_LIMIT) t.value = attrs.data.slice();
    return [t];
  },
});
