import type { DType } from '../dtype.js';
import { defineOp, OpError } from './types.js';
import { input } from './dims.js';

export interface CastAttrs { to: DType }

/** ONNX TensorProto.DataType codes this engine computes in. */
export const ONNX_DTYPES: Readonly<Record<number, DType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16' };
const UNSUPPORTED: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 4: 'UINT16', 5: 'INT16', 8: 'STRING', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64',
  14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};

export const Cast = defineOp<CastAttrs>({
  name: 'Cast',
  inputs: [1, 1],
  outputs: [1, 1],
  // saturate (opset 19) only concerns float8 targets, which are rejected anyway.
  attributes: { to: { type: 'int', required: true }, saturate: { type: 'int' } },
  parse(raw) {
    const code = raw.to as number, to = ONNX_DTYPES[code];
    if (!to) {
      const supported = Object.entries(ONNX_DTYPES).map(([c, d]) => `${c} (${d})`).join(', ');
      throw new OpError(`attribute 'to' = ${code}${UNSUPPORTED[code] ? ` (${UNSUPPORTED[code]})` : ''} is not a supported type; supported: ${supported}`);
    }
    return { to };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input');
    return [{ dtype: attrs.to, shape: x.shape.slice() }];
  },
});
