import { GraphError, type Node } from '../graph.js';
import { analyze, type ParsedNode } from '../analyze.js';
import { inferNode } from '../infer.js';
import { Tensor } from '../../tensor.js';
import { toKernelData, toPublicData, type KernelData } from '../../dtype.js';
import { isStatic, sizeOf } from '../../ops/dims.js';
import type { RawAttrs, ValueType } from '../../ops/types.js';
import type { ShapeAttrs } from '../../ops/shape.js';
import { shapeRange } from '../../../kernels/index-math.js';
import type { Pass, Rewriter } from './pattern.js';

/**
 * A folded output may be at most this many elements bigger than its inputs together, or twice
 * their size: folding Expand or ConstantOfShape into a big initializer would trade a cheap fill
 * for stored megabytes, while folding a Transpose or Cast of a weight (no bigger than the
 * weight) is a saving at any size.
 */
export const GROWTH_LIMIT = 1 << 16;
/** Small initializers carry their values through inference (Reshape's shape input and the like). */
const VALUE_LIMIT = 1024;
/** Folding these would undo quantization: int8 weights would come back as float32 initializers. */
const NO_FOLD = new Set(['DequantizeLinear', 'QuantizeLinear', 'DynamicQuantizeLinear']);

/**
 * Replaces every node whose outputs are known before any input is fed by initializers:
 * Constant nodes, nodes whose inputs are all constants (run through `ctx.evaluate`), shape
 * computations over static shapes (Shape of a value whose shape inference is fully numeric, and
 * what shape inference propagates from it: Gather, Unsqueeze, Concat, ...), and Gather picking
 * static dims out of a partly symbolic Shape. Folded nodes are removed; inputs only they read
 * become dead, and DCE drops them.
 */
export const constantFold: Pass = {
  name: 'constant-fold',
  run(rw, ctx) {
    const g = rw.graph, types = new Map<string, ValueType>(), data = new Map<string, KernelData>();
    const kernelData = (name: string): KernelData => {
      let d = data.get(name);
      if (!d) {
        const t = rw.constant(name)!;
        d = toKernelData(t.dtype, t.data);
        data.set(name, d);
      }
      return d;
    };
    for (const v of g.inputs) types.set(v.name, { dtype: v.dtype, shape: v.shape.slice() });
    for (const [name] of g.initializers) {
      if (types.has(name)) continue; // an input's default value: the feed decides
      const t = rw.constant(name);
      if (!t) types.set(name, { dtype: 'float32', shape: g.initializers.get(name)!.shape.slice() });
      else types.set(name, { dtype: t.dtype, shape: t.shape.slice(), ...(t.size <= VALUE_LIMIT ? { value: kernelData(name) } : {}) });
    }
    for (const pn of analyze(g).order) {
      const node = pn.node;
      const ins = node.inputs.map((v) => (v ? types.get(v) : undefined));
      const outs = inferNode(pn, ins);
      const folded = node.op === 'Constant' ? constantNode(node.attrs) : fold(pn, ins, outs);
      if (folded) {
        node.outputs.forEach((o, k) => {
          if (!o) return;
          g.initializers.set(o, folded[k]);
          types.set(o, { ...outs[k], ...(folded[k].size <= VALUE_LIMIT ? { value: kernelData(o) } : {}) });
        });
        rw.remove(node);
      } else node.outputs.forEach((o, k) => { if (o && outs[k]) types.set(o, outs[k]); });
    }

    function fold(pn: ParsedNode, ins: (ValueType | undefined)[], outs: ValueType[]): Tensor[] | undefined {
      const node = pn.node;
      if (NO_FOLD.has(node.op) || !outs.every((t) => isStatic(t.shape))) return undefined;
      if (outs.every((t) => t.value)) return outs.map((t) => tensorOf(t, t.value!)); // shape inference knew it
      const partial = gatherOfShape(rw, node, types);
      if (partial) return [partial];
      const allKnown = node.inputs.every((v) => !v || rw.constant(v));
      if (!allKnown || !ctx.evaluate || !withinLimits(ins, outs)) return undefined;
      const known = ins.map((t, k) => t && { ...t, value: kernelData(node.inputs[k]) });
      let values: KernelData[];
      try {
        values = ctx.evaluate(pn, known, outs);
      } catch (e) {
        throw new GraphError(`constant folding failed: ${(e as Error).message}`, node.name, node.op);
      }
      return outs.map((t, k) => tensorOf(t, values[k]));
    }
  },
};

function withinLimits(ins: (ValueType | undefined)[], outs: ValueType[]): boolean {
  const inSize = ins.reduce((s, t) => s + (t ? sizeOf(t.shape as number[]) : 0), 0);
  const outSize = outs.reduce((s, t) => s + sizeOf(t.shape as number[]), 0);
  return outSize <= GROWTH_LIMIT || outSize <= 2 * inSize;
}

function tensorOf(t: ValueType, value: KernelData): Tensor {
  return new Tensor(t.dtype, t.shape as number[], toPublicData(t.dtype, value) as never);
}

/** A Constant node's tensor, taken from the raw attribute so int64 keeps its full range. */
function constantNode(raw: RawAttrs): Tensor[] | undefined {
  if (raw.value instanceof Tensor) return [raw.value];
  if (typeof raw.value_float === 'number') return [new Tensor('float32', [], [raw.value_float])];
  if (Array.isArray(raw.value_floats)) return [new Tensor('float32', [raw.value_floats.length], raw.value_floats as number[])];
  if (typeof raw.value_int === 'number') return [new Tensor('int64', [], [raw.value_int])];
  if (Array.isArray(raw.value_ints)) return [new Tensor('int64', [raw.value_ints.length], raw.value_ints as number[])];
  return undefined; // a form the Constant schema rejects anyway
}

/**
 * Gather(Shape(x), k) where the picked dims of x are numbers though others are symbolic (the
 * hidden size of a [batch, seq, hidden] activation): the result is a constant.
 */
function gatherOfShape(rw: Rewriter, node: Node, types: Map<string, ValueType>): Tensor | undefined {
  if (node.op !== 'Gather' || ((node.attrs.axis ?? 0) !== 0 && node.attrs.axis !== -1)) return undefined;
  const shapeNode = rw.producedBy(node.inputs[0], 'Shape'), idx = rw.values(node.inputs[1]), it = rw.constant(node.inputs[1]);
  const x = shapeNode && types.get(shapeNode.inputs[0]);
  if (!shapeNode || !x || !idx || !it) return undefined;
  const attrs: ShapeAttrs = { start: (shapeNode.attrs.start as number | undefined) ?? 0, end: shapeNode.attrs.end as number | undefined };
  const [start, end] = shapeRange(attrs, x.shape.length);
  const dims = x.shape.slice(start, end), n = dims.length;
  const picked = Array.from(idx, (k) => dims[k < 0 ? k + n : k]);
  if (!picked.every((d) => typeof d === 'number')) return undefined;
  return new Tensor('int64', it.shape, picked as number[]);
}
