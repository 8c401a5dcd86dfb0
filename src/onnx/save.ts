import { Graph, GraphError, isPacked, type Node, type ValueInfo } from '../graph/graph.js';
import { analyze } from '../graph/analyze.js';
import { inferTypes } from '../graph/infer.js';
import { schemaOf } from '../ops/index.js';
import type { AttrType as SchemaAttrType, AttrValue } from '../ops/types.js';
import { Tensor } from '../tensor.js';
import { AttrP, AttrType, DTYPE_CODE, GraphP, irVersionFor, Model, NodeP, OpsetId, SparseP, StringEntry, TensorP } from './onnx-proto.js';
import { VARINT, varintSize, Writer } from './protobuf.js';
import { encodeValueInfo } from './value-info.js';
import { toStandardOnnx } from '../quant/onnx-export.js';

/** Metadata keys loadOnnx fills from ModelProto fields; they describe the source file, not this one. */
const SOURCE_KEYS = new Set(['ir_version', 'producer_name', 'producer_version']);
const MAX_PROTO_BYTES = 0x7fffffff;

export interface SaveOptions {
  /**
   * Write float32 weights that are mostly zeros (pruned) as ONNX sparse_initializer: values plus
   * int64 linear indices, 12 bytes per nonzero against 4 per element dense, so any weight with
   * at least `sparseInitializers` of its elements zero is written sparse (at least 0.67, where
   * sparse gets smaller; default: off, every weight dense). onnxruntime reads them (it
   * densifies at load); so does loadOnnx.
   */
  sparseInitializers?: number | false;
}

/** Below this zero fraction COO storage (4 + 8 bytes per nonzero) is not smaller than dense. */
const SPARSE_BREAK_EVEN = 2 / 3;

/**
 * Serializes a Graph as an ONNX ModelProto. Weights go in raw_data (little-endian), each placed
 * at a file offset that is a multiple of 8 so loadOnnx can view it without copying; packed
 * sparse weights are written dequantized, as float32, and quantized ones as standard ONNX
 * quantized ops. Attribute types come from the op schema; ops without one get the type the JS
 * value suggests (integer -> INT).
 */
export function saveOnnx(graph: Graph, options: SaveOptions = {}): Uint8Array {
  if (!(graph instanceof Graph)) throw new TypeError('saveOnnx takes a Graph');
  const minZeros = options.sparseInitializers;
  if (minZeros !== undefined && minZeros !== false && !(minZeros >= SPARSE_BREAK_EVEN && minZeros <= 1)) {
    throw new RangeError(`saveOnnx: sparseInitializers must be a zero fraction in [${SPARSE_BREAK_EVEN.toFixed(2)}, 1] (below that sparse storage is larger), got ${String(minZeros)}`);
  }
  graph = toStandardOnnx(graph); // quantized and fused ops as standard ONNX (int8/int4 weights stay packed in the file)
  // The model's other fields first and the weights last, so every weight's offset is known.
  const m = new Writer();
  m.int64(Model.irVersion, irVersionFor(graph.opset));
  m.string(Model.producerName, 'tessera');
  const domains = new Set(graph.nodes.map((n) => n.domain ?? '').filter((d) => d && d !== 'ai.onnx'));
  m.message(Model.opsetImport, opsetId('', graph.opset));
  for (const d of domains) m.message(Model.opsetImport, opsetId(d, 1));
  for (const [k, v] of Object.entries(graph.metadata)) {
    if (SOURCE_KEYS.has(k)) continue;
    const e = new Writer();
    e.string(StringEntry.key, k);
    e.string(StringEntry.value, v);
    m.message(Model.metadataProps, e);
  }
  const g = new Writer();
  for (const n of graph.nodes) g.message(GraphP.node, encodeNode(n));
  g.string(GraphP.name, graph.name);
  for (const v of graph.inputs) g.message(GraphP.input, encodeValueInfo(v));
  for (const v of outputTypes(graph)) g.message(GraphP.output, encodeValueInfo(v, !v.unknownShape));
  const all = [...graph.initializers].map(([name, w]) => [name, isPacked(w) ? w.dequantize() : w] as const);
  const sparse = minZeros ? all.filter(([, t]) => writesSparse(t, minZeros)) : [];
  const weights = sparse.length ? all.filter((w) => !sparse.includes(w)) : all;
  for (const [name, t] of sparse) g.message(GraphP.sparseInitializer, encodeSparse(name, t as Tensor<'float32'>));
  let placed = placeWeights(m.length + 1, g.length, weights);
  if (!placed.settled) {
    // The graph's length prefix flips between 1 and 2 bytes as padding changes: a 128-byte
    // doc_string puts the graph clearly past the boundary, and the placement settles.
    g.string(GraphP.docString, ' '.repeat(128));
    placed = placeWeights(m.length + 1, g.length, weights);
  }
  for (const t of placed.tensors) g.message(GraphP.initializer, t);
  m.message(Model.graph, g);
  if (m.length > MAX_PROTO_BYTES) throw new RangeError(`saveOnnx: the model is ${m.length} bytes, over the 2 GiB a protobuf file can hold`);
  return m.finish();
}

