import type { DType } from '../../src/dtype.js';
import type { KMeta } from '../types.js';

/**
 * WGSL element type of a tensor in GPU storage. Every dtype takes 4 bytes there (WGSL has no
 * 8-bit storage type; bool, int8 and uint8 are widened at upload), except floats under f16
 * precision, stored as f16.
 */
export type StorageType = 'f32' | 'f16' | 'i32' | 'u32';

export function storageType(dtype: DType, f16: boolean): StorageType {
  switch (dtype) {
    case 'float32': case 'float16': return f16 ? 'f16' : 'f32';
    case 'int32': case 'int64': case 'int8': return 'i32';
    case 'uint8': case 'bool': return 'u32';
  }
}

export function storageBytes(t: StorageType): number { return t === 'f16' ? 2 : 4; }

/** What a lowering knows about the device it targets. */
export interface GpuEnv {
  /** Floats are stored as f16 (the device has shader-f16 and precision 'f16' was asked for). */
  f16: boolean;
  /** maxComputeWorkgroupsPerDimension. */
  maxGroups: number;
}

/** A uniform field: every field is one 4-byte scalar, so layout is the field order. */
export interface UniformField { name: string; type: 'u32' | 'i32' | 'f32' }

/** How a storage binding is used by a program. */
export type Access = 'read' | 'read_write';

/**
 * A WGSL program generated from a plain spec object. The source, the bind layout, the uniform
 * layout and the pipeline-cache key all come from the same spec: the key is the spec itself,
 * so it can never miss something the source baked in.
 */
export interface Program<S> {
  readonly name: string;
  wgsl(spec: S): string;
  key(spec: S): string;
  /** Storage bindings 0..n-1 in order; the uniform buffer (if any) is binding n. */
  bindings(spec: S): Access[];
  uniforms(spec: S): UniformField[];
}

export function defineProgram<S>(p: { name: string; wgsl(spec: S): string; bindings(spec: S): Access[]; uniforms(spec: S): UniformField[] }): Program<S> {
  return { ...p, key: (spec: S) => `${p.name}:${JSON.stringify(spec)}` };
}

/**
 * A buffer bound to a dispatch: a node input or output by position, a scratch buffer of the
 * lowering, or constant data the lowering derived (e.g. packed weight arrays: uploaded once per
 * session, cached by the identity of the array).
 */
export type BufferRef = { input: number } | { output: number } | { scratch: number } | { data: ArrayBufferView };

export interface Dispatch {
  program: Program<any>;
  spec: unknown;
  bindings: BufferRef[];
  uniforms: Record<string, number>;
  workgroups: [number, number, number];
}

/**
 * A node as GPU work: dispatches in order (with scratch buffers that live for the node only),
 * or `alias`: output 0 is input `alias` reinterpreted (same bytes, new shape), no copy at all.
 */
export type Lowering = { dispatches: Dispatch[]; scratchBytes?: number[] } | { alias: number };

/** Why a node cannot run on the GPU (it falls back to the CPU kernel). */
export interface Unsupported { unsupported: string }

/**
 * An op on the WebGPU backend: from parsed attributes and concrete input/output metadata
 * (constant data included, `undefined` for omitted optional ones), the GPU work or the reason
 * there is none. Pure: no device access.
 */
export interface WebGpuKernel<A> {
  lower(attrs: A, inputs: readonly (KMeta | undefined)[], outputs: readonly (KMeta | undefined)[], env: GpuEnv): Lowering | Unsupported;
}

export function webgpuKernel<A>(k: WebGpuKernel<A>): WebGpuKernel<A> { return k; }

export function isUnsupported(l: Lowering | Unsupported): l is Unsupported { return 'unsupported' in l; }

export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
