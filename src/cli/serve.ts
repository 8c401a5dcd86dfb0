import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BackendName } from '../runtime/session.js';
import { discoverModels } from '../serve/model-repository.js';
import { InferenceServer } from '../serve/server.js';
import type { DriftProfile } from '../serve/drift.js';
import type { LogLevel } from '../serve/logger.js';

const USAGE = `usage: tessera serve <model.onnx|dir>... [--port 8000] [--host 127.0.0.1] [--name NAME]
  [--backend cpu|webgpu] [--max-batch 16] [--max-delay-ms 5] [--max-queue 256] [--timeout-ms 30000]
  [--cache 1000] [--cache-mb 256] [--drift-reference profiles.json] [--drift-requests 100]
  [--shutdown-timeout-ms 30000] [--log-level debug|info|warn|error] [--threads N] [--in-process]

On the CPU backend each model runs in a worker thread of its own, so health probes, metrics and
new requests are answered while a batch computes; --in-process runs models on the server's event
loop instead (as GPU backends always do: they compute asynchronously).`;

/** `tessera serve`: KServe v2 HTTP server until SIGTERM/SIGINT, then a graceful stop and exit 0. */
export async function serveCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p', default: '8000' }, host: { type: 'string', default: '127.0.0.1' }, name: { type: 'string' },
      backend: { type: 'string', default: 'cpu' }, 'max-batch': { type: 'string', default: '16' }, 'max-delay-ms': { type: 'string', default: '5' },
      'max-queue': { type: 'string', default: '256' }, 'timeout-ms': { type: 'string', default: '30000' },
      cache: { type: 'string', default: '1000' }, 'cache-mb': { type: 'string', default: '256' },
      'drift-reference': { type: 'string' }, 'drift-requests': { type: 'string', default: '100' },
      'shutdown-timeout-ms': { type: 'string', default: '30000' },
      'log-level': { type: 'string', default: 'info' }, threads: { type: 'string' }, 'in-process': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  if (!positionals.length) throw new Error(`no model given\n${USAGE}`);
  const paths = await discoverModels(positionals, values.name);
  const models = new Map([...paths]);
  const server = await InferenceServer.create({
    models,
    backend: values.backend as BackendName,
    maxBatch: int(values['max-batch'], '--max-batch', 1),
    maxDelayMs: num(values['max-delay-ms'], '--max-delay-ms'),
    maxQueue: int(values['max-queue'], '--max-queue', 1),
    timeoutMs: num(values['timeout-ms'], '--timeout-ms'),
    cacheEntries: int(values.cache, '--cache', 0),
    cacheBytes: num(values['cache-mb'], '--cache-mb') * 2 ** 20,
    drift: { referenceRequests: int(values['drift-requests'], '--drift-requests', 1) },
    driftProfiles: values['drift-reference'] ? await readProfiles(values['drift-reference'], [...models.keys()]) : undefined,
    logLevel: values['log-level'] as LogLevel,
    shutdownTimeoutMs: num(values['shutdown-timeout-ms'], '--shutdown-timeout-ms'),
    // GPU backends compute asynchronously (the event loop stays free) and stay in-process, as tested.
    worker: !values['in-process'] && values.backend === 'cpu',
    threads: values.threads === undefined ? undefined : int(values.threads, '--threads', 1),
  });
  await server.listen(int(values.port, '--port', 0), values.host);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`tessera serve: ${signal}: finishing in-flight requests\n`);
      process.once(signal, () => process.exit(1)); // a second signal forces the exit
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.exit(0);
}

/** {model: {input: {edges, expected}}}, or one model's {input: {...}} when serving one model. */
async function readProfiles(path: string, names: string[]): Promise<Record<string, DriftProfile>> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const isProfile = (o: unknown) => typeof o === 'object' && o !== null && Object.values(o).every((r) => typeof r === 'object' && r !== null && 'edges' in r);
  if (names.length === 1 && isProfile(json) && !(names[0] in json)) return { [names[0]]: json as DriftProfile };
  return json as Record<string, DriftProfile>;
}

function num(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number, got '${v}'`);
  return n;
}

function int(v: string | undefined, flag: string, min: number): number {
  const n = num(v, flag);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got '${v}'`);
  return n;
}
