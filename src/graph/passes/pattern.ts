import { Graph, isPacked, type Node } from '../graph.js';
import { Tensor } from '../../tensor.js';
import { isFloat, toKernelData } from '../../dtype.js';
import type { Dim, ValueType } from '../../ops/types.js';
import { analyze } from '../analyze.js';
import { inferTypes, type Evaluate } from '../infer.js';

/**
 * A graph being rewritten in place, with the producer and consumer maps the pattern matchers
 * need kept up to date across rewrites. Passes work on a clone (optimize() makes it), so
 * mutating `graph` here never touches the caller's graph; tensors are shared and never mutated.
 */
export class Rewriter {
  private readonly producers = new Map<string, Node>();
  private readonly consumerMap = new Map<string, Node[]>();
  private readonly outputs: Set<string>;
  private readonly inputs: Set<string>;
  private readonly names = new Set<string>();
  private readonly removed = new Set<Node>();

  constructor(readonly graph: Graph) {
    this.outputs = new Set(graph.outputs.map((o) => o.name));
    this.inputs = new Set(graph.inputs.map((v) => v.name));
    for (const v of graph.inputs) this.names.add(v.name);
    for (const k of graph.initializers.keys()) this.names.add(k);
    for (const n of graph.nodes) this.index(n);
  }

  /** The live nodes, in graph order (a snapshot: rewrites during iteration are safe). */
  nodes(): Node[] { return this.graph.nodes.filter((n) => !this.removed.has(n)); }
  isLive(n: Node): boolean { return !this.removed.has(n); }

  producer(v: string): Node | undefined { return v ? this.producers.get(v) : undefined; }
  /** The producer of `v` when it is one of `ops` (default domain or 'tessera'). */
  producedBy(v: string, ...ops: string[]): Node | undefined {
    const p = this.producer(v);
    return p && ops.includes(p.op) ? p : undefined;
  }
  /** Distinct nodes reading `v`. */
  consumers(v: string): Node[] { return this.consumerMap.get(v) ?? []; }
  isGraphOutput(v: string): boolean { return this.outputs.has(v); }

  /** `v` is read only by `node` (any number of times) and is not a graph output: safe to fuse away. */
  onlyFeeds(v: string, node: Node): boolean {
    const c = this.consumers(v);
    return !this.outputs.has(v) && c.length === 1 && c[0] === node;
  }
  /** The single node reading `v`, when `v` is private to it (see onlyFeeds). */
  soleConsumer(v: string, ...ops: string[]): Node | undefined {
    const c = this.consumers(v);
    if (this.outputs.has(v) || c.length !== 1) return undefined;
    return ops.length === 0 || ops.includes(c[0].op) ? c[0] : undefined;
  }

  /**
   * A dense constant (initializer) or undefined. Packed weights are not dense constants, and an
   * initializer that shares its name with a graph input is only a default the feed overrides.
   */
  constant(v: string): Tensor | undefined {
    const w = v && !this.inputs.has(v) ? this.graph.initializers.get(v) : undefined;
    return w && !isPacked(w) ? (w as Tensor) : undefined;
  }
  /** The constant's values as float64 numbers (int64 through int32, float16 decoded). */
  values(v: string): Float64Array | undefined {
    const t = this.constant(v);
    return t ? Float64Array.from(toKernelData(t.dtype, t.data)) : undefined;
  }
  /** The single value of a one-element constant. */
  scalar(v: string): number | undefined {
    const t = this.constant(v);
    return t && t.size === 1 ? this.values(v)![0] : undefined;
  }
  /** A float constant, as float64 numbers. */
  floatValues(v: string): Float64Array | undefined {
    const t = this.constant(v);
    return t && isFloat(t.dtype) ? this.values(v) : undefined;
  }

  /** A name no value, initializer or node in the graph uses yet. */
  fresh(stem: string): string {
    let n = stem;
    for (let i = 1; this.names.has(n); i++) n = `${stem}_${i}`;
    this.names.add(n);
    return n;
  }
  addInitializer(stem: string, t: Tensor): string {
    const name = this.fresh(stem);
    this.graph.initializers.set(name, t);
    return name;
  }

  /**
   * Replace `old` nodes by `fresh` ones, placed where the last of `old` stood (its inputs were
   * all computed by then when the graph is in topological order; analyze() sorts anyway).
   */
  replace(old: readonly Node[], fresh: readonly Node[]): void {
    const at = Math.max(...old.map((n) => this.graph.nodes.indexOf(n)));
    for (const n of old) this.unindex(n);
    for (const n of fresh) this.index(n);
    const keep = new Set(old);
    this.graph.nodes = this.graph.nodes.flatMap((n, i) => (i === at ? [...fresh] : keep.has(n) ? [] : [n]));
  }

  /** Drop a node (its outputs must have no consumers left). */
  remove(n: Node): void {
    this.unindex(n);
    this.removed.add(n);
    this.graph.nodes = this.graph.nodes.filter((m) => m !== n);
  }

  private index(n: Node): void {
    this.names.add(n.name);
    for (const o of n.outputs) if (o) { this.producers.set(o, n); this.names.add(o); }
    for (const v of new Set(n.inputs)) if (v) this.consumerMap.set(v, [...this.consumers(v), n]);
  }
  private unindex(n: Node): void {
    this.removed.add(n);
    for (const o of n.outputs) if (this.producers.get(o) === n) this.producers.delete(o);
    for (const v of new Set(n.inputs)) if (v) this.consumerMap.set(v, this.consumers(v).filter((m) => m !== n));
  }
}

/** Type and shape of every value (symbolic dims stay symbolic). */
export function valueTypes(graph: Graph): Map<string, ValueType> {
  return inferTypes(graph, analyze(graph));
}

/** a and b agree to a relative tolerance (exported models round their constants differently). */
export function near(a: number | undefined, b: number, rel = 1e-4): boolean {
  return a !== undefined && Math.abs(a - b) <= rel * Math.abs(b);
}

/** The input of a two-input node that is not `v` (`v` itself for x op x). */
export function other(n: Node, v: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  if (n.inputs[0] === v) return n.inputs[1];
  if (n.inputs[1] === v) return n.inputs[0];
  return undefined;
}

export function sameShape(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** What a pass may use besides the graph. */
export interface PassContext {
  /** Runs one node on known inputs (the CPU kernels); without it only shapes and Constant nodes fold. */
  evaluate?: Evaluate;
}

/** A rewrite over the whole graph, in place on the Rewriter's (cloned) graph. */
export interface Pass {
  readonly name: string;
  run(rw: Rewriter, ctx: PassContext): void;
}
