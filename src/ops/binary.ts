import type { DType } from '../dtype.js';
import { defineOp, OpError, type OpSchema } from './types.js';
import { broadcast, input } from './dims.js';

/** Binary elementwise ops with numpy broadcasting (one family, one rule). */
export type BinaryOpName = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min' | 'Equal' | 'Less' | 'Greater' | 'And' | 'Or';
export interface BinaryAttrs { op: BinaryOpName }

const COMPARE = new Set<BinaryOpName>(['Equal', 'Less', 'Greater']);
const LOGICAL = new Set<BinaryOpName>(['And', 'Or']);

function binary(op: BinaryOpName): OpSchema<BinaryAttrs> {
  return defineOp<BinaryAttrs>({
    name: op,
    inputs: [2, 2],
    outputs: [1, 1],
    attributes: {},
    parse: () => ({ op }),
    infer(inputs) {
      const a = input(inputs, 0, 'A'), b = input(inputs, 1, 'B');
      // Pow allows a different exponent type; everything else needs matching dtypes.
      if (op !== 'Pow' && a.dtype !== b.dtype) throw new OpError(`inputs A and B must have the same dtype, got ${a.dtype} and ${b.dtype}`);
      if (LOGICAL.has(op) && a.dtype !== 'bool') throw new OpError(`inputs must be bool, got ${a.dtype}`);
      if (!LOGICAL.has(op) && a.dtype === 'bool' && op !== 'Equal') throw new OpError(`input A must be numeric, got bool`);
      const dtype: DType = COMPARE.has(op) ? 'bool' : a.dtype;
      return [{ dtype, shape: broadcast([a.shape, b.shape]) }];
    },
  });
}

export const Add = binary('Add');
export const Sub = binary('Sub');
export const Mul = binary('Mul');
export const Div = binary('Div');
export const Pow = binary('Pow');
export const Max = binary('Max');
export const Min = binary('Min');
export const Equal = binary('Equal');
export const Less = binary('Less');
export const Greater = binary('Greater');
export const And = binary('And');
export const Or = binary('Or');
