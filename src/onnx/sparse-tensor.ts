import { dtypeBytes, publicArrayType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { OnnxError } from './errors.js';
import { SparseP } from './onnx-proto.js';
import { Reader } from './protobuf.js';
import { decodeTensor, elementCount, materialize, readDims, type TensorContext, type TensorSpec } from './tensor-proto.js';

/**
 * Densified sparse tensors may not grow past this: a sparse initializer's dense size is not
 * bounded by the file's, and a hostile file must not be able to ask for gigabytes.
 */
export const MAX_DENSIFIED_BYTES = 1 << 30;

/**
 * A SparseTensorProto (sparse_initializer, sparse_value attributes) as a dense Tensor named
 * after its values. Tessera's own sparse formats come from prune(); ONNX sparse storage is
 * densified on load for now (it is rare in exported models).
 */
export function decodeSparse(ctx: TensorContext, start: number, end: number, message: string): { name: string; tensor: Tensor } {
  const r = new Reader(ctx.buf, start, end, message);
  let values: TensorSpec | undefined, indices: TensorSpec | undefined;
  const dims: number[] = [];
  while (r.more()) {
    r.next();
    if (r.field === SparseP.values) { const s = r.span('values'); values = decodeTensor(ctx.buf, s, r.spanEnd, `${message}.values`); }
    else if (r.field === SparseP.indices) { const s = r.span('indices'); indices = decodeTensor(ctx.buf, s, r.spanEnd, `${message}.indices`); }
    else if (r.field === SparseP.dims) readDims(r, dims, 'dims');
    else r.skip();
  }
  if (!values || !indices) throw new OnnxError(`${message}: sparse tensor without ${values ? 'indices' : 'values'}`, start);
  const label = `${message} '${values.name}'`;
  const v = materialize(values, ctx, `${message} values`);
  const ix = materialize(indices, ctx, `${message} indices`);
  const n = elementCount(dims, label, start);
  if (n * dtypeBytes(v.dtype) > MAX_DENSIFIED_BYTES) {
    throw new OnnxError(`${label}: densifying [${dims.join(', ')}] would take ${n * dtypeBytes(v.dtype)} bytes, over the ${MAX_DENSIFIED_BYTES}-byte limit`, start);
  }
  const nnz = v.size;
  if (v.rank !== 1) throw new OnnxError(`${label}: values must be 1-D, got [${v.shape.join(', ')}]`, values.start);
  if (ix.dtype !== 'int64') throw new OnnxError(`${label}: indices must be int64, got ${ix.dtype}`, indices.start);
  const linear = ix.rank === 1 && ix.shape[0] === nnz;
  if (!linear && !(ix.rank === 2 && ix.shape[0] === nnz && ix.shape[1] === dims.length)) {
    throw new OnnxError(`${label}: indices must be [${nnz}] or [${nnz}, ${dims.length}], got [${ix.shape.join(', ')}]`, indices.start);
  }
  const idx = ix.data as BigInt64Array, src = v.data as ArrayLike<number | bigint>;
  const out = new (publicArrayType(v.dtype))(n) as unknown as (number | bigint)[];
  for (let k = 0; k < nnz; k++) {
    let at = 0;
    if (linear) at = Number(idx[k]);
    else for (let d = 0; d < dims.length; d++) {
      const c = Number(idx[k * dims.length + d]);
      if (c < 0 || c >= dims[d]) { at = -1; break; }
      at = at * dims[d] + c;
    }
    if (!(at >= 0 && at < n)) throw new OnnxError(`${label}: index ${k} points outside [${dims.join(', ')}]`, indices.start);
    out[at] = src[k];
  }
  return { name: values.name, tensor: new Tensor(v.dtype, dims, out as unknown as Float32Array) };
}
