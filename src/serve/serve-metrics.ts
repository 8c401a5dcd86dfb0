import { DEFAULT_SECONDS_BUCKETS, MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics.js';

/** The metrics a Tessera server exposes at /metrics; one set per registry. */
export interface ServeMetrics {
  registry: MetricsRegistry;
  /** {model, status}: every answer to an infer request, by HTTP status ('' model: unknown). */
  requests: Counter;
  /** {model}: whole request, body read to last byte written. p50/p95/p99 via histogram_quantile. */
  requestDuration: Histogram;
  /** {model}: one batch run of the model. */
  inferenceDuration: Histogram;
  /** {model}: submit to start of the item's batch. */
  queueWait: Histogram;
  /** {model}: requests per batch. */
  batchSize: Histogram;
  /** {model}: requests waiting for a batch. */
  queueDepth: Gauge;
  cacheHits: Counter;
  cacheMisses: Counter;
  cacheEntries: Gauge;
  cacheBytes: Gauge;
  /** {model, kind}: bad_request | not_found | rejected | timeout | canceled | inference | internal. */
  errors: Counter;
  /** {model, input}: Population Stability Index of live inputs vs the reference profile. */
  drift: Gauge;
  residentMemory: Gauge;
}

export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Registers the server's metrics; `collectors` fill gauges read at scrape time. */
export function createServeMetrics(registry = new MetricsRegistry(), collectors: {
  queueDepth?: (g: Gauge) => void;
  cacheEntries?: (g: Gauge) => void;
  cacheBytes?: (g: Gauge) => void;
  drift?: (g: Gauge) => void;
} = {}): ServeMetrics {
  const model = ['model'];
  return {
    registry,
    requests: registry.counter('tessera_requests_total', 'Inference requests answered, by model and HTTP status', { labelNames: ['model', 'status'] }),
    requestDuration: registry.histogram('tessera_request_duration_seconds', 'Inference request latency in seconds, from request headers to response written', { labelNames: model, buckets: DEFAULT_SECONDS_BUCKETS }),
    inferenceDuration: registry.histogram('tessera_inference_duration_seconds', 'Time of one batch run of the model in seconds', { labelNames: model }),
    queueWait: registry.histogram('tessera_queue_wait_seconds', 'Seconds a request waited for its batch to start', { labelNames: model }),
    batchSize: registry.histogram('tessera_batch_size', 'Requests per executed batch', { labelNames: model, buckets: BATCH_SIZE_BUCKETS }),
    queueDepth: registry.gauge('tessera_queue_depth', 'Requests waiting for a batch', { labelNames: model, ...(collectors.queueDepth ? { collect: collectors.queueDepth } : {}) }),
    cacheHits: registry.counter('tessera_cache_hits_total', 'Response cache hits', { labelNames: model }),
    cacheMisses: registry.counter('tessera_cache_misses_total', 'Response cache misses', { labelNames: model }),
    cacheEntries: registry.gauge('tessera_cache_entries', 'Responses held in the cache', { ...(collectors.cacheEntries ? { collect: collectors.cacheEntries } : {}) }),
    cacheBytes: registry.gauge('tessera_cache_bytes', 'Bytes of tensors held in the response cache', { ...(collectors.cacheBytes ? { collect: collectors.cacheBytes } : {}) }),
    errors: registry.counter('tessera_errors_total', 'Failed requests by kind', { labelNames: ['model', 'kind'] }),
    drift: registry.gauge('tessera_input_drift_psi', 'Population Stability Index of each input against its reference profile (NaN until there is one)', { labelNames: ['model', 'input'], ...(collectors.drift ? { collect: collectors.drift } : {}) }),
    residentMemory: registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes', { collect: (g) => g.set(process.memoryUsage.rss()) }),
  };
}
