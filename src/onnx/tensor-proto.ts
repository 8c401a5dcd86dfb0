import { type DType, type TensorData, dtypeBytes, publicArrayType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { OnnxError } from './errors.js';
import { dtypeOfCode, unsupportedType, TensorP, StringEntry } from './onnx-proto.js';
import { I32, I64, LEN, Reader, VARINT, wireName } from './protobuf.js';
import { countRepeated, fillRepeated, type Kind } from './repeated.js';

/** What loading needs besides the bytes. */
export interface TensorContext {
  readonly buf: Uint8Array;
  readonly externalData?: (location: string) => Uint8Array;
  /** Shift unaligned raw_data inside `buf` instead of copying it (buf is consumed). */
  readonly inPlace: boolean;
  readonly externalCache: Map<string, Uint8Array>;
}

/** A TensorProto's fields, decoded but not yet turned into a Tensor. */
export interface TensorSpec {
  name: string;
  code: number;
  dims: number[];
  /** The message: where it starts and ends in the input. */
  start: number;
  end: number;
  rawStart: number;
  rawEnd: number;
  /** Field number of the typed data field present (float_data, int32_data, ...), or 0. */
  typedField: number;
  external: boolean;
  externalEntries: Map<string, string>;
}

const MAX_ELEMENTS = 0x7fffffff;
const TYPED_NAMES: Record<number, string> = { 4: 'float_data', 5: 'int32_data', 6: 'string_data', 7: 'int64_data', 10: 'double_data', 11: 'uint64_data' };

/** Dims of a tensor: each a non-negative integer below 2^31, packed or not. */
export function readDims(r: Reader, dims: number[], name: string): void {
  if (r.wire !== LEN) { r.expect(VARINT, name); dims.push(r.size(`${name}[${dims.length}]`)); return; }
  const s = r.span(name);
  const sub = new Reader(r.buf, s, r.spanEnd, r.message);
  while (sub.more()) { sub.at = sub.pos; dims.push(sub.size(`${name}[${dims.length}]`)); }
}

export function decodeTensor(buf: Uint8Array, start: number, end: number, message: string): TensorSpec {
  const r = new Reader(buf, start, end, message);
  const t: TensorSpec = { name: '', code: 0, dims: [], start, end, rawStart: -1, rawEnd: -1, typedField: 0, external: false, externalEntries: new Map() };
  while (r.more()) {
    r.next();
    switch (r.field) {
      case TensorP.dims: readDims(r, t.dims, 'dims'); break;
      case TensorP.dataType: r.expect(VARINT, 'data_type'); t.code = r.int32Clamped(); break;
      case TensorP.name: t.name = r.string('name'); break;
      case TensorP.rawData: t.rawStart = r.span('raw_data'); t.rawEnd = r.spanEnd; break;
      case TensorP.segment: r.fail('segmented tensors (TensorProto.segment) are not supported'); break;
      case TensorP.floatData: case TensorP.int32Data: case TensorP.int64Data:
      case TensorP.doubleData: case TensorP.uint64Data: case TensorP.stringData: {
        const scalar = r.field === TensorP.floatData ? I32 : r.field === TensorP.doubleData ? I64 : VARINT;
        if (r.wire !== LEN && (r.wire !== scalar || r.field === TensorP.stringData)) {
          r.fail(`${TYPED_NAMES[r.field]} (field ${r.field}) has wire type ${wireName(r.wire)}, expected ${wireName(scalar)} or packed`);
        }
        t.typedField ||= r.field;
        r.skip();
        break;
      }
      case TensorP.externalData: {
        const s = r.span('external_data');
        const e = new Reader(buf, s, r.spanEnd, `${message}.external_data`);
        let key = '', value = '';
        while (e.more()) {
          e.next();
          if (e.field === StringEntry.key) key = e.string('key');
          else if (e.field === StringEntry.value) value = e.string('value');
          else e.skip();
        }
        t.externalEntries.set(key, value);
        break;
      }
      case TensorP.dataLocation: r.expect(VARINT, 'data_location'); r.varint(); t.external = r.lo === 1 && r.hi === 0; break;
      default: r.skip();
    }
  }
  return t;
}

/** Element count, or a failure when it is absurd. */
export function elementCount(dims: readonly number[], what: string, at: number): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > MAX_ELEMENTS) throw new OnnxError(`${what}: dims [${dims.join(', ')}] hold over 2^31 - 1 elements`, at);
  }
  return n;
}

