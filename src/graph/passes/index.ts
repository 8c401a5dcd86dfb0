import type { Graph } from '../graph.js';

/** Graph optimizations run by InferenceSession.create (the ONNX issue fills this in). */
export function optimize(graph: Graph): Graph {
  return graph;
}
