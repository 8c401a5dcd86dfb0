#!/usr/bin/env node
/** The `tessera` command: each subcommand lives in its own module, loaded on demand. */
const HELP = `tessera — a tensor runtime for ML inference

Usage:
  tessera demo [--runs N] [--quick]           build MobileNetV2 and DistilBERT, run them, print a table
  tessera run <model.onnx> --input name=file.npy|file.json [--input ...] [--output out.json]
  tessera inspect <model.onnx>                 inputs, outputs, op histogram, parameters, unsupported ops
  tessera quantize <model.onnx> --int8|--int4 [--group 32] [-o out.onnx] [--report]
  tessera prune <model.onnx> --sparsity 0.9 [--pattern unstructured|block|channel|2:4] -o out.onnx
  tessera serve <model.onnx|dir> [--port 8000] [--max-batch 16] [--max-delay-ms 5] [--cache 1000]
  tessera batch <model.onnx> --input data.jsonl|dir --output out.jsonl [--batch-size 32] [--shard K/N]
  tessera --help

Options common to model commands: --backend cpu|webgpu|webgl
`;

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.js')).demoCommand,
  run: async () => (await import('./run.js')).runCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  quantize: async () => (await import('./quantize.js')).quantizeCommand,
  prune: async () => (await import('./prune.js')).pruneCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  batch: async () => (await import('./batch.js')).batchCommand,
};

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`tessera: unknown command '${cmd}'\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  await (await load())(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`tessera: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
