/** Serving: an HTTP inference server and the parts it is built from, usable in any Node server. */
export { InferenceServer, type ServerOptions } from './server.js';
export { ServedModel, defaultBatchSizes, type ServedModelOptions, type Feeds } from './served-model.js';
export { DynamicBatcher, BatcherError, QueueFullError, QueueTimeoutError, CanceledError, BatcherClosedError, type BatcherOptions, type BatchInfo, type SubmitOptions } from './batcher.js';
export { LruCache, hashInputs, tensorsBytes, type LruCacheOptions, type CacheStats } from './cache.js';
export { MetricsRegistry, Counter, Gauge, Histogram, MetricsError, DEFAULT_SECONDS_BUCKETS, PROMETHEUS_CONTENT_TYPE, type Labels } from './metrics.js';
export { createServeMetrics, BATCH_SIZE_BUCKETS, type ServeMetrics } from './serve-metrics.js';
export { DriftMonitor, psi, buildReference, sampleValues, type DriftOptions, type DriftProfile, type DriftReference } from './drift.js';
export {
  parseInferRequest, encodeInferResponse, modelMetadata, tensorFromJsonData, tensorToJsonData, tensorFromBytes, tensorBytes,
  ProtocolError, DATATYPE_TO_DTYPE, DTYPE_TO_DATATYPE, BINARY_HEADER,
  type V2Datatype, type V2Tensor, type V2InferRequest, type V2InferResponse, type V2ModelMetadata, type OutputSelection, type ParsedInferRequest,
} from './protocol.js';
export { encodeInferRequest, decodeInferResponse, type EncodeRequestOptions } from './protocol-client.js';
export { stackRows, splitRows } from './tensor-batch.js';
export { discoverModels, openSession, type ModelSource } from './model-repository.js';
export { jsonLogger, silentLogger, type Logger, type LogLevel, type LogRecord } from './logger.js';
export { runBatchJob, defaultErrorsPath, type BatchJobOptions, type BatchJobResult } from './batch-job.js';
export { parseShard, completedIndices, type Shard } from './batch-io.js';
export { ProgressBar, formatDuration } from './progress.js';
export { readNpy, writeNpy, NpyError } from './npy.js';
export { HttpError } from './http-util.js';
