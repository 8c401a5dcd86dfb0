/**
 * `tessera/core`: tensors, graphs, the builder and the CPU session, nothing else. What an
 * embedder that brings its own graphs needs; the smallest entry (see the README's bundle size).
 * The ONNX reader and the graph passes stay behind dynamic imports in the session, so a bundler
 * splits them into chunks loaded only when used.
 */
export { Tensor } from '../tensor.js';
export type { DType } from '../dtype.js';
export { Graph, GraphError, type Node, type ValueInfo, type Initializer, type PackedWeight } from '../graph/graph.js';
export { GraphBuilder, type Value } from '../graph/builder.js';
export { InferenceSession, SessionError, type SessionOptions, type PlanStats, type BackendName } from '../runtime/session.js';
