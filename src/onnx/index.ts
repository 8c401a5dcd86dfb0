import type { Graph } from '../graph/graph.js';

export function loadOnnx(_bytes: Uint8Array): Graph {
  throw new Error('loadOnnx: not implemented yet');
}
export function saveOnnx(_graph: Graph): Uint8Array {
  throw new Error('saveOnnx: not implemented yet');
}
