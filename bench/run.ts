import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelCases } from './kernel-cases.js';
import { runKernels } from './kernels.js';
import type { ModelId } from './model-specs.js';
import { nodeBaselineRss, runModels } from './models.js';
import { peerVersions, RUNTIMES, type RuntimeName } from './peers.js';
import { compareLines, kernelHeader, kernelLine, modelLines } from './report.js';
import { commitInfo, loadResults, machineInfo, saveResults, type BenchResults } from './results.js';
import type { TimingBudget } from './timing.js';

const USAGE = `usage: npm run bench [-- options]
  --quick                 a short run (kernel subset, batch 1 models, few samples): under 2 minutes
  --only kernels|models   one half of the suite
  --filter TEXT           only kernel cases / models whose name contains TEXT
  --threads N[,M]         thread counts (default: 1, plus all cores for GEMM and conv in a full run)
  --runtimes LIST         subset of ${RUNTIMES.join(',')}
  --out DIR               where results JSON goes (default bench/results)
  --compare A.json B.json print the change from results file A to B and exit`;

/** The repository root: this file runs as dist/bench/run.js. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Args { quick: boolean; only?: string; filter?: string; threads?: number[]; runtimes: RuntimeName[]; out: string; compare?: [string, string] }

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, runtimes: [...RUNTIMES], out: join(ROOT, 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = next();
    else if (a === '--filter') args.filter = next();
    else if (a === '--threads') args.threads = next().split(',').map(Number);
    else if (a === '--runtimes') args.runtimes = next().split(',') as RuntimeName[];
    else if (a === '--out') args.out = next();
    else if (a === '--compare') args.compare = [next(), next()];
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown option '${a}'\n${USAGE}`);
  }
  if (args.only && args.only !== 'kernels' && args.only !== 'models') throw new Error(`--only takes 'kernels' or 'models', got '${args.only}'`);
  if (args.threads?.some((t) => !Number.isInteger(t) || t < 1)) throw new Error('--threads takes positive integers, e.g. --threads 1,2');
  const bad = args.runtimes.filter((r) => !RUNTIMES.includes(r));
  if (bad.length) throw new Error(`unknown runtime ${bad.join(', ')}; choose from ${RUNTIMES.join(', ')}`);
  return args;
}

const KERNEL_BUDGET: Record<'quick' | 'full', TimingBudget> = {
  quick: { timeMs: 150, minRuns: 5, warmupMs: 30, warmupRuns: 2 },
  full: { timeMs: 1000, minRuns: 20, warmupMs: 200, warmupRuns: 5 },
};

function modelBudget(quick: boolean, model: ModelId, runtime: RuntimeName, batch: number): TimingBudget {
  // Tessera's DistilBERT run takes seconds: fewer samples there, so a full run stays under an hour.
  const slow = runtime !== 'ort-node' && (model === 'distilbert' || batch > 1);
  if (quick) return { timeMs: slow ? 0 : 1000, minRuns: slow ? 3 : 10, warmupMs: 0, warmupRuns: 1 };
  return { timeMs: slow ? 10_000 : 5000, minRuns: slow ? 10 : 50, warmupMs: 0, warmupRuns: 2 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.compare) {
    for (const l of compareLines(loadResults(args.compare[0]), loadResults(args.compare[1]))) console.log(l);
    return;
  }
  const started = performance.now(), machine = machineInfo(), commit = commitInfo(ROOT), versions = await peerVersions();
  const cores = machine.cores, mode = args.quick ? 'quick' : 'full';
  console.log(`Tessera bench (${mode}): ${machine.cpu} x${cores}, ${machine.node}, load average ${machine.loadAverage.toFixed(2)}, commit ${commit.sha?.slice(0, 8) ?? '?'}${commit.dirty ? '+dirty' : ''}`);
  console.log(`peers: onnxruntime-node ${versions['onnxruntime-node'] ?? 'not installed'}, onnxruntime-web ${versions['onnxruntime-web'] ?? 'not installed'} (wasm, 1 thread); medians of the same run\n`);
  const results: BenchResults = {
    schema: 1, createdAt: new Date().toISOString(), quick: args.quick, machine, commit, versions,
    kernels: [], models: [], nodeBaselineRssBytes: null, wallSeconds: 0,
  };
  const match = (name: string) => !args.filter || name.toLowerCase().includes(args.filter.toLowerCase());

  if (args.only !== 'models') {
    const cases = kernelCases().filter((c) => (!args.quick || c.quick) && match(c.name));
    console.log(kernelHeader());
    for (const c of cases) {
      // Threads pay where the work splits: GEMM and convolutions.
      const parallel = c.suite === 'gemm' || c.suite === 'conv' || c.suite === 'pointwise';
      const threads = args.threads ?? (args.quick || cores < 2 || !parallel ? [1] : [1, cores]);
      results.kernels.push(...await runKernels([c], {
        threads, runtimes: args.runtimes, budget: KERNEL_BUDGET[mode],
        onResult: (r) => console.log(kernelLine(r)),
      }));
    }
    console.log();
  }

  if (args.only !== 'kernels') {
    results.nodeBaselineRssBytes = await nodeBaselineRss();
    const ids = (['mobilenetv2', 'distilbert'] as ModelId[]).filter(match);
    results.models = await runModels({
      models: ids, batches: args.quick ? [1] : [1, 8], threads: args.threads ?? [1], runtimes: args.runtimes,
      budget: (m, r, b) => modelBudget(args.quick, m, r, b), dir: join(os.tmpdir(), 'tessera-bench'),
      childTimeoutMs: args.quick ? 120_000 : 1_800_000,
      onResult: (r) => { for (const l of modelLines(r, results.nodeBaselineRssBytes)) console.log(l); },
    });
  }

  results.wallSeconds = (performance.now() - started) / 1000;
  const file = saveResults(args.out, results);
  console.log(`\nresults: ${file} (${results.wallSeconds.toFixed(0)} s)`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
