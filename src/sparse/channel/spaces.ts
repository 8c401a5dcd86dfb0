import type { Graph, Node } from '../../graph/graph.js';
import { analyze } from '../../graph/analyze.js';
import { inferTypes } from '../../graph/infer.js';
import type { ValueType } from '../../ops/types.js';
import { Tensor } from '../../tensor.js';
import { denseConstant } from '../targets.js';

/**
 * Channel spaces: the sets of values that share one channel indexing, so removing channel c
 * means removing it from every value of the set at once. A space starts at the output of a
 * Conv (group 1), Gemm or MatMul with a constant weight, and spreads through ops that act per
 * channel (BatchNormalization, activations, depthwise convs, pools, elementwise ops with
 * per-channel or scalar constants, Flatten of [N, C, 1, 1]); a residual Add of two spaces joins
 * them into one, so every partner of the Add is pruned alike. It ends at the layers that reduce
 * over the channels (Conv/Gemm/MatMul inputs), whose weights lose the matching input slices.
 *
 * A space that reaches anything else (a graph input or output, Reshape, Transpose, Concat,
 * LayerNormalization, Softmax, attention MatMuls...) is marked invalid with the reason and
 * left whole: pruning it would change what that op computes.
 */
export interface ChannelSlice {
  node: Node;
  /** The node input that holds the constant to slice. */
  input: number;
  axis: number;
  role: 'producer' | 'through' | 'consumer';
}

export interface ChannelSpace {
  channels: number;
  /** Value name -> its channel axis. */
  values: Map<string, number>;
  /** Layers creating the channels: their weight rows are the channels (importance comes from them). */
  producers: { node: Node; weight: Tensor; axis: 0 | 1 }[];
  slices: ChannelSlice[];
  /** Depthwise convs whose `group` is the channel count. */
  grouped: Node[];
  invalid?: string;
}

const UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'Erf', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil',
  'Softplus', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Gelu', 'Identity', 'Dropout', 'Clip']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']);
const POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'AveragePool', 'MaxPool']);
const CONV = new Set(['Conv', 'FusedConv']), GEMM = new Set(['Gemm', 'FusedGemm']), MATMUL = new Set(['MatMul', 'FusedMatMul']);

/** Every channel space of the graph, valid or not, in graph order of their first producer. */
export function channelSpaces(g: Graph): ChannelSpace[] {
  return new SpaceFinder(g).find();
}

class SpaceFinder {
  private readonly types: Map<string, ValueType>;
  private readonly producer = new Map<string, Node>();
  private readonly consumers = new Map<string, { node: Node; input: number }[]>();
  private readonly outputs: Set<string>;

  constructor(private readonly g: Graph) {
    this.types = inferTypes(g, analyze(g));
    this.outputs = new Set(g.outputs.map((o) => o.name));
    for (const n of g.nodes) {
      n.outputs.forEach((o) => { if (o) this.producer.set(o, n); });
      n.inputs.forEach((v, input) => { if (v) this.consumers.set(v, [...(this.consumers.get(v) ?? []), { node: n, input }]); });
    }
  }

  find(): ChannelSpace[] {
    const assigned = new Set<string>(), spaces: ChannelSpace[] = [];
    for (const n of this.g.nodes) {
      const out = n.outputs[0];
      if (!out || assigned.has(out) || !this.producerWeight(n)) continue;
      const s = this.explore(out);
      for (const v of s.values.keys()) assigned.add(v);
      spaces.push(s);
    }
    return spaces;
  }

  /** The output-channel view of a producer's weight, when `n` is a layer that creates channels. */
  private producerWeight(n: Node): { weight: Tensor; axis: 0 | 1 } | undefined {
    const w = denseConstant(this.g, n.inputs[1]);
    if (!w) return undefined;
    if (CONV.has(n.op)) return group(n) === 1 && w.rank >= 3 ? { weight: w, axis: 0 } : undefined;
    if (GEMM.has(n.op)) return w.rank === 2 && n.attrs.transA !== 1 ? { weight: w, axis: n.attrs.transB === 1 ? 0 : 1 } : undefined;
    if (MATMUL.has(n.op)) return w.rank === 2 ? { weight: w, axis: 1 } : undefined;
    return undefined;
  }

