import type { GraphMessage, TensorMessage } from './transfer.js';

/**
 * The messages between a page (or main thread) and a Tessera worker. Every request carries an
 * id; the worker answers each with exactly one reply of the same id ('ok' or 'error').
 */
export type Request =
  | { id: number; type: 'create'; model: GraphMessage | Uint8Array; options: WorkerSessionOptionsMessage }
  | { id: number; type: 'run'; session: number; feeds: Record<string, TensorMessage> }
  | { id: number; type: 'dispose'; session: number };

export type Reply =
  | { id: number; type: 'ok'; session?: number; inputNames?: string[]; outputNames?: string[]; backend?: string; outputs?: Record<string, TensorMessage> }
  | { id: number; type: 'error'; name: string; message: string };

/** Sent once by a worker when it listens, before any reply. */
export interface Ready { type: 'ready' }

/** Session options that survive a structured clone (no functions, no class instances). */
export interface WorkerSessionOptionsMessage {
  backend?: 'cpu' | 'webgpu' | 'webgl' | 'auto' | ('cpu' | 'webgpu' | 'webgl')[];
  optimize?: boolean | { disable: string[] };
  planCacheSize?: number;
  threads?: number;
  simd?: boolean;
}

/**
 * The one shape both worker kinds are driven through. A Web Worker (and a page-side
 * MessagePort) has addEventListener('message', e => e.data); a Node worker_thread (and its
 * parentPort) has on('message', data).
 */
export interface Endpoint {
  post(msg: unknown, transfer?: ArrayBuffer[]): void;
  listen(fn: (msg: unknown) => void): () => void;
}

/** Anything with postMessage and either on('message') (Node) or addEventListener('message') (web). */
export interface MessageTarget {
  // `never[]`: Node's and the DOM's transfer-list types differ; both accept a list of ArrayBuffers.
  postMessage(msg: unknown, transfer?: never[]): void;
  on?(event: 'message', fn: (data: unknown) => void): unknown;
  off?(event: 'message', fn: (data: unknown) => void): unknown;
  addEventListener?(type: 'message', fn: (e: MessageEvent) => void): void;
  removeEventListener?(type: 'message', fn: (e: MessageEvent) => void): void;
}

export function endpoint(target: MessageTarget): Endpoint {
  return {
    post: (msg, transfer = []) => target.postMessage(msg, transfer as never[]),
    listen(fn) {
      if (typeof target.on === 'function') {
        target.on('message', fn);
        return () => { target.off?.('message', fn); };
      }
      if (typeof target.addEventListener === 'function') {
        const h = (e: MessageEvent) => fn(e.data);
        target.addEventListener('message', h);
        return () => target.removeEventListener?.('message', h);
      }
      throw new TypeError('a worker endpoint needs on("message") (Node worker_threads) or addEventListener("message") (Web Worker)');
    },
  };
}
