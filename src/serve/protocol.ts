import { Tensor } from '../tensor.js';
import { f16ToF32, f32ToF16, publicArrayType, type DType } from '../dtype.js';
import type { ValueInfo } from '../graph/graph.js';

/**
 * The KServe v2 / Triton HTTP inference protocol: JSON tensors and the binary tensor data
 * extension (a JSON header of `Inference-Header-Content-Length` bytes followed by raw
 * little-endian tensor bytes, in the order of the tensors that declare `binary_data_size`).
 * Typed arrays are used as raw bytes: every platform Node supports is little-endian.
 */
export type V2Datatype = 'FP32' | 'FP16' | 'INT64' | 'INT32' | 'INT8' | 'UINT8' | 'BOOL';

export const DATATYPE_TO_DTYPE: Readonly<Record<V2Datatype, DType>> = {
  FP32: 'float32', FP16: 'float16', INT64: 'int64', INT32: 'int32', INT8: 'int8', UINT8: 'uint8', BOOL: 'bool',
};
export const DTYPE_TO_DATATYPE: Readonly<Record<DType, V2Datatype>> = {
  float32: 'FP32', float16: 'FP16', int64: 'INT64', int32: 'INT32', int8: 'INT8', uint8: 'UINT8', bool: 'BOOL',
};
export const BINARY_HEADER = 'inference-header-content-length';

export interface V2Tensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data?: unknown;
}
export interface V2InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: V2Tensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}
export interface V2InferResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  outputs: V2Tensor[];
}
export interface V2TensorMetadata { name: string; datatype: V2Datatype; shape: number[] }
export interface V2ModelMetadata { name: string; versions: string[]; platform: string; inputs: V2TensorMetadata[]; outputs: V2TensorMetadata[] }

/** A malformed request: the server answers 400 with the message. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly status = 400;
}

/** Which outputs to return and how. `undefined` names: all of the model's outputs. */
export interface OutputSelection {
  names?: string[];
  /** Per output name: send as binary. */
  binary: Record<string, boolean>;
  /** Binary for outputs not listed (request parameter binary_data_output). */
  binaryDefault: boolean;
}

export interface ParsedInferRequest {
  id?: string;
  inputs: Record<string, Tensor>;
  outputs: OutputSelection;
}

