/**
 * The browser bundle's main entry (dist/browser/tessera.js): the package's main entry (models,
 * pre/post-processing included) plus the worker API, for pages without a build step. Bundler
 * users import the package ('tessera', 'tessera/onnx', 'tessera/worker') instead.
 */
export * from '../index.js';
export { createWorkerSession, WorkerSession, WorkerSessionError, type WorkerSessionOptions, type WorkerHandle } from '../runtime/workers/worker-session.js';
export { createPipelineSession, PipelineSession, type PipelineOptions } from '../runtime/workers/pipeline-session.js';
