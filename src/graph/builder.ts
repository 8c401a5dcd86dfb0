import type { DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import type { Dim, RawAttrs } from '../ops/types.js';
import { Graph, GraphError, type Initializer, type Node, type ValueInfo } from './graph.js';
import { analyze } from './analyze.js';
import { inferTypes } from './infer.js';

/** A handle to a value in a graph being built. */
export interface Value { readonly name: string }
type V = Value | string;
type Opt = V | undefined;

/**
 * Builds graphs op by op: `const y = b.conv(x, w, bias, { strides: [2, 2] })`.
 * `build()` validates the whole graph and infers every shape (errors name node and op).
 */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly nodes: Node[] = [];
  private readonly inits = new Map<string, Initializer>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name = 'graph', readonly opset = 17) {}

  /** A fresh value name with the given stem. */
  unique(stem: string): string {
    let n = stem;
    while (this.used.has(n)) n = `${stem}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  input(name: string, dtype: DType, shape: Dim[]): Value {
    if (this.used.has(name)) throw new GraphError(`input name '${name}' is already used`);
    this.used.add(name);
    this.inputs.push({ name, dtype, shape: shape.slice() });
    return { name };
  }

  /** A constant weight (initializer). */
  constant(t: Initializer, name = 'const'): Value {
    const n = this.unique(name);
    this.inits.set(n, t);
    return { name: n };
  }

  /** Shorthand constants. */
  float(values: number[] | number, shape?: number[], name?: string): Value {
    const data = typeof values === 'number' ? [values] : values;
    return this.constant(new Tensor('float32', shape ?? (typeof values === 'number' ? [] : [data.length]), data), name);
  }
  int64(values: number[] | number, shape?: number[], name?: string): Value {
    const data = typeof values === 'number' ? [values] : values;
    return this.constant(new Tensor('int64', shape ?? (typeof values === 'number' ? [] : [data.length]), data), name);
  }

  /** Any op, any number of outputs. */
  node(op: string, inputs: Opt[], attrs: RawAttrs = {}, opts: { outputs?: number; name?: string; domain?: string; outputNames?: string[] } = {}): Value[] {
    const name = this.unique(opts.name ?? op.toLowerCase());
    const count = opts.outputNames?.length ?? opts.outputs ?? 1;
    const outputs = Array.from({ length: count }, (_, i) => opts.outputNames?.[i] ? this.unique(opts.outputNames[i]) : this.unique(count === 1 ? name : `${name}_${i}`));
    const clean: RawAttrs = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
    this.nodes.push({ name, op, ...(opts.domain ? { domain: opts.domain } : {}), inputs: inputs.map((v) => (v === undefined ? '' : typeof v === 'string' ? v : v.name)), outputs, attrs: clean });
    return outputs.map((n) => ({ name: n }));
  }

  /** Single-output op. */
  op(op: string, inputs: Opt[], attrs: RawAttrs = {}, name?: string): Value {
    return this.node(op, inputs, attrs, { name })[0];
  }

  /** Mark a value as a graph output, optionally renamed (an input or constant goes through Identity). */
  output(v: Value, name?: string): Value {
    let out = v;
    if (name && name !== v.name) {
      if (this.used.has(name)) throw new GraphError(`output name '${name}' is already used`);
      const producer = this.nodes.find((n) => n.outputs.includes(v.name));
      if (!producer) out = this.node('Identity', [v], {}, { outputNames: [name] })[0];
      else {
        this.used.add(name);
        for (const n of this.nodes) {
          n.inputs = n.inputs.map((i) => (i === v.name ? name : i));
          n.outputs = n.outputs.map((o) => (o === v.name ? name : o));
        }
        this.outputs.forEach((o) => { if (o.name === v.name) o.name = name; });
        out = { name };
      }
    }
    this.outputs.push({ name: out.name, dtype: undefined as unknown as DType, shape: [] });
    return out;
  }

  /** Validate, infer types, and return the graph. */
  build(): Graph {
    const g = new Graph({ name: this.name, inputs: this.inputs, outputs: this.outputs.map((o) => ({ ...o })), nodes: this.nodes, initializers: this.inits, opset: this.opset });
    if (!g.outputs.length) throw new GraphError('the graph has no outputs; call output() on at least one value');
    const types = inferTypes(g, analyze(g));
    g.outputs = g.outputs.map((o) => ({ name: o.name, dtype: types.get(o.name)!.dtype, shape: types.get(o.name)!.shape }));
    return g;
  }

  // Typed conveniences (ONNX attribute names).
  add(a: V, b: V): Value { return this.op('Add', [a, b]); }
  sub(a: V, b: V): Value { return this.op('Sub', [a, b]); }
  mul(a: V, b: V): Value { return this.op('Mul', [a, b]); }
  div(a: V, b: V): Value { return this.op('Div', [a, b]); }
  pow(a: V, b: V): Value { return this.op('Pow', [a, b]); }
  equal(a: V, b: V): Value { return this.op('Equal', [a, b]); }
  where(c: V, x: V, y: V): Value { return this.op('Where', [c, x, y]); }
  relu(x: V): Value { return this.op('Relu', [x]); }
  sigmoid(x: V): Value { return this.op('Sigmoid', [x]); }
  tanh(x: V): Value { return this.op('Tanh', [x]); }
  erf(x: V): Value { return this.op('Erf', [x]); }
  sqrt(x: V): Value { return this.op('Sqrt', [x]); }
  exp(x: V): Value { return this.op('Exp', [x]); }
  neg(x: V): Value { return this.op('Neg', [x]); }
  gelu(x: V, approximate: 'none' | 'tanh' = 'none'): Value { return this.op('Gelu', [x], approximate === 'none' ? {} : { approximate }); }
  /** Clip with constant bounds (ReLU6 is clip(x, 0, 6)). */
  clip(x: V, min?: number, max?: number): Value {
    return this.op('Clip', [x, min === undefined ? undefined : this.float(min, [], 'clip_min'), max === undefined ? undefined : this.float(max, [], 'clip_max')]);
  }
  softmax(x: V, axis = -1): Value { return this.op('Softmax', [x], { axis }); }
  layerNorm(x: V, scale: V, bias?: V, attrs: { axis?: number; epsilon?: number } = {}): Value { return this.op('LayerNormalization', [x, scale, bias], attrs); }
  batchNorm(x: V, scale: V, bias: V, mean: V, variance: V, attrs: { epsilon?: number } = {}): Value {
    return this.op('BatchNormalization', [x, scale, bias, mean, variance], attrs);
  }
  conv(x: V, w: V, bias?: V, attrs: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number; auto_pad?: string; kernel_shape?: number[] } = {}): Value {
    return this.op('Conv', [x, w, bias], attrs);
  }
  gemm(a: V, b: V, c?: V, attrs: { transA?: number; transB?: number; alpha?: number; beta?: number } = {}): Value { return this.op('Gemm', [a, b, c], attrs); }
  matmul(a: V, b: V): Value { return this.op('MatMul', [a, b]); }
  globalAveragePool(x: V): Value { return this.op('GlobalAveragePool', [x]); }
  averagePool(x: V, attrs: RawAttrs & { kernel_shape: number[] }): Value { return this.op('AveragePool', [x], attrs); }
  maxPool(x: V, attrs: RawAttrs & { kernel_shape: number[] }): Value { return this.op('MaxPool', [x], attrs); }
  reshape(x: V, shape: V | number[]): Value { return this.op('Reshape', [x, Array.isArray(shape) ? this.int64(shape, undefined, 'shape') : shape]); }
  flatten(x: V, axis = 1): Value { return this.op('Flatten', [x], { axis }); }
  transpose(x: V, perm?: number[]): Value { return this.op('Transpose', [x], perm ? { perm } : {}); }
  unsqueeze(x: V, axes: number[]): Value { return this.op('Unsqueeze', [x, this.int64(axes, undefined, 'axes')]); }
  squeeze(x: V, axes?: number[]): Value { return this.op('Squeeze', [x, axes ? this.int64(axes, undefined, 'axes') : undefined]); }
  concat(xs: V[], axis: number): Value { return this.op('Concat', xs, { axis }); }
  slice(x: V, starts: number[], ends: number[], axes?: number[], steps?: number[]): Value {
    return this.op('Slice', [x, this.int64(starts, undefined, 'starts'), this.int64(ends, undefined, 'ends'), axes && this.int64(axes, undefined, 'axes'), steps && this.int64(steps, undefined, 'steps')]);
  }
  gather(x: V, indices: V, axis = 0): Value { return this.op('Gather', [x, indices], { axis }); }
  shape(x: V): Value { return this.op('Shape', [x]); }
  cast(x: V, to: DType): Value { return this.op('Cast', [x], { to: ONNX_TYPE[to] }); }
  expand(x: V, shape: V): Value { return this.op('Expand', [x, shape]); }
  reduceMean(x: V, axes: number[], keepdims = 1): Value { return this.op('ReduceMean', [x], { axes, keepdims }); }
  identity(x: V): Value { return this.op('Identity', [x]); }
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_TYPE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };
