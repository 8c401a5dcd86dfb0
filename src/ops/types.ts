import type { DType, KernelData } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** A dimension: a number, or a symbol (`dim_param` / not yet known: '?'). */
export type Dim = number | string;

/** The type of a value during shape inference; `value` holds a constant's kernel data when known. */
export interface ValueType {
  dtype: DType;
  shape: Dim[];
  value?: KernelData;
}

export type AttrType = 'int' | 'ints' | 'float' | 'floats' | 'string' | 'strings' | 'tensor';
export type AttrValue = number | string | number[] | string[] | Tensor;
export type RawAttrs = Record<string, AttrValue>;

export interface AttrSpec {
  type: AttrType;
  /** Absent and required: parsing fails. Absent with a default: the default is used. */
  required?: boolean;
}

/**
 * One op's schema: the single place that knows its inputs, attributes and shape rule.
 * The IR, shape inference, the ONNX mapper and every backend key off it.
 */
export interface OpSchema<A = unknown> {
  readonly name: string;
  /** ONNX domain ('' = ai.onnx); internal fused ops live in 'tessera'. */
  readonly domain?: string;
  /** [min, max] input count (optional inputs may be given as ''). */
  readonly inputs: readonly [number, number];
  readonly outputs: readonly [number, number];
  readonly attributes: Readonly<Record<string, AttrSpec>>;
  /** Validate raw attributes (types already checked) into the parsed form kernels use. */
  parse(raw: RawAttrs): A;
  /** Output types from input types; throw an Error whose message says what is wrong. */
  infer(inputs: readonly (ValueType | undefined)[], attrs: A): ValueType[];
}

export function defineOp<A>(schema: OpSchema<A>): OpSchema<A> { return schema; }

/** Thrown by parse/infer; the caller adds node and op names. */
export class OpError extends Error {
  override name = 'OpError';
}
