import type { PackedWeight } from '../../src/graph/graph.js';

/**
 * What the quantized kernels read from a packed weight (src/quant/formats defines and documents
 * the formats; these are structural views so kernels import no code from src). The dense weight
 * is a matrix of `rows` output channels by `depth` (K) reduction elements; `axis` says which
 * dense axis the channels are (0: Conv W [M, C/g, kh, kw] and Gather data [V, H]; 1: MatMul B [K, N]).
 */
export interface Int8View extends PackedWeight {
  readonly format: 'int8';
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;
  /** Bytes from one row's quants to the next (depth rounded up to a multiple of 4). */
  readonly stride: number;
  readonly quants: Int8Array;
  readonly scales: Float32Array;
}

export interface Int4View extends PackedWeight {
  readonly format: 'int4';
  readonly axis: 0 | 1;
  readonly rows: number;
  readonly depth: number;
  readonly groupSize: number;
  /** Groups per row: ceil(depth / groupSize). */
  readonly blocks: number;
  /** rows * blocks * groupSize / 2 bytes, two nibbles (q + 8) per byte, low nibble first. */
  readonly quants: Uint8Array;
  /** The float16 scales decoded to float32, rows * blocks (a fresh array). */
  scalesFloat32(): Float32Array;
}

export type QuantView = Int8View | Int4View;

/** The packed weight of a quantized node's input, checked at plan time (an error names what is wrong). */
export function quantView(p: PackedWeight | undefined, op: string, axis: 0 | 1): QuantView {
  if (!p) throw new Error(`${op} needs its weight (input 1) as a packed int8 or int4 initializer (made by quantize()), got a plain tensor`);
  if (p.format !== 'int8' && p.format !== 'int4') throw new Error(`${op} needs an int8 or int4 packed weight, got format '${p.format}'`);
  const v = p as QuantView;
  if (v.axis !== axis) throw new Error(`${op} needs a weight quantized along axis ${axis} (output channels), got axis ${v.axis} for shape [${p.shape.join(', ')}]`);
  return v;
}
