import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InferenceSession, type BackendName } from '../runtime/session.js';
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { ValueInfo } from '../graph/graph.js';
import { readNpy } from '../serve/npy.js';

/** A JSON input: {"dtype","shape","data"} or nested arrays (dtype from the model). */
export function tensorFromJson(json: unknown, info: ValueInfo): Tensor {
  if (json && typeof json === 'object' && !Array.isArray(json) && 'data' in json) {
    const o = json as { dtype?: DType; shape?: number[]; data: number[] };
    const data = o.data.flat(Infinity as 1) as number[];
    return new Tensor(o.dtype ?? info.dtype, o.shape ?? [data.length], data);
  }
  const shape: number[] = [];
  for (let v: unknown = json; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = (Array.isArray(json) ? json.flat(Infinity as 1) : [json]) as number[];
  return new Tensor(info.dtype, shape, data);
}

export async function runCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: { input: { type: 'string', multiple: true, short: 'i' }, output: { type: 'string', short: 'o' }, backend: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: tessera run <model.onnx> --input name=file.npy|file.json [--output out.json]');
  const session = await InferenceSession.create(positionals[0], { backend: (values.backend ?? 'cpu') as BackendName });
  const feeds: Record<string, Tensor> = {};
  for (const spec of values.input ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 0) throw new Error(`--input must be name=file, got '${spec}'`);
    const name = spec.slice(0, eq), file = spec.slice(eq + 1);
    const info = session.graph.inputs.find((v) => v.name === name);
    if (!info) throw new Error(`unknown input '${name}'; the model's inputs are ${session.inputNames.join(', ')}`);
    const bytes = await readFile(file);
    feeds[name] = file.endsWith('.npy') ? readNpy(new Uint8Array(bytes)) : tensorFromJson(JSON.parse(bytes.toString('utf8')), info);
  }
  const t0 = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - t0;
  const json: Record<string, { dtype: string; shape: readonly number[]; data: number[] }> = {};
  for (const [k, t] of Object.entries(out)) json[k] = { dtype: t.dtype, shape: t.shape, data: t.toArray() };
  if (values.output) await writeFile(values.output, JSON.stringify(json));
  for (const [k, t] of Object.entries(out)) {
    const head = t.toArray().slice(0, 8).map((v) => +v.toPrecision(6));
    process.stdout.write(`${k}: ${t.dtype} [${t.shape.join(', ')}] ${JSON.stringify(head)}${t.size > 8 ? ' …' : ''}\n`);
  }
  process.stdout.write(`latency: ${ms.toFixed(2)} ms${values.output ? `; outputs written to ${values.output}` : ''}\n`);
  session.dispose();
}
