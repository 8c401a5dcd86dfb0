import { parseArgs } from 'node:util';
import { loadOnnxFile } from '../onnx/file.js';
import { schemaOf } from '../ops/index.js';
import type { Graph } from '../graph/graph.js';

export interface ModelSummary {
  name: string;
  opset: number;
  inputs: { name: string; dtype: string; shape: (number | string)[] }[];
  outputs: { name: string; dtype: string; shape: (number | string)[] }[];
  ops: Record<string, number>;
  parameters: number;
  weightBytes: number;
  unsupported: { op: string; domain: string; nodes: string[] }[];
}

export function summarize(g: Graph): ModelSummary {
  const ops: Record<string, number> = {};
  const unsupported = new Map<string, { op: string; domain: string; nodes: string[] }>();
  for (const n of g.nodes) {
    const key = n.domain ? `${n.domain}.${n.op}` : n.op;
    ops[key] = (ops[key] ?? 0) + 1;
    const schema = schemaOf(n.op);
    if (!schema || (n.domain && n.domain !== 'ai.onnx' && n.domain !== (schema.domain ?? ''))) {
      const u = unsupported.get(key) ?? { op: n.op, domain: n.domain || 'ai.onnx', nodes: [] };
      u.nodes.push(n.name);
      unsupported.set(key, u);
    }
  }
  return {
    name: g.name, opset: g.opset,
    inputs: g.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
    outputs: g.outputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
    ops, parameters: g.parameterCount, weightBytes: g.weightBytes, unsupported: [...unsupported.values()],
  };
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new Error('usage: tessera inspect <model.onnx> [--json]');
  const g = await loadOnnxFile(positionals[0]);
  const s = summarize(g);
  if (values.json) { process.stdout.write(JSON.stringify(s, null, 2) + '\n'); return; }
  const shape = (v: { dtype: string; shape: (number | string)[] }) => `${v.dtype} [${v.shape.join(', ')}]`;
  const lines = [
    `model: ${s.name} (opset ${s.opset})`,
    'inputs:', ...s.inputs.map((v) => `  ${v.name}: ${shape(v)}`),
    'outputs:', ...s.outputs.map((v) => `  ${v.name}: ${shape(v)}`),
    `parameters: ${s.parameters.toLocaleString('en-US')} (${(s.weightBytes / 1048576).toFixed(2)} MiB as stored)`,
    'ops:', ...Object.entries(s.ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `  ${op.padEnd(28)} ${n}`),
    s.unsupported.length
      ? `unsupported ops:\n${s.unsupported.map((u) => `  ${u.op} (domain ${u.domain}) at ${u.nodes.length} node(s): ${u.nodes.slice(0, 5).join(', ')}${u.nodes.length > 5 ? ', …' : ''}`).join('\n')}`
      : 'unsupported ops: none',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
