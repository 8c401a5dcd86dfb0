import { Graph, type Initializer, type Node } from '../graph/graph.js';
import type { RawAttrs } from '../ops/types.js';
import { decodeAttribute } from './attribute.js';
import { OnnxError } from './errors.js';
import { GraphP, MAX_OPSET, MIN_OPSET, Model, NodeP, OpsetId, StringEntry } from './onnx-proto.js';
import { Reader, VARINT } from './protobuf.js';
import { decodeSparse } from './sparse-tensor.js';
import { decodeTensor, materialize, type TensorContext } from './tensor-proto.js';
import { decodeValueInfo, toValueInfo, type ValueSpec } from './value-info.js';

export interface LoadOptions {
  /** Bytes of an external data file, by the `location` a tensor names (relative to the model). */
  externalData?: (location: string) => Uint8Array;
  /**
   * Let loading rearrange `bytes`: weights whose raw_data is not aligned to their element size
   * are moved back a few bytes, over fields already decoded, instead of being copied. Halves the
   * memory of loading a big model; the buffer is no longer a valid ONNX file afterwards (use it
   * for buffers read just for loading, like a file's contents).
   */
  inPlace?: boolean;
}

/**
 * Parses an ONNX model (ModelProto bytes) into a Graph. Weights in raw_data are views into
 * `bytes` wherever their offset is aligned (so keep `bytes` unchanged while the graph lives).
 * Ops are not checked here; InferenceSession.create reports every unsupported op at once.
 * @throws OnnxError for malformed or truncated bytes and for ONNX features Tessera lacks
 */