/** The Tensor a TensorProto describes; raw data is a view into the input where alignment allows. */
export function materialize(t: TensorSpec, ctx: TensorContext, what: string): Tensor {
  const label = `${what} '${t.name}'`;
  const dtype = dtypeOfCode(t.code);
  if (!dtype) throw new OnnxError(`${label}: ${unsupportedType(t.code)}`, t.start);
  const n = elementCount(t.dims, label, t.start);
  const bytes = n * dtypeBytes(dtype);
  let data: TensorData;
  if (t.external) data = fromExternal(t, ctx, dtype, n, bytes, label);
  else if (t.rawStart >= 0) {
    const len = t.rawEnd - t.rawStart;
    if (len !== bytes) throw new OnnxError(`${label}: raw_data is ${len} bytes but ${dtype} [${t.dims.join(', ')}] needs ${bytes}`, t.rawStart);
    data = view(ctx.buf, t.rawStart, dtype, n, ctx.inPlace ? t.rawStart - t.start : 0);
  } else if (t.typedField) data = fromTypedField(t, ctx.buf, dtype, n, label);
  else if (n === 0) data = new (publicArrayType(dtype))(0);
  else throw new OnnxError(`${label}: ${dtype} [${t.dims.join(', ')}] has no data (no raw_data, typed data or external data)`, t.start);
  return new Tensor(dtype, t.dims, data);
}

/**
 * Typed array over `buf[start, start + n * size)`: zero-copy when the address is aligned to the
 * element size; otherwise shifted back by up to `slack` bytes in place (bytes already decoded),
 * or copied.
 */
function view(buf: Uint8Array, start: number, dtype: DType, n: number, slack: number): TensorData {
  const Ctor = publicArrayType(dtype), size = Ctor.BYTES_PER_ELEMENT, bytes = n * size;
  if (dtype === 'bool') for (let i = start; i < start + bytes; i++) if (buf[i] > 1) return normalizedBool(buf, start, n);
  const mis = (buf.byteOffset + start) % size;
  if (mis && mis <= slack) {
    buf.copyWithin(start - mis, start, start + bytes);
    start -= mis;
  } else if (mis) {
    const out = new Ctor(n);
    new Uint8Array(out.buffer).set(buf.subarray(start, start + bytes));
    return out;
  }
  return new Ctor(buf.buffer, buf.byteOffset + start, n);
}

function normalizedBool(buf: Uint8Array, start: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = +(buf[start + i] !== 0);
  return out;
}

const TYPED_FIELD: Record<DType, [number, Kind, string]> = {
  float32: [TensorP.floatData, 'f32', 'float_data'], int64: [TensorP.int64Data, 'varint', 'int64_data'],
  int32: [TensorP.int32Data, 'varint', 'int32_data'], int8: [TensorP.int32Data, 'varint', 'int32_data'],
  uint8: [TensorP.int32Data, 'varint', 'int32_data'], bool: [TensorP.int32Data, 'varint', 'int32_data'],
  float16: [TensorP.int32Data, 'varint', 'int32_data'],
};

function fromTypedField(t: TensorSpec, buf: Uint8Array, dtype: DType, n: number, label: string): TensorData {
  const [field, kind, name] = TYPED_FIELD[dtype];
  const count = countRepeated(buf, t.start, t.end, field, kind, label, name);
  if (count !== n && count === 0 && t.typedField !== field) throw new OnnxError(`${label}: ${dtype} data belongs in ${name}, but the tensor has ${TYPED_NAMES[t.typedField]}`, t.start);
  if (count !== n) throw new OnnxError(`${label}: ${name} has ${count} values but ${dtype} [${t.dims.join(', ')}] needs ${n}`, t.start);
  const out = new (publicArrayType(dtype))(n);
  fillRepeated(buf, t.start, t.end, field, kind, label, name, out, dtype === 'bool');
  return out;
}

function fromExternal(t: TensorSpec, ctx: TensorContext, dtype: DType, n: number, bytes: number, label: string): TensorData {
  const location = t.externalEntries.get('location');
  if (!location) throw new OnnxError(`${label}: external data without a 'location' entry`, t.start);
  if (!ctx.externalData) {
    throw new OnnxError(`${label}: its data is in the external file '${location}'; pass loadOnnx(bytes, { externalData: (location) => bytesOfThatFile })`, t.start);
  }
  let file = ctx.externalCache.get(location);
  if (!file) {
    try {
      file = ctx.externalData(location);
    } catch (e) {
      throw new OnnxError(`${label}: reading external data '${location}' failed: ${(e as Error)?.message ?? String(e)}`, t.start);
    }
    if (!(file instanceof Uint8Array)) throw new OnnxError(`${label}: externalData('${location}') returned ${typeof file}, not a Uint8Array`, t.start);
    ctx.externalCache.set(location, file);
  }
  const offset = parseEntry(t, 'offset', 0, label), length = parseEntry(t, 'length', bytes, label);
  if (length !== bytes) throw new OnnxError(`${label}: external data length is ${length} bytes but ${dtype} [${t.dims.join(', ')}] needs ${bytes}`, t.start);
  if (offset + length > file.length) throw new OnnxError(`${label}: external data [${offset}, ${offset + length}) lies past the end of '${location}' (${file.length} bytes)`, t.start);
  return view(file, offset, dtype, n, 0);
}

function parseEntry(t: TensorSpec, key: string, def: number, label: string): number {
  const s = t.externalEntries.get(key);
  if (s === undefined) return def;
  if (!/^\d{1,15}$/.test(s)) throw new OnnxError(`${label}: external data ${key} '${s}' is not a byte count`, t.start);
  return Number(s);
}
