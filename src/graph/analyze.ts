import { Graph, GraphError, type Node } from './graph.js';
import { schemaOf } from '../ops/index.js';
import { checkAttrs } from '../ops/attrs.js';
import type { OpSchema } from '../ops/types.js';

/** A node with its schema and attributes parsed once. */
export interface ParsedNode {
  readonly node: Node;
  readonly schema: OpSchema<unknown>;
  readonly attrs: unknown;
}

export interface Analysis {
  /** Nodes in a topological order. */
  readonly order: ParsedNode[];
}

/**
 * Structural validation and attribute parsing: unknown ops (all reported at once), arity,
 * attributes, values produced twice, dangling inputs, missing outputs, cycles.
 */
export function analyze(graph: Graph): Analysis {
  const unknown = new Map<string, string[]>();
  for (const n of graph.nodes) {
    if (!schemaOf(n.op) || (n.domain && n.domain !== 'ai.onnx' && n.domain !== (schemaOf(n.op)!.domain ?? ''))) {
      const key = `${n.domain || 'ai.onnx'}::${n.op}`;
      unknown.set(key, [...(unknown.get(key) ?? []), n.name]);
    }
  }
  if (unknown.size) {
    const lines = [...unknown].map(([k, names]) => {
      const [domain, op] = k.split('::');
      return `  ${op} (domain ${domain}, opset ${graph.opset}) at node${names.length > 1 ? 's' : ''} ${names.map((s) => `'${s}'`).join(', ')}`;
    });
    throw new GraphError(`unsupported op${unknown.size > 1 ? 's' : ''}:\n${lines.join('\n')}`);
  }

  const available = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o)) throw new GraphError(`output '${o}' is already produced by node '${graph.nodes[producer.get(o)!].name}'`, n.name, n.op);
      if (available.has(o)) throw new GraphError(`output '${o}' overwrites a graph input or initializer of the same name`, n.name, n.op);
      producer.set(o, i);
    }
  });

  const parsed: ParsedNode[] = graph.nodes.map((node) => {
    const schema = schemaOf(node.op)!;
    const nIn = trimOptional(node.inputs).length, nOut = trimOptional(node.outputs).length;
    const [minIn, maxIn] = schema.inputs, [minOut, maxOut] = schema.outputs;
    if (nIn < minIn || nIn > maxIn) throw new GraphError(`takes ${range(minIn, maxIn)} inputs, got ${nIn}`, node.name, node.op);
    if (nOut < minOut || nOut > maxOut) throw new GraphError(`produces ${range(minOut, maxOut)} outputs, got ${nOut}`, node.name, node.op);
    node.inputs.forEach((v, k) => {
      if (v && !available.has(v) && !producer.has(v)) throw new GraphError(`input ${k} '${v}' is not a graph input, an initializer, or any node's output`, node.name, node.op);
    });
    try {
      checkAttrs(schema, node.attrs);
      return { node, schema, attrs: schema.parse(node.attrs) };
    } catch (e) {
      throw new GraphError((e as Error).message, node.name, node.op);
    }
  });

  for (const o of graph.outputs) {
    if (!available.has(o.name) && !producer.has(o.name)) throw new GraphError(`graph output '${o.name}' is not produced by any node`);
  }

  // Kahn's algorithm; whatever is left over sits on a cycle.
  const indeg = graph.nodes.map((n) => new Set(n.inputs.filter((v) => v && producer.has(v))).size);
  const consumers = new Map<number, number[]>();
  graph.nodes.forEach((n, i) => {
    for (const v of new Set(n.inputs)) if (v && producer.has(v)) {
      const p = producer.get(v)!;
      consumers.set(p, [...(consumers.get(p) ?? []), i]);
    }
  });
  const ready = indeg.flatMap((d, i) => (d === 0 ? [i] : []));
  const order: ParsedNode[] = [];
  while (ready.length) {
    const i = ready.shift()!;
    order.push(parsed[i]);
    for (const c of consumers.get(i) ?? []) if (--indeg[c] === 0) ready.push(c);
  }
  if (order.length < graph.nodes.length) {
    const stuck = graph.nodes.filter((_, i) => indeg[i] > 0).map((n) => `'${n.name}' (${n.op})`);
    throw new GraphError(`the graph has a cycle through node${stuck.length > 1 ? 's' : ''} ${stuck.join(', ')}`);
  }
  return { order };
}

function trimOptional(names: string[]): string[] {
  let n = names.length;
  while (n > 0 && !names[n - 1]) n--;
  return names.slice(0, n);
}

function range(min: number, max: number): string {
  return min === max ? `${min}` : max >= 99 ? `at least ${min}` : `${min} to ${max}`;
}
