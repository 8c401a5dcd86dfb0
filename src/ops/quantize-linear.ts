import type { DType } from '../dtype.js';
import { defineOp, OpError } from './types.js';
import { expectDType, input } from './dims.js';
import { int } from './attrs.js';
import { ONNX_DTYPES } from './cast.js';
import { checkQuantParams, rejectBlocked } from './quant-params.js';

export interface QuantizeLinearAttrs { axis: number; outputDtype?: DType }

/**
 * y = saturate(roundHalfEven(x / y_scale) + y_zero_point), per tensor or per axis; the output
 * type is y_zero_point's (uint8 when it is absent, or `output_dtype`). The division is float32,
 * as onnxruntime computes it.
 */
export const QuantizeLinear = defineOp<QuantizeLinearAttrs>({
  name: 'QuantizeLinear',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: { axis: { type: 'int' }, saturate: { type: 'int' }, block_size: { type: 'int' }, output_dtype: { type: 'int' } },
  parse(raw) {
    rejectBlocked(raw);
    const code = raw.output_dtype as number | undefined;
    if (code !== undefined && code !== 0) {
      const t = ONNX_DTYPES[code];
      if (t !== 'uint8' && t !== 'int8') throw new OpError(`attribute 'output_dtype' = ${code} is not supported; use 2 (uint8) or 3 (int8)`);
      return { axis: int(raw, 'axis', 1), outputDtype: t };
    }
    return { axis: int(raw, 'axis', 1) };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'x'), s = input(inputs, 1, 'y_scale'), zp = inputs[2];
    expectDType(x, 'x', ['float32', 'float16', 'int32']);
    if (zp) expectDType(zp, 'y_zero_point', ['uint8', 'int8']);
    checkQuantParams(x, s, zp, attrs.axis, ['x', 'y_scale', 'y_zero_point']);
    const dtype = zp?.dtype ?? attrs.outputDtype ?? 'uint8';
    if (zp && attrs.outputDtype && zp.dtype !== attrs.outputDtype) throw new OpError(`attribute 'output_dtype' (${attrs.outputDtype}) disagrees with y_zero_point's type ${zp.dtype}`);
    return [{ dtype, shape: x.shape.slice() }];
  },
});