/**
 * TensorProtos for the weights, padded so each raw_data starts 8-aligned in the file. Where a
 * weight lands depends on the graph's length prefix, which depends on the padding: a couple of
 * rounds settle it; the caller breaks an oscillation (if nothing did, the file would still be
 * valid, just not aligned).
 */
function placeWeights(graphTagEnd: number, graphHead: number, weights: readonly (readonly [string, Tensor])[]): { tensors: Writer[]; settled: boolean } {
  let lenBytes = 1;
  for (let round = 0; ; round++) {
    let pos = graphTagEnd + lenBytes + graphHead;
    const out = weights.map(([name, t]) => {
      const w = encodeTensor(name, t, pos);
      pos += 1 + varintSize(w.length) + w.length;
      return w;
    });
    const need = varintSize(pos - graphTagEnd - lenBytes);
    if (need === lenBytes || round === 3) return { tensors: out, settled: need === lenBytes };
    lenBytes = need;
  }
}

/** Whether saveOnnx writes `t` as a sparse_initializer: float32, 64 elements or more, some but at least `minZeros` of them zero. */
export function writesSparse(t: Tensor, minZeros: number): boolean {
  if (t.dtype !== 'float32' || t.size < 64) return false;
  const d = t.data as Float32Array;
  let zeros = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) zeros++;
  return zeros < d.length && zeros >= minZeros * d.length;
}

/** A SparseTensorProto: the nonzeros as a 1-D values tensor named after the weight, int64 linear (row-major, ascending) indices. */
function encodeSparse(name: string, t: Tensor<'float32'>): Writer {
  const d = t.data, nnz = d.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  const values = new Float32Array(nnz), indices = new BigInt64Array(nnz);
  for (let i = 0, k = 0; i < d.length; i++) if (d[i] !== 0) { values[k] = d[i]; indices[k++] = BigInt(i); }
  const w = new Writer();
  w.message(SparseP.values, encodeTensor(name, new Tensor('float32', [nnz], values)));
  w.message(SparseP.indices, encodeTensor('', new Tensor('int64', [nnz], indices)));
  for (const dim of t.shape) w.int64(SparseP.dims, dim);
  return w;
}

function opsetId(domain: string, version: number): Writer {
  const w = new Writer();
  if (domain) w.string(OpsetId.domain, domain);
  w.int64(OpsetId.version, version);
  return w;
}

/**
 * Outputs as declared, with undeclared dtypes or shapes (models loaded without them) filled in
 * by shape inference when it can run; otherwise the shape is left unknown rather than scalar.
 */
function outputTypes(graph: Graph): (ValueInfo & { unknownShape?: boolean })[] {
  if (graph.outputs.every((o) => o.dtype && o.shape.length)) return graph.outputs;
  let types: Map<string, { dtype: ValueInfo['dtype']; shape: ValueInfo['shape'] }> | undefined;
  try { types = inferTypes(graph, analyze(graph)); } catch { types = undefined; }
  return graph.outputs.map((o) => {
    if (o.dtype && o.shape.length) return o;
    const t = types?.get(o.name);
    return t ? { name: o.name, dtype: o.dtype ?? t.dtype, shape: t.shape } : { ...o, unknownShape: true };
  });
}

