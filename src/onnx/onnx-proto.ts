import type { DType } from '../dtype.js';

/**
 * Field numbers of the onnx.proto messages Tessera reads and writes (onnx/onnx.proto, IR 10).
 * Fields not listed are skipped on load.
 */
export const Model = { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14, functions: 25 } as const;
export const OpsetId = { domain: 1, version: 2 } as const;
export const StringEntry = { key: 1, value: 2 } as const;
export const GraphP = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15 } as const;
export const NodeP = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 } as const;
export const AttrP = {
  name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, tensors: 10, graphs: 11,
  docString: 13, tp: 14, typeProtos: 15, type: 20, refAttrName: 21, sparseTensor: 22, sparseTensors: 23,
} as const;
export const TensorP = {
  dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8,
  rawData: 9, doubleData: 10, uint64Data: 11, docString: 12, externalData: 13, dataLocation: 14,
} as const;
export const SparseP = { values: 1, indices: 2, dims: 3 } as const;
export const ValueInfoP = { name: 1, type: 2, docString: 3 } as const;
export const TypeP = { tensorType: 1, sequenceType: 4, mapType: 5, sparseTensorType: 8, optionalType: 9 } as const;
export const TensorTypeP = { elemType: 1, shape: 2 } as const;
export const ShapeP = { dim: 1 } as const;
export const DimP = { dimValue: 1, dimParam: 2, denotation: 3 } as const;

/** AttributeProto.AttributeType. */
export const AttrType = {
  FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10,
  SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;
export const ATTR_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AttrType).map(([k, v]) => [v, k]));

/** TensorProto.DataType codes of the dtypes Tessera has. */
export const DTYPE_CODE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };
const CODE_DTYPE = new Map<number, DType>(Object.entries(DTYPE_CODE).map(([k, v]) => [v, k as DType]));
export const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128',
  16: 'BFLOAT16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
};

/** The dtype of an ONNX data type code, if Tessera has it. */
export function dtypeOfCode(code: number): DType | undefined {
  return CODE_DTYPE.get(code);
}

/** Why a data type code has no dtype. */
export function unsupportedType(code: number): string {
  const supported = Object.entries(DTYPE_CODE).map(([k, v]) => `${DATA_TYPE_NAMES[v]} (${k})`).join(', ');
  const name = DATA_TYPE_NAMES[code];
  return `${name ? `data type ${code} (${name}) is not supported` : `unknown data type ${code}`}; Tessera supports ${supported}`;
}

/** The ai.onnx opsets whose op semantics Tessera implements. */
export const MIN_OPSET = 13, MAX_OPSET = 21;

/** The IR version that came with an opset (what saveOnnx writes; never below 8). */
export function irVersionFor(opset: number): number {
  return opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
}
