import { type DType, type TensorData, publicArrayType } from '../dtype.js';
import { Tensor } from '../tensor.js';

/**
 * safetensors reader and writer.
 *
 * Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then the data buffer; offsets are relative to the start of that buffer.
 *
 * Typed arrays use the host's byte order, which is little-endian on every platform Node and
 * browsers run on; safetensors is little-endian too, so raw bytes are copied or viewed as is.
 *
 * Storage mapping: F32, F16 (kept as float16 half bits), I64, I32, I8, U8 and BOOL map to
 * their own dtype; BF16 and F64 are widened/narrowed to float32 because the engine has no
 * such dtype. Tensors whose bytes are aligned for their array type are zero-copy views of
 * the input (writing to them writes into the file bytes).
 */

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface SafetensorsFile {
  tensors: Map<string, Tensor>;
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
}

/** Safetensors dtype name -> (bytes per element, engine dtype). */
const FORMATS: Record<string, { bytes: number; dtype: DType }> = {
  F32: { bytes: 4, dtype: 'float32' },
  F16: { bytes: 2, dtype: 'float16' },
  BF16: { bytes: 2, dtype: 'float32' },
  F64: { bytes: 8, dtype: 'float32' },
  I64: { bytes: 8, dtype: 'int64' },
  I32: { bytes: 4, dtype: 'int32' },
  I8: { bytes: 1, dtype: 'int8' },
  U8: { bytes: 1, dtype: 'uint8' },
  BOOL: { bytes: 1, dtype: 'bool' },
};

const SAVE_NAMES: Record<DType, string> = {
  float32: 'F32', float16: 'F16', int64: 'I64', int32: 'I32', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};

/** The reference implementation refuses headers over 100 MB; a larger one is a corrupt length. */
const MAX_HEADER_BYTES = 100_000_000;

/** Reads a safetensors file into tensors by name. */
export function loadSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  return parseSafetensors(bytes).tensors;
}

/** Reads a safetensors file: tensors and the `__metadata__` map. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError(`safetensors: expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) throw new SafetensorsError(`safetensors: file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(`safetensors: header length ${headerLen64} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  }
  const headerLen = Number(headerLen64);
  if (headerLen > MAX_HEADER_BYTES) throw new SafetensorsError(`safetensors: header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`safetensors: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('safetensors: header must be a JSON object of tensor entries');
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(entry);
      continue;
    }
    const { format, shape, begin, end } = readEntry(name, entry, dataLen);
    spans.push({ name, begin, end });
    tensors.set(name, readTensor(name, format, shape, bytes, dataStart + begin, end - begin));
  }
  checkNoOverlap(spans);
  return { tensors, metadata };
}

function readMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new SafetensorsError('safetensors: __metadata__ must be an object of string values');
  }
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw new SafetensorsError(`safetensors: __metadata__["${k}"] must be a string, got ${typeof v}`);
  }
  return { ...(entry as Record<string, string>) };
}

function readEntry(name: string, entry: unknown, dataLen: number) {
  const where = `safetensors: tensor "${name}"`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new SafetensorsError(`${where}: entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new SafetensorsError(`${where}: dtype must be a string, got ${JSON.stringify(dtype)}`);
  const format = FORMATS[dtype];
  if (!format) throw new SafetensorsError(`${where}: unsupported dtype ${dtype}; supported: ${Object.keys(FORMATS).join(', ')}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] has begin after end`);
  if (end > dataLen) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data buffer`);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  if (elements * format.bytes !== end - begin) {
    throw new SafetensorsError(`${where}: shape ${JSON.stringify(shape)} of ${dtype} needs ${elements * format.bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { format: dtype, shape: shape as number[], begin, end };
}

function checkNoOverlap(spans: { name: string; begin: number; end: number }[]): void {
  // Empty tensors occupy no bytes and can sit anywhere.
  const sorted = spans.filter((s) => s.end > s.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (b.begin < a.end) throw new SafetensorsError(`safetensors: tensor "${b.name}" bytes [${b.begin}, ${b.end}) overlap tensor "${a.name}" [${a.begin}, ${a.end})`);
  }
}


function readTensor(name: string, format: string, shape: number[], bytes: Uint8Array, offset: number, byteLen: number): Tensor {
  const { bytes: size, dtype } = FORMATS[format];
  const n = byteLen / size;
  const abs = bytes.byteOffset + offset;
  const src = new DataView(bytes.buffer, abs, byteLen);
  let data: TensorData;
  switch (format) {
    case 'BF16': {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      // bfloat16 is the top half of a float32.
      for (let i = 0; i < n; i++) bits[i] = src.getUint16(i * 2, true) << 16;
      data = out;
      break;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = src.getFloat64(i * 8, true);
      data = out;
      break;
    }
    case 'BOOL': {
      const raw = bytes.subarray(offset, offset + byteLen);
      const bad = raw.findIndex((v) => v > 1);
      if (bad >= 0) throw new SafetensorsError(`safetensors: tensor "${name}" is BOOL but byte ${bad} holds ${raw[bad]} (expected 0 or 1)`);
      data = raw;
      break;
    }
    default:
      data = typedView(dtype, bytes, offset, n);
  }
  return new Tensor(dtype, shape, data);
}

function typedView(dtype: DType, bytes: Uint8Array, offset: number, n: number): TensorData {
  const Ctor = publicArrayType(dtype);
  const abs = bytes.byteOffset + offset;
  if (abs % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, abs, n);
  // Unaligned: slice() copies into a fresh buffer, which starts aligned.
  return new Ctor(bytes.slice(offset, offset + n * Ctor.BYTES_PER_ELEMENT).buffer, 0, n);
}

/**
 * Writes tensors (and optional string metadata) as a safetensors file. Tensors are laid
 * out largest element size first, then by name, and the header is space-padded so the data
 * buffer starts 8-byte aligned: every tensor is then zero-copy when read back.
 */
export function saveSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError('safetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new SafetensorsError(`safetensors: value for "${name}" is not a Tensor`);
  }
  if (metadata) readMetadata(metadata);
  entries.sort(([na, a], [nb, b]) => (b.data.BYTES_PER_ELEMENT - a.data.BYTES_PER_ELEMENT) || (na < nb ? -1 : na > nb ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const len = t.data.byteLength;
    header[name] = { dtype: SAVE_NAMES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    writeData(t, out, pos);
    pos += t.data.byteLength;
  }
  return out;
}

function writeData(t: Tensor, out: Uint8Array, pos: number): void {
  const d = t.data;
  out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
}
