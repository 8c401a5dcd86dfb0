import { Graph, type Node } from '../../graph/graph.js';
import { analyze } from '../../graph/analyze.js';
import { inferTypes } from '../../graph/infer.js';
import { Tensor } from '../../tensor.js';
import { constantValue, type ChannelSpace } from './spaces.js';

/** The channels a space keeps, ascending. */
export interface ChannelPlan { space: ChannelSpace; keep: number[] }

/**
 * The smaller dense graph: every constant a plan slices (producer weight rows and biases,
 * BatchNorm parameters, depthwise filters, per-channel constants, consumer weight columns) is
 * replaced by a sliced copy under a fresh name, depthwise `group`s shrink to the kept count,
 * and constants nothing reads any more are dropped. The input graph is not changed.
 */
export function applyChannelPlans(g: Graph, plans: readonly ChannelPlan[]): Graph {
  const out = g.clone(), index = new Map(g.nodes.map((n, i) => [n, i]));
  const cuts = new Map<string, { node: number; input: number; axes: { axis: number; keep: number[] }[] }>();
  for (const { space, keep } of plans) {
    if (keep.length === space.channels) continue;
    for (const sl of space.slices) {
      const node = index.get(sl.node)!, key = `${node}:${sl.input}`;
      const c = cuts.get(key) ?? { node, input: sl.input, axes: [] };
      if (!c.axes.some((a) => a.axis === sl.axis)) c.axes.push({ axis: sl.axis, keep });
      cuts.set(key, c);
    }
    for (const n of space.grouped) out.nodes[index.get(n)!].attrs.group = keep.length;
  }
  const names = new Set([...g.initializers.keys(), ...g.inputs.map((v) => v.name), ...g.nodes.flatMap((n) => n.outputs)]);
  for (const { node, input, axes } of cuts.values()) {
    const n = out.nodes[node], name = n.inputs[input], t = constantValue(g, name);
    if (!t) throw new Error(`internal error: '${name}' (input ${input} of '${n.name}') is not a float32 constant`);
    let fresh = `${name}.pruned`;
    for (let i = 1; names.has(fresh); i++) fresh = `${name}.pruned${i}`;
    names.add(fresh);
    out.initializers.set(fresh, sliceTensor(t, axes));
    n.inputs[input] = fresh;
  }
  dropUnused(out);
  inferTypes(out, analyze(out)); // the result must be a valid graph; a failure here is a bug, named by node
  return out;
}

/** Keep only the listed positions along each given axis. */
export function sliceTensor(t: Tensor, axes: readonly { axis: number; keep: readonly number[] }[]): Tensor {
  const src = t.data as Float32Array, rank = t.shape.length;
  const pick: (readonly number[] | undefined)[] = new Array(rank).fill(undefined);
  for (const { axis, keep } of axes) pick[axis] = keep;
  const shape = t.shape.map((d, a) => pick[a]?.length ?? d);
  const stride = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) { stride[a] = s; s *= t.shape[a]; }
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let o = 0;
  const walk = (a: number, base: number): void => {
    if (a === rank) { out[o++] = src[base]; return; }
    const p = pick[a];
    for (let i = 0; i < shape[a]; i++) walk(a + 1, base + (p ? p[i] : i) * stride[a]);
  };
  if (out.length) walk(0, 0);
  return new Tensor('float32', shape, out);
}

/** Constant nodes and initializers that nothing reads (the originals of the sliced copies). */
function dropUnused(g: Graph): void {
  const read = () => new Set([...g.nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]);
  let used = read();
  g.nodes = g.nodes.filter((n: Node) => n.op !== 'Constant' || used.has(n.outputs[0]));
  used = read();
  for (const k of [...g.initializers.keys()]) if (!used.has(k)) g.initializers.delete(k);
}