/**
 * A TensorProto. Given `at`, the file offset where its field tag will go, a doc_string of spaces
 * before raw_data pads the data to an 8-aligned offset (2 to 9 bytes; nothing else in ONNX may
 * carry filler, and readers ignore doc_string).
 */
export function encodeTensor(name: string, t: Tensor, at?: number): Writer {
  const w = new Writer();
  for (const d of t.shape) w.int64(TensorP.dims, d);
  w.tag(TensorP.dataType, VARINT);
  w.varint(DTYPE_CODE[t.dtype]);
  w.string(TensorP.name, name);
  // Typed arrays are little-endian on every host JS runs on, as raw_data must be.
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const rawHead = 1 + varintSize(data.length);
  if (at !== undefined) {
    for (const pad of [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]) {
      const content = w.length + pad + rawHead + data.length;
      if ((at + 1 + varintSize(content) + w.length + pad + rawHead) % 8) continue;
      if (pad) w.string(TensorP.docString, ' '.repeat(pad - 2));
      break;
    }
  }
  w.bytes(TensorP.rawData, data);
  return w;
}

function encodeNode(n: Node): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(NodeP.input, i);
  for (const o of n.outputs) w.string(NodeP.output, o);
  w.string(NodeP.name, n.name);
  w.string(NodeP.opType, n.op);
  for (const [k, v] of Object.entries(n.attrs)) if (v !== undefined) w.message(NodeP.attribute, encodeAttribute(n, k, v));
  if (n.domain && n.domain !== 'ai.onnx') w.string(NodeP.domain, n.domain);
  return w;
}

const FROM_SCHEMA: Record<SchemaAttrType, number> = {
  int: AttrType.INT, ints: AttrType.INTS, float: AttrType.FLOAT, floats: AttrType.FLOATS,
  string: AttrType.STRING, strings: AttrType.STRINGS, tensor: AttrType.TENSOR,
};

function attrTypeOf(n: Node, key: string, v: AttrValue): number {
  const schema = schemaOf(n.op);
  const applies = schema && (!n.domain || n.domain === 'ai.onnx' || n.domain === (schema.domain ?? ''));
  const spec = applies ? schema.attributes[key] : undefined;
  if (spec) return FROM_SCHEMA[spec.type];
  if (v instanceof Tensor) return AttrType.TENSOR;
  if (typeof v === 'string') return AttrType.STRING;
  if (typeof v === 'number') return Number.isInteger(v) ? AttrType.INT : AttrType.FLOAT;
  if (v.length && v.every((x) => typeof x === 'string')) return AttrType.STRINGS;
  return (v as unknown[]).every((x) => Number.isInteger(x)) ? AttrType.INTS : AttrType.FLOATS;
}

function encodeAttribute(n: Node, key: string, v: AttrValue): Writer {
  const type = attrTypeOf(n, key, v);
  const bad = (want: string): never => {
    throw new GraphError(`cannot save attribute '${key}' = ${v instanceof Tensor ? v.toString() : JSON.stringify(v)}: ${n.op} declares it ${want}`, n.name, n.op);
  };
  const w = new Writer();
  w.string(AttrP.name, key);
  w.tag(AttrP.type, VARINT);
  w.varint(type);
  switch (type) {
    case AttrType.INT: if (!Number.isInteger(v)) bad('int'); w.int64(AttrP.i, v as number); break;
    case AttrType.FLOAT: if (typeof v !== 'number') bad('float'); w.float(AttrP.f, v as number); break;
    case AttrType.STRING: if (typeof v !== 'string') bad('string'); w.string(AttrP.s, v as string); break;
    case AttrType.TENSOR: if (!(v instanceof Tensor)) bad('tensor'); w.message(AttrP.t, encodeTensor('', v as Tensor)); break;
    case AttrType.INTS:
      if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) bad('ints');
      for (const x of v as number[]) w.int64(AttrP.ints, x);
      break;
    case AttrType.FLOATS:
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) bad('floats');
      for (const x of v as number[]) w.float(AttrP.floats, x);
      break;
    default:
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad('strings');
      for (const x of v as string[]) w.string(AttrP.strings, x);
  }
  return w;
}
