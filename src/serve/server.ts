import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { BackendName } from '../runtime/session.js';
import { BatcherError, QueueFullError } from './batcher.js';
import { LruCache, tensorsBytes } from './cache.js';
import type { DriftOptions, DriftProfile } from './drift.js';
import { HttpError, readBody, send, sendError, sendJson } from './http-util.js';
import { jsonLogger, type Logger, type LogLevel } from './logger.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { openSession, openWorkerRunner, type ModelSource } from './model-repository.js';
import { BINARY_HEADER, encodeInferResponse, modelMetadata, parseInferRequest, ProtocolError } from './protocol.js';
import { createServeMetrics, type ServeMetrics } from './serve-metrics.js';
import { ServedModel, defaultBatchSizes, type Feeds, type ModelRunner } from './served-model.js';

export interface ServerOptions {
  /** Model name -> Graph, ONNX bytes, .onnx path or session. */
  models: ReadonlyMap<string, ModelSource> | Readonly<Record<string, ModelSource>>;
  backend?: BackendName;
  /** Rows per batch; 1 turns dynamic batching off. Default 16. */
  maxBatch?: number;
  /** Longest a request waits for a batch to fill. Default 5. */
  maxDelayMs?: number;
  /** Requests waiting per model before answering 429. Default 256. */
  maxQueue?: number;
  /** Longest a request waits in the queue before 504. Default 30000. */
  timeoutMs?: number;
  /** Set false to never batch (same as maxBatch 1). */
  batching?: boolean;
  /** Cached responses (0 turns the cache off). Default 1000. */
  cacheEntries?: number;
  /** Bytes of cached output tensors. Default 256 MiB. */
  cacheBytes?: number;
  /** Largest request body. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Drift monitoring options, or false. */
  drift?: DriftOptions | false;
  /** Reference profiles by model name (else built from each model's first requests). */
  driftProfiles?: Readonly<Record<string, DriftProfile>>;
  /** Structured log sink (default: JSON lines on stderr at `logLevel`). */
  logger?: Logger;
  logLevel?: LogLevel;
  registry?: MetricsRegistry;
  /** How long close() waits for in-flight work before dropping connections. Default 30000. */
  shutdownTimeoutMs?: number;
  /** Reported by GET /v2. */
  version?: string;
  /**
   * Run each model in a worker_thread of its own, so this thread keeps reading requests and
   * answering health probes and metrics while a batch runs (CPU inference otherwise holds the
   * event loop for a whole batch). true: the tessera/worker script of this build
   * (dist/src/entries/worker.js); a URL: that script. Sources must be models, not sessions.
   */
  worker?: boolean | URL;
  /** CPU threads per model (default: the available cores); see SessionOptions.threads. */
  threads?: number;
}

