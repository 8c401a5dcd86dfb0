import type { KMeta } from '../types.js';

/**
 * A gpu.js program for one node: kernel source in gpu.js's JavaScript subset with every shape
 * number baked in, so the source is its own cache key (never a key built apart from it). The
 * kernel has a flat 1-D output of `outputSize` float32 values; its arguments are node inputs,
 * flat, by position.
 */
export interface GlProgram {
  source: string;
  outputSize: number;
  /** Node input index of each kernel argument, in argument order. */
  inputs: number[];
}

/** Why a node stays on the CPU. */
export interface Unsupported { unsupported: string }

/**
 * An op on the WebGL backend: from parsed attributes and concrete input/output metadata (constant
 * data included; `undefined` for omitted optional inputs), the program or the reason there is
 * none. Pure: no gpu.js access.
 */
export interface WebGlKernel<A> {
  lower(attrs: A, inputs: readonly (KMeta | undefined)[], outputs: readonly KMeta[]): GlProgram | Unsupported;
}

export function webglKernel<A>(k: WebGlKernel<A>): WebGlKernel<A> { return k; }

export function isUnsupported(p: GlProgram | Unsupported): p is Unsupported { return 'unsupported' in p; }
