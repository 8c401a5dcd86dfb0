import { parseArgs } from 'node:util';
import type { BackendName } from '../runtime/session.js';
import { runBatchJob, defaultErrorsPath } from '../serve/batch-job.js';
import { parseShard } from '../serve/batch-io.js';

const USAGE = `usage: tessera batch <model.onnx> --input data.jsonl|dir-of-npy --output out.jsonl
  [--errors out.errors.jsonl] [--batch-size 32] [--shard K/N] [--backend cpu] [--no-progress]
Rerunning the same command resumes: records already in the output or errors file are skipped.
--shard K/N (0 <= K < N) processes records whose index % N == K; give each shard its own --output.`;

/** `tessera batch`: offline inference over a JSONL file or a directory of .npy files. */
export async function batchCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' }, output: { type: 'string', short: 'o' }, errors: { type: 'string' },
      'batch-size': { type: 'string', default: '32' }, shard: { type: 'string' }, backend: { type: 'string', default: 'cpu' },
      'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  if (positionals.length !== 1 || !values.input || !values.output) throw new Error(USAGE);
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size must be a positive integer, got '${values['batch-size']}'`);
  const abort = new AbortController();
  let signalNo = 0;
  const onSignal = (name: string, no: number) => () => {
    if (signalNo) process.exit(128 + no); // second signal: stop now (the next run still resumes correctly)
    signalNo = no;
    process.stderr.write(`\ntessera batch: ${name}: stopping after the batch in progress; rerun to resume\n`);
    abort.abort();
  };
  const onInt = onSignal('SIGINT', 2), onTerm = onSignal('SIGTERM', 15);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const errors = values.errors ?? defaultErrorsPath(values.output);
    const r = await runBatchJob({
      model: positionals[0], input: values.input, output: values.output, errors, batchSize,
      shard: values.shard ? parseShard(values.shard) : undefined,
      backend: values.backend as BackendName, signal: abort.signal,
      progress: values['no-progress'] ? false : process.stderr,
    });
    const s = r.elapsedMs / 1000, done = r.written + r.failed;
    process.stderr.write(`${r.aborted ? 'stopped' : 'done'}: ${r.written} written to ${values.output}, ${r.failed} failed${r.failed ? ` (see ${errors})` : ''}, ${r.skipped} already done; ${s.toFixed(1)} s, ${(done / Math.max(s, 1e-9)).toFixed(1)} records/s\n`);
    if (r.aborted) process.exitCode = 128 + signalNo;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