type Route = { methods: string[]; run: (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => void | Promise<void> };
interface RequestContext { requestId: string; model?: ServedModel; path: string }

/**
 * A KServe v2 / Triton-compatible HTTP inference server on node:http. Use `listen()` for a
 * standalone server, or `handler` inside another node:http server.
 */
export class InferenceServer {
  readonly http: Server;
  readonly metrics: ServeMetrics;
  readonly cache?: LruCache<Feeds>;
  private inflight = 0;
  private shuttingDown = false;
  private closing?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private readonly log: Logger;

  private constructor(readonly models: ReadonlyMap<string, ServedModel>, private readonly owned: ModelRunner[], private readonly opts: ServerOptions, metrics: ServeMetrics, cache: LruCache<Feeds> | undefined) {
    this.metrics = metrics;
    this.cache = cache;
    this.log = opts.logger ?? jsonLogger(opts.logLevel ?? 'info');
    this.http = createServer({ keepAlive: true }, this.handler);
    // A CPU batch blocks the event loop; when it ends, timers run before sockets are read, so a
    // short keep-alive timeout would drop connections whose next request is already waiting.
    // 65 s also outlives the idle timeouts of common load balancers (60 s).
    this.http.keepAliveTimeout = 65_000;
    this.http.headersTimeout = 70_000;
    this.http.requestTimeout = 300_000;
  }

  /** Load every model and build the server (not listening yet). */
  static async create(opts: ServerOptions): Promise<InferenceServer> {
    const entries = opts.models instanceof Map ? [...opts.models] : Object.entries(opts.models as Record<string, ModelSource>);
    if (!entries.length) throw new Error('InferenceServer: no models given');
    const cacheEntries = opts.cacheEntries ?? 1000;
    const cache = cacheEntries > 0 ? new LruCache<Feeds>({ maxEntries: cacheEntries, maxBytes: opts.cacheBytes ?? 256 * 2 ** 20, sizeOf: tensorsBytes }) : undefined;
    const models = new Map<string, ServedModel>();
    const owned: ModelRunner[] = [];
    const metrics = createServeMetrics(opts.registry ?? new MetricsRegistry(), {
      queueDepth: (g) => { for (const m of models.values()) g.set(m.batcher.queueDepth, { model: m.name }); },
      cacheEntries: (g) => g.set(cache?.size ?? 0),
      cacheBytes: (g) => g.set(cache?.bytes ?? 0),
      drift: (g) => {
        for (const m of models.values()) for (const [input, v] of Object.entries(m.drift?.psi() ?? {})) g.set(v, { model: m.name, input });
      },
    });
    try {
      for (const [name, source] of entries) {
        let session: ModelRunner;
        // One plan per padded batch size, plus room for a few other input shapes.
        const planCacheSize = defaultBatchSizes(opts.batching === false ? 1 : opts.maxBatch ?? 16).length + 4;
        const sessionOptions = { backend: opts.backend, planCacheSize, threads: opts.threads };
        try {
          session = opts.worker ? await openWorkerRunner(source, opts.worker === true ? new URL('../entries/worker.js', import.meta.url) : opts.worker, sessionOptions) : await openSession(source, sessionOptions);
        } catch (e) {
          throw new Error(`model '${name}': ${(e as Error).message}`);
        }
        if (session !== source) owned.push(session);
        models.set(name, new ServedModel(name, session, {
          maxBatch: opts.batching === false ? 1 : opts.maxBatch, maxDelayMs: opts.maxDelayMs, maxQueue: opts.maxQueue, timeoutMs: opts.timeoutMs,
          cache, metrics, drift: opts.drift, driftProfile: opts.driftProfiles?.[name],
        }));
      }
    } catch (e) {
      for (const s of owned) s.dispose();
      throw e;
    }
    return new InferenceServer(models, owned, opts, metrics, cache);
  }

  /** Ready while the server is not shutting down and no model's runner has failed (a worker that died). */
  get ready(): boolean { return !this.shuttingDown && [...this.models.values()].every((m) => this.modelReady(m)); }

  private modelReady(m: ServedModel): boolean { return !this.shuttingDown && !m.session.failure?.(); }

  listen(port = 8000, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const addr = this.http.address() as AddressInfo;
        this.log({ level: 'info', msg: 'listening', host: addr.address, port: addr.port, models: [...this.models.keys()] });
        resolve(addr);
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting connections and requests (ready turns 503), finish
   * every in-flight request, then close connections and dispose the sessions it created.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.log({ level: 'info', msg: 'shutting down', inflight: this.inflight });
    const closed = new Promise<void>((resolve) => (this.http.listening ? this.http.close(() => resolve()) : resolve()));
    this.http.closeIdleConnections();
    // Past the deadline, connections are dropped and shutdown goes on without waiting for work.
    let force: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      force = setTimeout(() => { this.log({ level: 'warn', msg: 'shutdown timeout: closing connections', inflight: this.inflight }); this.http.closeAllConnections(); resolve(); }, this.opts.shutdownTimeoutMs ?? 30_000);
    });
    if (this.inflight > 0) await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), deadline]);
    await Promise.race([Promise.all([...this.models.values()].map((m) => m.close())), deadline]);
    this.http.closeIdleConnections();
    await Promise.race([closed, deadline]);
    clearTimeout(force);
    for (const s of this.owned) s.dispose();
    this.log({ level: 'info', msg: 'stopped' });
  }

  /** The request handler (usable in any node:http server). */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    const t0 = performance.now();
    const requestId = headerValue(req.headers['x-request-id']) || randomUUID();
    res.setHeader('x-request-id', requestId);
    if (this.shuttingDown) res.setHeader('connection', 'close');
    let ctx: RequestContext = { requestId, path: '' };
    const done = (status: number, extra: Record<string, unknown> = {}) => {
      const latencyMs = performance.now() - t0;
      const model = ctx.model?.name ?? '';
      if (ctx.path.endsWith('/infer')) {
        this.metrics.requests.inc(1, { model, status });
        if (ctx.model) this.metrics.requestDuration.observe(latencyMs / 1000, { model });
      }
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : ctx.model ? 'info' : 'debug';
      this.log({ level, msg: `${req.method} ${ctx.path}`, model: ctx.model?.name, status, latencyMs: Math.round(latencyMs * 1000) / 1000, requestId, ...extra });
    };
    let path: string, parts: string[];
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
      parts = path.split('/').slice(1).map(decodeURIComponent);
    } catch {
      sendError(res, 400, `malformed request path ${JSON.stringify(req.url)}`);
      return done(400);
    }
    ctx = { requestId, path };
    const route = this.route(parts, ctx);
    if (typeof route === 'string') { sendError(res, 404, route || `no route ${req.method} ${path}`); req.resume(); return done(404); }
    if (!route.methods.includes(req.method ?? '')) {
      sendError(res, 405, `${req.method} is not allowed on ${path}; use ${route.methods.join(' or ')}`, { allow: route.methods.join(', ') });
      req.resume();
      return done(405);
    }
    this.inflight++;
    Promise.resolve()
      .then(() => route.run(req, res, ctx))
      .then(() => done(res.statusCode), (e: unknown) => {
        const { status, kind, headers } = classify(e);
        if (status !== 499) sendError(res, status, (e as Error)?.message ?? String(e), headers);
        if (ctx.model) this.metrics.errors.inc(1, { model: ctx.model.name, kind });
        done(status, { error: (e as Error)?.message });
      })
      .finally(() => {
        if (--this.inflight === 0 && this.shuttingDown) for (const w of this.idleWaiters.splice(0)) w();
      });
  };

  /** The route, or the message of a 404 ('' for the generic one). */
  private route(parts: string[], ctx: RequestContext): Route | string {
    const get = (run: Route['run']): Route => ({ methods: ['GET', 'HEAD'], run });
    if (parts.length === 1 && parts[0] === 'metrics') {
      return get((_q, res) => send(res, 200, this.metrics.registry.expose(), { 'content-type': PROMETHEUS_CONTENT_TYPE }));
    }
    if (parts[0] !== 'v2') return '';
    const rest = parts.slice(1);
    const at = (...p: string[]) => rest.length === p.length && p.every((s, i) => s === rest[i]);
    if (rest.length === 0) return get((_q, res) => sendJson(res, 200, { name: 'tessera', version: this.opts.version ?? '0.1.0', extensions: ['binary_tensor_data', 'model_repository'] }));
    if (at('health', 'live')) return get((_q, res) => sendJson(res, 200, { live: true }));
    if (at('health', 'ready')) return get((_q, res) => sendJson(res, this.ready ? 200 : 503, { ready: this.ready }));
    if (at('repository', 'index')) {
      return { methods: ['POST', 'GET'], run: (req, res) => { req.resume(); sendJson(res, 200, [...this.models.values()].map((m) => ({ name: m.name, version: '1', state: this.modelReady(m) ? 'READY' : 'UNAVAILABLE' }))); } };
    }
    if (rest[0] !== 'models' || rest.length < 2) return '';
    const model = this.models.get(rest[1]);
    if (!model) return `unknown model '${rest[1]}'; serving ${[...this.models.keys()].map((k) => `'${k}'`).join(', ')}`;
    let tail = rest.slice(2);
    if (tail[0] === 'versions') {
      if (tail[1] !== '1') return `model '${model.name}' has no version '${tail[1] ?? ''}'; it has version '1'`;
      tail = tail.slice(2);
    }
    ctx.model = model;
    const op = tail.join('/');
    if (op === '') return get((_q, res) => sendJson(res, 200, modelMetadata(model.name, model.inputs, model.outputs)));
    if (op === 'ready') {
      return get((_q, res) => {
        const why = model.session.failure?.();
        sendJson(res, this.modelReady(model) ? 200 : 503, { name: model.name, ready: this.modelReady(model), ...(why ? { error: why.message } : {}) });
      });
    }
    if (op === 'drift') return get((_q, res) => sendJson(res, 200, { model: model.name, state: model.drift?.state ?? 'off', psi: nanToNull(model.drift?.psi() ?? {}), reference: model.drift?.profile() ?? null }));
    if (op === 'infer') return { methods: ['POST'], run: (req, res, c) => this.infer(req, res, c) };
    ctx.model = undefined;
    return '';
  }

  private async infer(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const model = ctx.model!;
    if (this.shuttingDown) throw new HttpError(503, 'the server is shutting down', { connection: 'close' });
    // A client that goes away cancels its queued work.
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableEnded) abort.abort(); });
    const arrived = model.expect(); // a batch about to run waits for this body
    let parsed;
    try {
      const body = await readBody(req, this.opts.maxBodyBytes ?? 64 * 2 ** 20);
      const hl = headerValue(req.headers[BINARY_HEADER]);
      parsed = parseInferRequest(body, hl === undefined ? undefined : Number(hl));
      const missing = (parsed.outputs.names ?? []).filter((n) => !model.outputs.some((o) => o.name === n));
      if (missing.length) throw new ProtocolError(`model '${model.name}' has no output ${missing.map((n) => `'${n}'`).join(', ')}; its outputs are ${model.outputs.map((o) => `'${o.name}'`).join(', ')}`);
    } catch (e) {
      arrived();
      throw e;
    }
    let result;
    try {
      const pending = model.infer(parsed.inputs, { signal: abort.signal }); // submits synchronously
      arrived();
      result = await pending;
    } catch (e) {
      if (e instanceof ProtocolError || e instanceof BatcherError) throw e;
      throw new InferenceError(`inference failed: ${(e as Error)?.message ?? String(e)}`);
    }
    const { body: out, headers } = encodeInferResponse(model.name, parsed.id, result.outputs, parsed.outputs);
    send(res, 200, out, { ...headers, 'x-cache': result.cached ? 'hit' : 'miss' });
  }
}

class InferenceError extends Error {}

function classify(e: unknown): { status: number; kind: string; headers: Record<string, string> } {
  if (e instanceof QueueFullError) return { status: 429, kind: 'rejected', headers: { 'retry-after': String(e.retryAfterSeconds) } };
  if (e instanceof BatcherError) return { status: e.status, kind: e.status === 504 ? 'timeout' : e.status === 499 ? 'canceled' : 'rejected', headers: e.status === 503 ? { connection: 'close' } : {} };
  if (e instanceof ProtocolError) return { status: 400, kind: 'bad_request', headers: {} };
  if (e instanceof HttpError) return { status: e.status, kind: e.status === 503 ? 'rejected' : e.status === 499 ? 'canceled' : 'bad_request', headers: e.headers };
  if (e instanceof InferenceError) return { status: 500, kind: 'inference', headers: {} };
  return { status: 500, kind: 'internal', headers: {} };
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function nanToNull(r: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isNaN(v) ? null : v]));
}
