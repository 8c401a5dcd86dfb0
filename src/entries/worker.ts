/**
 * `tessera/worker`: the script a Web Worker or Node worker_thread runs to host sessions for
 * createWorkerSession() and pipeline stages. Loading it starts serving: that is its only job,
 * and nothing else imports it.
 */
import { startWorker } from '../runtime/workers/serve.js';

void startWorker();
