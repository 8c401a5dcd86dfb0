import { isPacked, type Graph, type Initializer, type PackedWeight } from '../../graph/graph.js';

/** Ops whose kernels split their packed weight's work across threads (kernels/cpu/jobs.ts). */
const SPLIT_OPS = new Set(['QMatMul', 'QConv', 'SparseMatMul', 'SparseConv']);

/** sharePacked for the packed weights the split kernels read; others (e.g. QGather's embedding tables) are not copied. */
export function sharePackedOf(graph: Graph): Map<string, PackedWeight> {
  const read = new Set(graph.nodes.filter((n) => SPLIT_OPS.has(n.op)).flatMap((n) => n.inputs));
  return sharePacked(new Map([...graph.initializers].filter(([name]) => read.has(name))));
}

/**
 * Packed weights (quantized, sparse) whose typed arrays workers can read: those already all in
 * shared memory as they are, the others as copies with each typed array copied into a
 * SharedArrayBuffer. The copy keeps the original's class (prototype) and every other field, so
 * it is the same format to its kernel; the user's Graph and its weights are left untouched.
 * Kernels that repack a weight at plan time put the repacked arrays in shared memory when the
 * source is (kernels/cpu/shared-alloc.ts).
 */
export function sharePacked(initializers: ReadonlyMap<string, Initializer>): Map<string, PackedWeight> {
  const out = new Map<string, PackedWeight>();
  for (const [name, w] of initializers) if (isPacked(w)) out.set(name, shareArrays(w));
  return out;
}

function shareArrays(w: PackedWeight): PackedWeight {
  const own = Object.getOwnPropertyDescriptors(w);
  const unshared = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v.buffer instanceof SharedArrayBuffer);
  if (!Object.values(own).some((d) => unshared(d.value))) return w;
  for (const d of Object.values(own)) if (unshared(d.value)) d.value = sharedCopy(d.value);
  return Object.create(Object.getPrototypeOf(w) as object, own) as PackedWeight;
}

function sharedCopy(v: ArrayBufferView): ArrayBufferView {
  const Ctor = v.constructor as new (b: ArrayBufferLike, off: number, n: number) => ArrayBufferView & { set(a: ArrayLike<number>): void; length: number };
  const src = v as ArrayBufferView & { length: number };
  const c = new Ctor(new SharedArrayBuffer(v.byteLength), 0, src.length);
  c.set(src as unknown as ArrayLike<number>);
  return c;
}
