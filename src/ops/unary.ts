import { defineOp, OpError, type OpSchema } from './types.js';
import { input } from './dims.js';
import { float } from './attrs.js';

/** Unary elementwise ops: same shape and dtype out. */
export type UnaryOpName =
  | 'Relu' | 'Sigmoid' | 'Tanh' | 'Erf' | 'Sqrt' | 'Exp' | 'Log' | 'Neg' | 'Abs' | 'Reciprocal'
  | 'Floor' | 'Ceil' | 'Softplus' | 'HardSigmoid' | 'HardSwish' | 'LeakyRelu' | 'Not';
export interface UnaryAttrs { op: UnaryOpName; alpha: number; beta: number }

const FLOAT_ONLY = new Set<UnaryOpName>(['Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Reciprocal', 'Floor', 'Ceil', 'Softplus', 'HardSigmoid', 'HardSwish', 'LeakyRelu']);

function unary(op: UnaryOpName, defaults: { alpha?: number; beta?: number } = {}): OpSchema<UnaryAttrs> {
  const attributes = {
    ...(defaults.alpha !== undefined ? { alpha: { type: 'float' as const } } : {}),
    ...(defaults.beta !== undefined ? { beta: { type: 'float' as const } } : {}),
  };
  return defineOp<UnaryAttrs>({
    name: op,
    inputs: [1, 1],
    outputs: [1, 1],
    attributes,
    parse: (raw) => ({ op, alpha: float(raw, 'alpha', defaults.alpha ?? 0), beta: float(raw, 'beta', defaults.beta ?? 0) }),
    infer(inputs) {
      const x = input(inputs, 0, 'X');
      if (op === 'Not' ? x.dtype !== 'bool' : x.dtype === 'bool') throw new OpError(`input X cannot be ${x.dtype}`);
      if (FLOAT_ONLY.has(op) && x.dtype !== 'float32' && x.dtype !== 'float16') throw new OpError(`input X must be float32 or float16, got ${x.dtype}`);
      return [{ dtype: x.dtype, shape: x.shape.slice() }];
    },
  });
}

export const Relu = unary('Relu');
export const Sigmoid = unary('Sigmoid');
export const Tanh = unary('Tanh');
export const Erf = unary('Erf');
export const Sqrt = unary('Sqrt');
export const Exp = unary('Exp');
export const Log = unary('Log');
export const Neg = unary('Neg');
export const Abs = unary('Abs');
export const Reciprocal = unary('Reciprocal');
export const Floor = unary('Floor');
export const Ceil = unary('Ceil');
export const Softplus = unary('Softplus');
export const HardSigmoid = unary('HardSigmoid', { alpha: 0.2, beta: 0.5 });
export const HardSwish = unary('HardSwish');
export const LeakyRelu = unary('LeakyRelu', { alpha: 0.01 });
export const Not = unary('Not');
