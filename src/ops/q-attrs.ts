import { OpError, type AttrSpec, type RawAttrs } from './types.js';

/**
 * Shared by the internal quantized ops (domain 'tessera', made by quantize()): how the float
 * input is fed to the integer weights. 'none' multiplies float activations by the int weights
 * (dequantizing in the epilogue); 'int8' quantizes each GEMM row of the input to int8 at run
 * time (symmetric, max |row| / 127), accumulates int8 x int8 exactly and dequantizes once.
 */
export type InputQuant = 'none' | 'int8';
export const INPUT_QUANTS: readonly InputQuant[] = ['none', 'int8'];

export const INPUT_QUANT_ATTR: Record<string, AttrSpec> = { input_quant: { type: 'string' } };

export function parseInputQuant(raw: RawAttrs): { inputQuant: InputQuant; rest: RawAttrs } {
  const { input_quant: v, ...rest } = raw;
  const q = (v as string | undefined) ?? 'none';
  if (!(INPUT_QUANTS as readonly string[]).includes(q)) throw new OpError(`attribute 'input_quant' must be one of ${INPUT_QUANTS.join(', ')}, got '${q}'`);
  return { inputQuant: q as InputQuant, rest };
}
