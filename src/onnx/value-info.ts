import type { ValueInfo } from '../graph/graph.js';
import type { Dim } from '../ops/types.js';
import { OnnxError } from './errors.js';
import { DimP, DTYPE_CODE, dtypeOfCode, unsupportedType, ShapeP, TensorTypeP, TypeP, ValueInfoP } from './onnx-proto.js';
import { Reader, VARINT, Writer } from './protobuf.js';

/** A ValueInfoProto as read: element type code (0 = none), shape (null = unknown rank). */
export interface ValueSpec {
  name: string;
  code: number;
  shape: Dim[] | null;
  /** The kind of a non-tensor type (sequence, map, ...), for the error message. */
  otherType: string;
  at: number;
}

const OTHER_TYPES: Record<number, string> = { [TypeP.sequenceType]: 'a sequence', [TypeP.mapType]: 'a map', [TypeP.sparseTensorType]: 'a sparse tensor', [TypeP.optionalType]: 'an optional' };

export function decodeValueInfo(buf: Uint8Array, start: number, end: number, message: string): ValueSpec {
  const v: ValueSpec = { name: '', code: 0, shape: null, otherType: '', at: start };
  const r = new Reader(buf, start, end, message);
  while (r.more()) {
    r.next();
    if (r.field === ValueInfoP.name) v.name = r.string('name');
    else if (r.field === ValueInfoP.type) {
      const s = r.span('type');
      decodeType(new Reader(buf, s, r.spanEnd, `${message}.type`), v);
    } else r.skip();
  }
  return v;
}

function decodeType(r: Reader, v: ValueSpec): void {
  while (r.more()) {
    r.next();
    if (r.field === TypeP.tensorType) {
      const s = r.span('tensor_type');
      const t = new Reader(r.buf, s, r.spanEnd, `${r.message}.tensor_type`);
      while (t.more()) {
        t.next();
        if (t.field === TensorTypeP.elemType) { t.expect(VARINT, 'elem_type'); v.code = t.int32Clamped(); }
        else if (t.field === TensorTypeP.shape) { const ss = t.span('shape'); v.shape = decodeShape(new Reader(t.buf, ss, t.spanEnd, `${t.message}.shape`)); }
        else t.skip();
      }
    } else if (OTHER_TYPES[r.field]) { v.otherType = OTHER_TYPES[r.field]; r.skip(); }
    else r.skip();
  }
}

function decodeShape(r: Reader): Dim[] {
  const dims: Dim[] = [];
  while (r.more()) {
    r.next();
    if (r.field !== ShapeP.dim) { r.skip(); continue; }
    const s = r.span('dim');
    const d = new Reader(r.buf, s, r.spanEnd, `${r.message}.dim[${dims.length}]`);
    let dim: Dim = '?';
    while (d.more()) {
      d.next();
      if (d.field === DimP.dimValue) { d.expect(VARINT, 'dim_value'); dim = d.size('dim_value'); }
      else if (d.field === DimP.dimParam) dim = d.string('dim_param') || '?';
      else d.skip();
    }
    dims.push(dim);
  }
  return dims;
}

/** The graph-level ValueInfo; inputs must have a known rank, outputs may not (shape [] then). */
export function toValueInfo(v: ValueSpec, role: 'input' | 'output'): ValueInfo {
  const what = `graph ${role} '${v.name}'`;
  if (v.otherType) throw new OnnxError(`${what} is ${v.otherType}; Tessera handles tensors only`, v.at);
  if (!v.code) throw new OnnxError(`${what} has no tensor element type`, v.at);
  const dtype = dtypeOfCode(v.code);
  if (!dtype) throw new OnnxError(`${what}: ${unsupportedType(v.code)}`, v.at);
  if (v.shape === null && role === 'input') throw new OnnxError(`${what} has no shape; Tessera needs the rank of every graph input`, v.at);
  return { name: v.name, dtype, shape: v.shape ?? [] };
}

/** ValueInfoProto for a graph input or output (symbolic dims as dim_param, '?' as an empty dim). */
export function encodeValueInfo(v: ValueInfo, withShape = true): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') { dim.tag(DimP.dimValue, VARINT); dim.varint(d); }
    else if (d !== '?' && d !== '') dim.string(DimP.dimParam, d);
    shape.message(ShapeP.dim, dim);
  }
  const tensor = new Writer();
  if (v.dtype) { tensor.tag(TensorTypeP.elemType, VARINT); tensor.varint(DTYPE_CODE[v.dtype]); }
  if (withShape) tensor.message(TensorTypeP.shape, shape);
  const type = new Writer();
  type.message(TypeP.tensorType, tensor);
  const w = new Writer();
  w.string(ValueInfoP.name, v.name);
  w.message(ValueInfoP.type, type);
  return w;
}