  private explore(start: string): ChannelSpace {
    const space: ChannelSpace = { channels: -1, values: new Map(), producers: [], slices: [], grouped: [] };
    const queue: [string, number][] = [[start, this.outputAxis(this.producer.get(start)!, start)]];
    const seen = new Set<string>();
    const fail = (why: string) => { space.invalid ??= why; };
    const visit = (n: Node, role: string, fn: () => void) => { const key = `${n.name}\u0000${role}`; if (!seen.has(key)) { seen.add(key); fn(); } };
    while (queue.length) {
      const [v, axis] = queue.shift()!;
      const known = space.values.get(v);
      if (known !== undefined) { if (known !== axis) fail(`'${v}' would carry channels on two axes`); continue; }
      const dim = this.types.get(v)?.shape[axis];
      space.values.set(v, axis);
      if (typeof dim !== 'number') { fail(`'${v}' has no static channel dimension`); continue; }
      if (space.channels < 0) space.channels = dim;
      else if (dim !== space.channels) fail(`'${v}' has ${dim} channels where its partners have ${space.channels}`);
      if (this.outputs.has(v)) fail(`'${v}' is a graph output`);
      const p = this.producer.get(v);
      if (!p || p.op === 'Constant') fail(`'${v}' is a graph input or constant`);
      else if (this.producerWeight(p)) visit(p, 'producer', () => this.produce(p, v, axis, space, fail));
      else visit(p, 'through', () => this.through(p, axis, space, queue, fail));
      for (const { node: c, input } of this.consumers.get(v) ?? []) {
        if (input === 0 && this.reducesChannels(c)) visit(c, 'consumer', () => this.consume(c, axis, space, fail));
        else visit(c, 'through', () => this.through(c, BINARY.has(c.op) ? axis + this.rank(c.outputs[0]) - this.rank(v) : axis, space, queue, fail));
      }
    }
    return space;
  }

  /** Channel axis of a producer's output: 1 for Conv/Gemm outputs, the last for MatMul. */
  private outputAxis(n: Node, v: string): number { return MATMUL.has(n.op) ? this.rank(v) - 1 : 1; }

  private rank(v: string): number { return this.types.get(v)?.shape.length ?? 0; }

  /** `v` (channels on `axis`) is the output of a layer that creates channels: its weight rows and bias are sliced. */
  private produce(n: Node, v: string, axis: number, s: ChannelSpace, fail: (w: string) => void): void {
    const pw = this.producerWeight(n)!, want = this.outputAxis(n, v);
    if (axis !== want) return fail(`'${n.name}' (${n.op}) makes its channels on axis ${want}, not ${axis}`);
    s.producers.push({ node: n, ...pw });
    s.slices.push({ node: n, input: 1, axis: pw.axis, role: 'producer' });
    const b = n.inputs[2];
    if (!b) return;
    const shape = this.types.get(b)!.shape, last = shape.length - 1;
    if (!this.isConstant(b)) return fail(`'${n.name}' (${n.op}) has a bias that is not a constant`);
    // Gemm's C broadcasts: only a last axis of size N holds one value per channel.
    if (last >= 0 && shape[last] === s.channels) s.slices.push({ node: n, input: 2, axis: last, role: 'producer' });
  }

  /** Input 0 of a Conv (group 1) / Gemm / MatMul with a constant weight: the channels are its K. */
  private reducesChannels(n: Node): boolean {
    const w = denseConstant(this.g, n.inputs[1]);
    if (!w) return false;
    if (CONV.has(n.op)) return group(n) === 1;
    if (GEMM.has(n.op)) return w.rank === 2 && n.attrs.transA !== 1;
    return MATMUL.has(n.op) && w.rank === 2;
  }

