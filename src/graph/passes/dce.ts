import type { Node } from '../graph.js';
import type { Pass } from './pattern.js';

/**
 * Dead-code elimination: drops nodes none of whose outputs reach a graph output, then
 * initializers nothing reads (the weights a fusion replaced, the constants a fold consumed).
 * Graph inputs stay even when unused: they are the model's interface.
 */
export const dce: Pass = {
  name: 'dce',
  run(rw) {
    const g = rw.graph, live = new Set<Node>(), needed = new Set(g.outputs.map((o) => o.name));
    const stack = [...needed];
    while (stack.length) {
      const p = rw.producer(stack.pop()!);
      if (!p || live.has(p)) continue;
      live.add(p);
      for (const v of p.inputs) if (v && !needed.has(v)) { needed.add(v); stack.push(v); }
    }
    for (const n of rw.nodes()) if (!live.has(n)) rw.remove(n);
    for (const name of [...g.initializers.keys()]) if (!needed.has(name)) g.initializers.delete(name);
  },
};
