import { InferenceSession } from '../session.js';
import { endpoint, type Endpoint, type MessageTarget, type Reply, type Request } from './protocol.js';
import { graphFromMessage, tensorFromMessage, tensorToMessage, transferables, type TensorMessage } from './transfer.js';

/**
 * The worker side: answers create/run/dispose requests on one endpoint with sessions it owns.
 * State lives in this call's closure, so a worker may serve several ports (or several copies
 * of the library may serve in one worker) without sharing anything. Returns a stop function.
 */
export function serveSessions(ep: Endpoint): () => void {
  const sessions = new Map<number, InferenceSession>();
  let next = 1;
  const reply = (r: Reply, transfer?: ArrayBuffer[]) => ep.post(r, transfer);
  const handle = async (req: Request): Promise<void> => {
    try {
      switch (req.type) {
        case 'create': {
          const model = req.model instanceof Uint8Array ? req.model : graphFromMessage(req.model);
          const s = await InferenceSession.create(model, req.options);
          const id = next++;
          sessions.set(id, s);
          reply({ id: req.id, type: 'ok', session: id, inputNames: [...s.inputNames], outputNames: [...s.outputNames], backend: s.backend });
          return;
        }
        case 'run': {
          const s = sessions.get(req.session);
          if (!s) throw new Error(`no session ${req.session} in this worker (disposed?)`);
          const feeds = Object.fromEntries(Object.entries(req.feeds).map(([k, v]) => [k, tensorFromMessage(v)]));
          const out = await s.run(feeds);
          const outputs: Record<string, TensorMessage> = {};
          for (const [k, t] of Object.entries(out)) outputs[k] = tensorToMessage(t);
          // Outputs are fresh arrays (the executor copies out of its arena): hand them over.
          reply({ id: req.id, type: 'ok', outputs }, transferables(Object.values(outputs)));
          return;
        }
        case 'dispose':
          sessions.get(req.session)?.dispose();
          sessions.delete(req.session);
          reply({ id: req.id, type: 'ok' });
          return;
        default:
          throw new Error(`unknown request type '${(req as { type: unknown }).type}'`);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      reply({ id: req.id, type: 'error', name: err.name, message: err.message });
    }
  };
  const stop = ep.listen((msg) => { void handle(msg as Request); });
  ep.post({ type: 'ready' });
  return () => {
    stop();
    for (const s of sessions.values()) s.dispose();
    sessions.clear();
  };
}

/**
 * Starts serving in the current worker: `self` in a Web Worker, `parentPort` in a Node
 * worker_thread. What the `tessera/worker` entry calls; exported for custom worker scripts.
 */
export async function startWorker(target?: MessageTarget): Promise<() => void> {
  if (target) return serveSessions(endpoint(target));
  const scope = globalThis as { WorkerGlobalScope?: unknown; postMessage?: unknown; addEventListener?: unknown };
  if (typeof scope.WorkerGlobalScope === 'function' && scope instanceof (scope.WorkerGlobalScope as new () => object)) {
    return serveSessions(endpoint(globalThis as unknown as MessageTarget));
  }
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('startWorker() must run inside a Web Worker or a Node worker_thread (or be given a port)');
  return serveSessions(endpoint(parentPort as unknown as MessageTarget));
}
