/**
 * Hand-written ONNX protobuf for tests: models the way other exporters write them (typed data
 * fields, external data, sparse initializers, legacy inputs), field by field with onnx.proto's
 * numbers, so the reader is checked against the format rather than against our own writer.
 */
import { Writer } from '../../src/onnx/protobuf.js';

export const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9, FLOAT16 = 10, DOUBLE = 11;

/** Varint bytes of any int64 (negative: ten bytes, two's complement). */
export function varintBytes(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) { out.push(Number(x & 0x7fn) | 0x80); x >>= 7n; }
  out.push(Number(x));
  return out;
}

function packedVarints(field: number, values: readonly (number | bigint)[], w: Writer): void {
  w.bytes(field, Uint8Array.from(values.flatMap((v) => varintBytes(v))));
}

export interface TensorFields {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: (number | bigint)[];
  /** Write typed data unpacked (one tag per value) instead of packed. */
  unpacked?: boolean;
  external?: Record<string, string>;
}

export function tensorProto(f: TensorFields): Writer {
  const w = new Writer();
  for (const d of f.dims) w.int64(1, d);
  w.tag(2, 0); w.varint(f.dataType);
  w.string(8, f.name);
  if (f.floatData) {
    if (f.unpacked) for (const v of f.floatData) w.float(4, v);
    else w.bytes(4, new Uint8Array(Float32Array.from(f.floatData).buffer));
  }
  if (f.int32Data) {
    if (f.unpacked) for (const v of f.int32Data) w.int64(5, v);
    else packedVarints(5, f.int32Data, w);
  }
  if (f.int64Data) {
    if (f.unpacked) for (const v of f.int64Data) { w.tag(7, 0); w.raw(varintBytes(v)); }
    else packedVarints(7, f.int64Data, w);
  }
  if (f.raw) w.bytes(9, f.raw);
  if (f.external) {
    for (const [k, v] of Object.entries(f.external)) {
      const e = new Writer(); e.string(1, k); e.string(2, v); w.message(13, e);
    }
    w.tag(14, 0); w.varint(1);
  }
  return w;
}

/** A ValueInfoProto; a dim of null is a Dimension with neither value nor param. */
export function valueInfo(name: string, elemType: number, dims: (number | string | null)[] | null): Writer {
  const tt = new Writer();
  tt.tag(1, 0); tt.varint(elemType);
  if (dims) {
    const shape = new Writer();
    for (const d of dims) {
      const dim = new Writer();
      if (typeof d === 'number') { dim.tag(1, 0); dim.varint(d); } else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tt.message(2, shape);
  }
  const type = new Writer(); type.message(1, tt);
  const w = new Writer(); w.string(1, name); w.message(2, type);
  return w;
}

export interface AttrFields {
  name: string;
  /** AttributeType; omitted: no type field (IR before 0.0.2 wrote none). */
  type?: number;
  f?: number;
  i?: number | bigint;
  s?: string;
  t?: Writer;
  g?: Writer;
  floats?: number[];
  ints?: (number | bigint)[];
  strings?: string[];
  packed?: boolean;
}

export function attribute(a: AttrFields): Writer {
  const w = new Writer();
  w.string(1, a.name);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) { w.tag(3, 0); w.raw(varintBytes(a.i)); }
  if (a.s !== undefined) w.string(4, a.s);
  if (a.t) w.message(5, a.t);
  if (a.g) w.message(6, a.g);
  if (a.floats) {
    if (a.packed) w.bytes(7, new Uint8Array(Float32Array.from(a.floats).buffer));
    else for (const v of a.floats) w.float(7, v);
  }
  if (a.ints) {
    if (a.packed) packedVarints(8, a.ints, w);
    else for (const v of a.ints) { w.tag(8, 0); w.raw(varintBytes(v)); }
  }
  for (const s of a.strings ?? []) w.string(9, s);
  if (a.type !== undefined) { w.tag(20, 0); w.varint(a.type); }
  return w;
}

/** A SparseTensorProto. */
export function sparseTensor(values: Writer, indices: Writer, dims: number[]): Writer {
  const w = new Writer();
  w.message(1, values);
  w.message(2, indices);
  for (const d of dims) w.int64(3, d);
  return w;
}

export function node(op: string, inputs: string[], outputs: string[], opts: { name?: string; domain?: string; attrs?: Writer[] } = {}): Writer {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  if (opts.name) w.string(3, opts.name);
  w.string(4, op);
  for (const a of opts.attrs ?? []) w.message(5, a);
  if (opts.domain) w.string(7, opts.domain);
  return w;
}

export function graph(g: { name?: string; nodes?: Writer[]; initializers?: Writer[]; sparse?: Writer[]; inputs?: Writer[]; outputs?: Writer[] }): Writer {
  const w = new Writer();
  for (const n of g.nodes ?? []) w.message(1, n);
  w.string(2, g.name ?? 'fixture');
  for (const t of g.initializers ?? []) w.message(5, t);
  for (const v of g.inputs ?? []) w.message(11, v);
  for (const v of g.outputs ?? []) w.message(12, v);
  for (const s of g.sparse ?? []) w.message(15, s);
  return w;
}

export function model(g: Writer, opts: { opset?: number | null; irVersion?: number; domains?: [string, number][]; metadata?: Record<string, string> } = {}): Uint8Array {
  const w = new Writer();
  w.int64(1, opts.irVersion ?? 8);
  w.string(2, 'fixture-writer');
  w.message(7, g);
  const opsets: [string, number][] = [...(opts.opset === null ? [] : [['', opts.opset ?? 17] as [string, number]]), ...(opts.domains ?? [])];
  for (const [d, v] of opsets) {
    const o = new Writer();
    if (d) o.string(1, d);
    o.int64(2, v);
    w.message(8, o);
  }
  for (const [k, v] of Object.entries(opts.metadata ?? {})) {
    const e = new Writer(); e.string(1, k); e.string(2, v); w.message(14, e);
  }
  return w.finish();
}
