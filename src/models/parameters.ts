import type { Graph } from '../graph/graph.js';

/**
 * Weights a framework would call learnable: every initializer except BatchNormalization's
 * running mean and variance (PyTorch counts those as buffers, so torchvision's published
 * parameter counts leave them out; `graph.parameterCount` includes them).
 */
export function learnableParameterCount(graph: Graph): number {
  const stats = new Set<string>();
  for (const n of graph.nodes) if (n.op === 'BatchNormalization') { stats.add(n.inputs[3]); stats.add(n.inputs[4]); }
  let total = 0;
  for (const [name, w] of graph.initializers) if (!stats.has(name)) total += w.shape.reduce((a, b) => a * b, 1);
  return total;
}