  private consume(n: Node, axis: number, s: ChannelSpace, fail: (w: string) => void): void {
    const want = MATMUL.has(n.op) ? this.rank(n.inputs[0]) - 1 : 1;
    if (axis !== want) return fail(`'${n.name}' (${n.op}) reduces over axis ${want}, but the channels are on axis ${axis}`);
    const inAxis = CONV.has(n.op) ? 1 : GEMM.has(n.op) ? (n.attrs.transB === 1 ? 1 : 0) : 0;
    s.slices.push({ node: n, input: 1, axis: inAxis, role: 'consumer' });
  }

  /** A per-channel op: output 0 carries the channels on `outAxis`; its inputs follow. */
  private through(n: Node, outAxis: number, s: ChannelSpace, queue: [string, number][], fail: (w: string) => void): void {
    const why = `'${n.name}' (${n.op}) does not act channel by channel`;
    if (n.outputs.slice(1).some((o) => o && (this.outputs.has(o) || this.consumers.has(o)))) return fail(`'${n.name}' (${n.op}) has a second output in use`);
    const out = n.outputs[0];
    const constSlice = (input: number, axis: number) => {
      const v = n.inputs[input], t = v ? this.types.get(v) : undefined;
      if (!v || !t) return;
      if (!this.isConstant(v) || t.dtype !== 'float32') return fail(`'${n.name}' (${n.op}) has a per-channel input '${v}' that is not a float32 constant`);
      s.slices.push({ node: n, input, axis, role: 'through' });
    };
    if (UNARY.has(n.op)) {
      queue.push([n.inputs[0], outAxis]);
    } else if (n.op === 'BatchNormalization') {
      if (outAxis !== 1) return fail(why);
      queue.push([n.inputs[0], 1]);
      for (let i = 1; i <= 4; i++) constSlice(i, 0);
    } else if (CONV.has(n.op)) {
      const w = denseConstant(this.g, n.inputs[1]);
      if (!w || outAxis !== 1 || w.shape[1] !== 1 || group(n) !== w.shape[0] || group(n) === 1) return fail(why);
      queue.push([n.inputs[0], 1]);
      constSlice(1, 0);
      if (n.inputs[2]) constSlice(2, 0);
      s.grouped.push(n);
    } else if (POOLS.has(n.op)) {
      if (outAxis !== 1) return fail(why);
      queue.push([n.inputs[0], 1]);
    } else if (n.op === 'Flatten') {
      const x = this.types.get(n.inputs[0])!.shape;
      if (outAxis !== 1 || ((n.attrs.axis as number | undefined) ?? 1) !== 1 || !x.slice(2).every((d) => d === 1)) return fail(why);
      queue.push([n.inputs[0], 1]);
    } else if (BINARY.has(n.op)) {
      const outRank = this.rank(out);
      for (let i = 0; i < 2; i++) {
        const v = n.inputs[i], shape = this.types.get(v)!.shape, a = outAxis - (outRank - shape.length);
        if (a < 0 || shape[a] === 1) continue; // broadcast along the channels: nothing to slice
        if (shape[a] !== s.channels) return fail(`'${n.name}' (${n.op}) input '${v}' has ${shape[a]} channels, not ${s.channels}`);
        if (this.isConstant(v)) constSlice(i, a);
        else queue.push([v, a]);
      }
    } else return fail(why);
    queue.push([out, outAxis]);
  }

  /** An initializer or a Constant node's output. */
  private isConstant(v: string): boolean {
    return !!denseConstant(this.g, v) || this.producer.get(v)?.op === 'Constant';
  }
}

function group(n: Node): number { return (n.attrs.group as number | undefined) ?? 1; }

/** The float32 value of a constant input (initializer or Constant node). */
export function constantValue(g: Graph, v: string): Tensor | undefined {
  const t = denseConstant(g, v);
  if (t) return t;
  const p = g.nodes.find((n) => n.op === 'Constant' && n.outputs[0] === v);
  const value = p?.attrs.value;
  if (value instanceof Tensor && value.dtype === 'float32') return value;
  if (typeof p?.attrs.value_float === 'number') return new Tensor('float32', [], [p.attrs.value_float]);
  if (Array.isArray(p?.attrs.value_floats)) return new Tensor('float32', [(p.attrs.value_floats as number[]).length], p.attrs.value_floats as number[]);
  return undefined;
}
