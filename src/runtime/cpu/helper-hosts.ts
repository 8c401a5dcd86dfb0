import { ERROR_UNITS, readError, type PortMessage, type WebHelperInit } from './gemm-job.js';

type WorkerThreads = typeof import('node:worker_threads');

/** One pool helper as GemmPool sees it. */
export interface Helper {
  /** Registers a buffer with the helper (before any job names it). */
  post(m: PortMessage): void;
  /** Why the helper's last job failed, read synchronously (the pool is blocked in Atomics.wait). */
  takeError(): string;
  terminate(): void;
}

/** What differs between Node's worker_threads and browsers' Web Workers; the job protocol does not. */
export interface HelperHost {
  /** For log lines. */
  readonly kind: string;
  /**
   * Whether the calling thread may block until a new helper has started (Node). A Web Worker's
   * own workers start only while its event loop runs, so there the pool starts them ahead, in
   * GemmPool.create, and waits without blocking.
   */
  readonly blockingStart: boolean;
  spawn(ctl: SharedArrayBuffer, f64: SharedArrayBuffer, onError: (message: string) => void): Helper;
}

/** worker_threads running `url` (gemm-worker.js); workerData carries the shared words and a port for buffers and errors. */
export function nodeHost(wt: WorkerThreads, url: URL): HelperHost {
  return {
    kind: 'worker_threads',
    blockingStart: true,
    spawn(ctl, f64, onError) {
      const { port1, port2 } = new wt.MessageChannel();
      // No inherited flags (e.g. --input-type would stop the worker loading): it runs plain compute.
      const worker = new wt.Worker(url, { workerData: { ctl, f64, port: port2 }, transferList: [port2], execArgv: [] });
      worker.on('error', (e: Error) => onError(e.message));
      // Helpers never keep a process alive.
      worker.unref();
      port1.unref();
      return {
        post: (m) => port1.postMessage(m),
        takeError: () => {
          const m = wt.receiveMessageOnPort(port1)?.message as PortMessage | undefined;
          return m && 'error' in m ? m.error : 'unknown error';
        },
        terminate: () => { port1.close(); void worker.terminate(); },
      };
    },
  };
}

/**
 * Module Web Workers running gemm-web-worker.js. Without `url`, the helper is found next to this
 * module, written the way bundlers (Vite, webpack) recognize and emit a worker; scripts/bundle.mjs
 * puts it beside the chunks.
 */
export function webHost(url?: URL): HelperHost {
  return {
    kind: 'Web Worker',
    blockingStart: false,
    spawn(ctl, f64, onError) {
      const worker = url
        ? new Worker(url, { type: 'module', name: 'tessera-gemm' })
        : new Worker(new URL('./gemm-web-worker.js', import.meta.url), { type: 'module', name: 'tessera-gemm' });
      const error = new Uint16Array(new SharedArrayBuffer(ERROR_UNITS * 2));
      worker.onerror = (e) => { e.preventDefault(); onError(e.message || 'the helper script failed to load'); };
      worker.postMessage({ ctl, f64, error: error.buffer as SharedArrayBuffer } satisfies WebHelperInit);
      return {
        post: (m) => worker.postMessage(m),
        takeError: () => readError(error),
        terminate: () => worker.terminate(),
      };
    },
  };
}