export function loadOnnx(bytes: Uint8Array, opts: LoadOptions = {}): Graph {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`loadOnnx takes the model's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length === 0) throw new OnnxError('ModelProto: the input is empty', 0);
  const ctx: TensorContext = { buf: bytes, externalData: opts.externalData, inPlace: opts.inPlace ?? false, externalCache: new Map() };
  const r = new Reader(bytes, 0, bytes.length, 'ModelProto');
  const metadata: Record<string, string> = {};
  const opsets = new Map<string, number>();
  let graphStart = -1, graphEnd = -1, opsetAt = 0;
  while (r.more()) {
    r.next();
    switch (r.field) {
      case Model.irVersion: r.expect(VARINT, 'ir_version'); metadata.ir_version = String(r.int32Clamped()); break;
      case Model.producerName: metadata.producer_name = r.string('producer_name'); break;
      case Model.producerVersion: metadata.producer_version = r.string('producer_version'); break;
      case Model.graph: graphStart = r.span('graph'); graphEnd = r.spanEnd; break;
      case Model.opsetImport: {
        opsetAt = r.at;
        const s = r.span('opset_import');
        const o = new Reader(bytes, s, r.spanEnd, 'ModelProto.opset_import');
        let domain = '', version = 0;
        while (o.more()) {
          o.next();
          if (o.field === OpsetId.domain) domain = o.string('domain');
          else if (o.field === OpsetId.version) { o.expect(VARINT, 'version'); version = o.int32Clamped(); }
          else o.skip();
        }
        opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        break;
      }
      case Model.metadataProps: {
        const s = r.span('metadata_props');
        const [k, v] = readEntry(new Reader(bytes, s, r.spanEnd, 'ModelProto.metadata_props'));
        setOwn(metadata, k, v);
        break;
      }
      default: r.skip();
    }
  }
  const opset = opsets.get('');
  if (opset === undefined) throw new OnnxError('ModelProto: no opset_import for the default domain (ai.onnx); is this an ONNX model?', opsetAt);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    const hint = opset < MIN_OPSET ? 'too old; re-export it with a newer opset (e.g. torch.onnx.export(..., opset_version=17)) or convert it with onnx.version_converter' : 'newer than Tessera knows';
    throw new OnnxError(`ModelProto.opset_import: the model uses ai.onnx opset ${opset}, which is ${hint}; supported opsets are ${MIN_OPSET} to ${MAX_OPSET}`, opsetAt);
  }
  if (graphStart < 0) throw new OnnxError('ModelProto: no graph', 0);
  return decodeGraph(ctx, graphStart, graphEnd, opset, metadata);
}

/** obj[key] = value, also for keys like '__proto__' that a file may use. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function readEntry(r: Reader): [string, string] {
  let key = '', value = '';
  while (r.more()) {
    r.next();
    if (r.field === StringEntry.key) key = r.string('key');
    else if (r.field === StringEntry.value) value = r.string('value');
    else r.skip();
  }
  return [key, value];
}

function decodeGraph(ctx: TensorContext, start: number, end: number, opset: number, metadata: Record<string, string>): Graph {
  const r = new Reader(ctx.buf, start, end, 'graph');
  let name = 'graph';
  const nodes: Node[] = [], inputs: ValueSpec[] = [], outputs: ValueSpec[] = [];
  const initializers = new Map<string, Initializer>();
  const addInit = (n: string, t: Initializer, at: number): void => {
    if (initializers.has(n)) throw new OnnxError(`graph: initializer '${n}' appears twice`, at);
    initializers.set(n, t);
  };
  while (r.more()) {
    r.next();
    switch (r.field) {
      case GraphP.name: name = r.string('name') || name; break;
      case GraphP.node: { const s = r.span('node'); nodes.push(decodeNode(ctx, s, r.spanEnd, nodes.length)); break; }
      case GraphP.initializer: {
        const at = r.at, s = r.span('initializer');
        const spec = decodeTensor(ctx.buf, s, r.spanEnd, `graph.initializer[${initializers.size}]`);
        addInit(spec.name, materialize(spec, ctx, 'initializer'), at);
        break;
      }
      case GraphP.sparseInitializer: {
        const at = r.at, s = r.span('sparse_initializer');
        const { name: n, tensor } = decodeSparse(ctx, s, r.spanEnd, 'graph.sparse_initializer');
        addInit(n, tensor, at);
        break;
      }
      case GraphP.input: { const s = r.span('input'); inputs.push(decodeValueInfo(ctx.buf, s, r.spanEnd, `graph.input[${inputs.length}]`)); break; }
      case GraphP.output: { const s = r.span('output'); outputs.push(decodeValueInfo(ctx.buf, s, r.spanEnd, `graph.output[${outputs.length}]`)); break; }
      default: r.skip(); // value_info: Tessera infers intermediate types itself
    }
  }
  return new Graph({
    name,
    // Exporters before IR 4 listed every initializer as an input too; those are weights, not inputs.
    inputs: inputs.filter((v) => !initializers.has(v.name)).map((v) => toValueInfo(v, 'input')),
    outputs: outputs.map((v) => toValueInfo(v, 'output')),
    nodes, initializers, opset, metadata,
  });
}

function decodeNode(ctx: TensorContext, start: number, end: number, index: number): Node {
  const message = `graph.node[${index}]`;
  const r = new Reader(ctx.buf, start, end, message);
  let name = '', op = '', domain = '';
  const inputs: string[] = [], outputs: string[] = [], attrSpans: [number, number][] = [];
  while (r.more()) {
    r.next();
    switch (r.field) {
      case NodeP.input: inputs.push(r.string('input')); break;
      case NodeP.output: outputs.push(r.string('output')); break;
      case NodeP.name: name = r.string('name'); break;
      case NodeP.opType: op = r.string('op_type'); break;
      case NodeP.domain: domain = r.string('domain'); break;
      case NodeP.attribute: { const s = r.span('attribute'); attrSpans.push([s, r.spanEnd]); break; }
      default: r.skip();
    }
  }
  if (!op) throw new OnnxError(`${message}${name ? ` '${name}'` : ''}: node without an op_type`, start);
  name ||= `${op}_${index}`;
  const attrs: RawAttrs = {};
  for (const [s, e] of attrSpans) {
    const [k, v] = decodeAttribute(ctx, s, e, `${message} '${name}' (${op}) attribute`);
    setOwn(attrs, k, v);
  }
  return { name, op, ...(domain && domain !== 'ai.onnx' ? { domain } : {}), inputs, outputs, attrs };
}