const RANGES: Partial<Record<V2Datatype, [number, number]>> = {
  INT32: [-2147483648, 2147483647], INT8: [-128, 127], UINT8: [0, 255], INT64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Parse an infer request body (JSON, or JSON header plus binary tensors when `headerLength` is given). */
export function parseInferRequest(body: Uint8Array, headerLength?: number): ParsedInferRequest {
  let jsonBytes = body, binary: Uint8Array = new Uint8Array(0);
  if (headerLength !== undefined) {
    if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
      throw new ProtocolError(`Inference-Header-Content-Length is ${headerLength} but the body has ${body.length} bytes`);
    }
    jsonBytes = body.subarray(0, headerLength);
    binary = body.subarray(headerLength);
  }
  let req: unknown;
  try { req = JSON.parse(new TextDecoder().decode(jsonBytes)); } catch (e) {
    throw new ProtocolError(`malformed JSON in the request body: ${(e as Error).message}`);
  }
  if (!isObject(req)) throw new ProtocolError('the request body must be a JSON object with an "inputs" array');
  if (!Array.isArray(req.inputs) || req.inputs.length === 0) throw new ProtocolError('the request needs a non-empty "inputs" array');
  if (req.id !== undefined && typeof req.id !== 'string') throw new ProtocolError('"id" must be a string');
  const inputs: Record<string, Tensor> = {};
  let offset = 0;
  req.inputs.forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.name !== 'string' || !raw.name) throw new ProtocolError(`inputs[${i}] needs a "name" string`);
    const name = raw.name;
    if (name in inputs) throw new ProtocolError(`input '${name}' is given twice`);
    const shape = raw.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ProtocolError(`input '${name}': "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    const datatype = raw.datatype as V2Datatype;
    if (typeof datatype !== 'string' || !(datatype in DATATYPE_TO_DTYPE)) {
      throw new ProtocolError(`input '${name}': unsupported datatype ${JSON.stringify(raw.datatype)}; supported: ${Object.keys(DATATYPE_TO_DTYPE).join(', ')}`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const params = isObject(raw.parameters) ? raw.parameters : {};
    if (params.binary_data_size !== undefined) {
      const n = params.binary_data_size;
      const dtype = DATATYPE_TO_DTYPE[datatype], width = publicArrayType(dtype).BYTES_PER_ELEMENT;
      if (!Number.isInteger(n) || (n as number) < 0) throw new ProtocolError(`input '${name}': binary_data_size must be a non-negative integer`);
      if (n !== size * width) throw new ProtocolError(`input '${name}': shape [${shape.join(', ')}] of ${datatype} needs ${size * width} bytes but binary_data_size is ${n}`);
      if (offset + (n as number) > binary.length) throw new ProtocolError(`input '${name}': binary data runs past the end of the body (${binary.length} binary bytes)`);
      inputs[name] = tensorFromBytes(dtype, shape as number[], binary.subarray(offset, offset + (n as number)));
      offset += n as number;
    } else {
      if (raw.data === undefined) throw new ProtocolError(`input '${name}' has neither "data" nor parameters.binary_data_size`);
      inputs[name] = tensorFromJsonData(name, datatype, shape as number[], raw.data);
    }
  });
  if (offset !== binary.length) throw new ProtocolError(`the body carries ${binary.length} bytes of binary tensor data but the inputs declare ${offset}`);
  return { id: req.id as string | undefined, inputs, outputs: parseOutputs(req) };
}

function parseOutputs(req: Record<string, unknown>): OutputSelection {
  const params = isObject(req.parameters) ? req.parameters : {};
  const sel: OutputSelection = { binary: {}, binaryDefault: params.binary_data_output === true };
  if (req.outputs === undefined) return sel;
  if (!Array.isArray(req.outputs)) throw new ProtocolError('"outputs" must be an array of {name}');
  sel.names = req.outputs.map((o: unknown, i: number) => {
    if (!isObject(o) || typeof o.name !== 'string') throw new ProtocolError(`outputs[${i}] needs a "name" string`);
    const p = isObject(o.parameters) ? o.parameters : {};
    if (p.classification !== undefined) throw new ProtocolError(`output '${o.name}': the classification extension is not supported`);
    if (p.binary_data !== undefined) sel.binary[o.name] = p.binary_data === true;
    return o.name;
  });
  return sel;
}

/** JSON "data" (flat or nested, row-major) into a tensor, checking count, type and range. */
export function tensorFromJsonData(name: string, datatype: V2Datatype, shape: number[], data: unknown): Tensor {
  const flat = Array.isArray(data) ? (data.some(Array.isArray) ? data.flat(Infinity) : data) : [data];
  const size = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== size) throw new ProtocolError(`input '${name}': shape [${shape.join(', ')}] needs ${size} elements but "data" has ${flat.length}`);
  const dtype = DATATYPE_TO_DTYPE[datatype];
  const out = new (publicArrayType(dtype))(size);
  const bad = (i: number, want: string) => new ProtocolError(`input '${name}': data[${i}] is ${JSON.stringify(flat[i])}, expected ${want} for ${datatype}`);
  if (datatype === 'BOOL') {
    for (let i = 0; i < size; i++) {
      const v = flat[i];
      if (v === true || v === 1) out[i] = 1; else if (v === false || v === 0) out[i] = 0; else throw bad(i, 'true or false');
    }
  } else if (datatype === 'FP32' || datatype === 'FP16') {
    for (let i = 0; i < size; i++) {
      const v = flat[i];
      if (typeof v !== 'number') throw bad(i, 'a number');
      out[i] = datatype === 'FP16' ? f32ToF16(v) : v;
    }
  } else {
    const [lo, hi] = RANGES[datatype]!;
    for (let i = 0; i < size; i++) {
      const v = flat[i];
      if (datatype === 'INT64' && typeof v === 'string' && /^-?\d+$/.test(v)) { out[i] = BigInt(v); continue; }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(i, `an integer in [${lo}, ${hi}]`);
      out[i] = datatype === 'INT64' ? BigInt(v) : v;
    }
  }
  return new Tensor(dtype, shape, out as never);
}

/** Raw little-endian bytes into a tensor (copied: the body slice need not be aligned). */
export function tensorFromBytes(dtype: DType, shape: number[], bytes: Uint8Array): Tensor {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (dtype === 'bool') for (let i = 0; i < copy.length; i++) copy[i] = copy[i] ? 1 : 0;
  const Ctor = publicArrayType(dtype);
  return new Tensor(dtype, shape, new Ctor(copy.buffer, 0, copy.length / Ctor.BYTES_PER_ELEMENT) as never);
}

/** A tensor's storage as bytes (a view, not a copy). */
export function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A tensor's elements as JSON values: numbers (FP16 widened), booleans for BOOL. */
export function tensorToJsonData(t: Tensor): number[] | boolean[] {
  const d = t.data;
  switch (t.dtype) {
    case 'bool': return Array.from(d as Uint8Array, (v) => v !== 0);
    case 'float16': return Array.from(d as Uint16Array, f16ToF32);
    case 'int64': return Array.from(d as BigInt64Array, Number);
    default: return Array.from(d as ArrayLike<number>);
  }
}

/** Encode a response: JSON, or (when any output is binary) JSON header plus binary data. */
export function encodeInferResponse(modelName: string, id: string | undefined, outputs: Record<string, Tensor>, sel: OutputSelection): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const chunks: Uint8Array[] = [];
  const res: V2InferResponse = { model_name: modelName, model_version: '1', ...(id !== undefined ? { id } : {}), outputs: [] };
  for (const name of sel.names ?? Object.keys(outputs)) {
    const t = outputs[name];
    const meta = { name, datatype: DTYPE_TO_DATATYPE[t.dtype], shape: t.shape.slice() };
    if (sel.binary[name] ?? sel.binaryDefault) {
      const bytes = tensorBytes(t);
      chunks.push(bytes);
      res.outputs.push({ ...meta, parameters: { binary_data_size: bytes.length } });
    } else res.outputs.push({ ...meta, data: tensorToJsonData(t) });
  }
  const json = new TextEncoder().encode(JSON.stringify(res));
  if (!chunks.length) return { body: json, headers: { 'content-type': 'application/json' } };
  return { body: Buffer.concat([json, ...chunks]), headers: { 'content-type': 'application/octet-stream', [BINARY_HEADER]: String(json.length) } };
}

/** Model metadata (GET /v2/models/{name}); symbolic dimensions are -1. */
export function modelMetadata(name: string, inputs: readonly ValueInfo[], outputs: readonly ValueInfo[], platform = 'tessera'): V2ModelMetadata {
  const meta = (v: ValueInfo): V2TensorMetadata => ({ name: v.name, datatype: DTYPE_TO_DATATYPE[v.dtype], shape: v.shape.map((d) => (typeof d === 'number' ? d : -1)) });
  return { name, versions: ['1'], platform, inputs: inputs.map(meta), outputs: outputs.map(meta) };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
