import type { AttrValue } from '../ops/types.js';
import { OnnxError } from './errors.js';
import { AttrP, AttrType, ATTR_TYPE_NAMES } from './onnx-proto.js';
import { I32, LEN, Reader, VARINT, wireName } from './protobuf.js';
import { decodeSparse } from './sparse-tensor.js';
import { decodeTensor, materialize, type TensorContext } from './tensor-proto.js';

const decoder = new TextDecoder('utf-8');

/**
 * One AttributeProto as a raw attribute value: int -> number, ints -> number[], float -> number,
 * floats -> number[], string -> string (UTF-8), strings -> string[], tensor (and sparse tensor,
 * densified) -> Tensor.
 *
 * int64 values outside the int32 range are clamped to it: the engine computes int64 in int32,
 * and the values that large in real models are INT64_MAX/MIN "to the end" sentinels, which
 * keep their meaning clamped.
 */
export function decodeAttribute(ctx: TensorContext, start: number, end: number, message: string): [string, AttrValue] {
  const r = new Reader(ctx.buf, start, end, message);
  let name = '', type = 0, f = 0, i = 0, s = '', t = -1, tEnd = -1, sparse = -1, sparseEnd = -1;
  const floats: number[] = [], ints: number[] = [], strings: string[] = [];
  const seen = new Set<number>();
  while (r.more()) {
    r.next();
    seen.add(r.field);
    switch (r.field) {
      case AttrP.name: name = r.string('name'); break;
      case AttrP.type: r.expect(VARINT, 'type'); type = r.int32Clamped(); break;
      case AttrP.f: f = r.float('f'); break;
      case AttrP.i: r.expect(VARINT, 'i'); i = r.int32Clamped(); break;
      case AttrP.s: { const p = r.span('s'); s = decoder.decode(r.buf.subarray(p, r.spanEnd)); break; }
      case AttrP.t: t = r.span('t'); tEnd = r.spanEnd; break;
      case AttrP.sparseTensor: sparse = r.span('sparse_tensor'); sparseEnd = r.spanEnd; break;
      case AttrP.floats: readRepeated(r, I32, 'floats', () => floats.push(r.float('floats')), (sub) => floats.push(sub.float('floats'))); break;
      case AttrP.ints: readRepeated(r, VARINT, 'ints', () => ints.push(r.int32Clamped()), (sub) => ints.push(sub.int32Clamped())); break;
      case AttrP.strings: strings.push(r.string('strings')); break;
      case AttrP.refAttrName: r.fail(`attribute '${name}' refers to a function attribute (ref_attr_name), which only function bodies may do`); break;
      default: r.skip();
    }
  }
  const what = `${message} '${name}'`;
  if (!name) throw new OnnxError(`${message}: attribute without a name`, start);
  if (type === 0) type = typeFromFields(seen);
  switch (type) {
    case AttrType.FLOAT: return [name, f];
    case AttrType.INT: return [name, i];
    case AttrType.STRING: return [name, s];
    case AttrType.FLOATS: return [name, floats];
    case AttrType.INTS: return [name, ints];
    case AttrType.STRINGS: return [name, strings];
    case AttrType.TENSOR:
      if (t < 0) throw new OnnxError(`${what}: a TENSOR attribute without a tensor (field t)`, start);
      return [name, materialize(decodeTensor(ctx.buf, t, tEnd, `${what}.t`), ctx, `${what} tensor`)];
    case AttrType.SPARSE_TENSOR:
      if (sparse < 0) throw new OnnxError(`${what}: a SPARSE_TENSOR attribute without a sparse_tensor`, start);
      return [name, decodeSparse(ctx, sparse, sparseEnd, `${what}.sparse_tensor`).tensor];
    case AttrType.GRAPH: case AttrType.GRAPHS:
      throw new OnnxError(`${what} is a ${ATTR_TYPE_NAMES[type]} attribute: subgraphs (If, Loop, Scan) are not supported`, start);
    default:
      throw new OnnxError(`${what} has ${ATTR_TYPE_NAMES[type] ? `type ${ATTR_TYPE_NAMES[type]}, which Tessera does not support` : `unknown attribute type ${type}`}`, start);
  }
}

/** A repeated scalar field: one value unpacked, or a packed run of them. */
function readRepeated(r: Reader, scalar: number, name: string, one: () => void, each: (sub: Reader) => void): void {
  if (r.wire === scalar) { one(); return; }
  if (r.wire !== LEN) r.fail(`${name} (field ${r.field}) has wire type ${wireName(r.wire)}, expected ${wireName(scalar)} or packed`);
  const s = r.span(name);
  const sub = new Reader(r.buf, s, r.spanEnd, `${r.message}.${name}`);
  // The packed form has no tags: Reader.float checks the wire type, so pretend it is set.
  sub.wire = scalar;
  while (sub.more()) { sub.at = sub.pos; each(sub); }
}

/** IR versions before 0.0.2 had no `type`: the value field present says it. */
function typeFromFields(seen: Set<number>): number {
  const order: [number, number][] = [
    [AttrP.f, AttrType.FLOAT], [AttrP.i, AttrType.INT], [AttrP.s, AttrType.STRING], [AttrP.t, AttrType.TENSOR],
    [AttrP.g, AttrType.GRAPH], [AttrP.floats, AttrType.FLOATS], [AttrP.ints, AttrType.INTS], [AttrP.strings, AttrType.STRINGS],
    [AttrP.sparseTensor, AttrType.SPARSE_TENSOR], [AttrP.graphs, AttrType.GRAPHS], [AttrP.tensors, AttrType.TENSORS],
  ];
  for (const [field, type] of order) if (seen.has(field)) return type;
  return AttrType.INTS; // an empty list: nothing says which kind
}
