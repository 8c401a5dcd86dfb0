import type { Tensor } from '../tensor.js';
import { BINARY_HEADER, DATATYPE_TO_DTYPE, DTYPE_TO_DATATYPE, ProtocolError, tensorBytes, tensorFromBytes, tensorFromJsonData, tensorToJsonData, type V2Datatype, type V2InferRequest, type V2InferResponse } from './protocol.js';

/** The client side of the KServe v2 protocol: what tests, the load benchmark and users' tools send. */
export interface EncodeRequestOptions {
  id?: string;
  /** Send inputs as binary tensor data (default false: JSON). */
  binary?: boolean;
  /** Ask for outputs as binary tensor data (default false). */
  binaryOutputs?: boolean;
  /** Only these outputs. */
  outputs?: string[];
}

export function encodeInferRequest(inputs: Record<string, Tensor>, opts: EncodeRequestOptions = {}): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const req: V2InferRequest = { ...(opts.id !== undefined ? { id: opts.id } : {}), inputs: [] };
  const chunks: Uint8Array[] = [];
  for (const [name, t] of Object.entries(inputs)) {
    const meta = { name, shape: t.shape.slice(), datatype: DTYPE_TO_DATATYPE[t.dtype] };
    if (opts.binary) {
      const bytes = tensorBytes(t);
      chunks.push(bytes);
      req.inputs.push({ ...meta, parameters: { binary_data_size: bytes.length } });
    } else req.inputs.push({ ...meta, data: tensorToJsonData(t) });
  }
  if (opts.outputs) req.outputs = opts.outputs.map((name) => ({ name, ...(opts.binaryOutputs ? { parameters: { binary_data: true } } : {}) }));
  else if (opts.binaryOutputs) req.parameters = { binary_data_output: true };
  const json = new TextEncoder().encode(JSON.stringify(req));
  if (!chunks.length) return { body: json, headers: { 'content-type': 'application/json' } };
  return { body: Buffer.concat([json, ...chunks]), headers: { 'content-type': 'application/octet-stream', [BINARY_HEADER]: String(json.length) } };
}

/** Decode a response body (JSON or binary extension) into tensors by output name. */
export function decodeInferResponse(body: Uint8Array, headerLength?: number): { response: V2InferResponse; outputs: Record<string, Tensor> } {
  const jsonEnd = headerLength ?? body.length;
  const response = JSON.parse(new TextDecoder().decode(body.subarray(0, jsonEnd))) as V2InferResponse;
  const outputs: Record<string, Tensor> = {};
  let offset = jsonEnd;
  for (const o of response.outputs) {
    const dt = o.datatype as V2Datatype;
    if (!(dt in DATATYPE_TO_DTYPE)) throw new ProtocolError(`output '${o.name}': unknown datatype ${o.datatype}`);
    const n = o.parameters?.binary_data_size;
    if (typeof n === 'number') {
      outputs[o.name] = tensorFromBytes(DATATYPE_TO_DTYPE[dt], o.shape, body.subarray(offset, offset + n));
      offset += n;
    } else outputs[o.name] = tensorFromJsonData(o.name, dt, o.shape, o.data);
  }
  return { response, outputs };
}
