export { Tensor } from './tensor.js';
export type { DType } from './dtype.js';
export { Graph, GraphError, type Node, type ValueInfo, type Initializer, type PackedWeight } from './graph/graph.js';
export { GraphBuilder, type Value } from './graph/builder.js';
export { InferenceSession, SessionError, type SessionOptions, type PlanStats, type BackendName } from './runtime/session.js';
export { OPS, type OpName } from './ops/index.js';
export * from './models/pipeline-index.js';
