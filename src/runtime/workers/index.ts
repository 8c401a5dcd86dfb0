/** Sessions in workers: one worker per session, or a model's layers across workers (pipeline). */
export { createWorkerSession, WorkerSession, WorkerSessionError, WorkerLink, type WorkerSessionOptions, type WorkerHandle } from './worker-session.js';
export { createPipelineSession, PipelineSession, type PipelineOptions } from './pipeline-session.js';
export { splitStages, type Stage, type PipelinePlan } from './pipeline-plan.js';
export { serveSessions, startWorker } from './serve.js';
export { endpoint, type Endpoint, type MessageTarget } from './protocol.js';
export { graphToMessage, graphFromMessage, tensorToMessage, tensorFromMessage, TransferError, type GraphMessage, type TensorMessage } from './transfer.js';
