/**
 * Where a model's time goes on Tessera's CPU path: per op kind, the time per run, its share,
 * and GFLOP/s for the multiply-add ops, beside the GEMM speed of the same machine at 512³.
 * It answers "what limits this model" when a whole-model target is out of reach.
 *
 *   npm run build && node dist/bench/profile.js [mobilenetv2|distilbert] [--runs N] [--seq 128] [--js]
 *     [--threads N] [--batch B (mobilenetv2)]
 *
 * GEMMs run on the WebAssembly SIMD engine where available, as in a session; --js keeps them in JavaScript.
 *
 * The plan runs through the normal executor (with --threads, on a thread pool as in a session;
 * a step's time is then its wall time, all threads together) with each kernel wrapped in a timer
 * (a few microseconds per step, negligible next to the kernels that matter).
 */
import { parseArgs } from 'node:util';
import { models } from '../src/models/index.js';
import { analyze } from '../src/graph/analyze.js';
import { isPacked, type Graph } from '../src/graph/graph.js';
import { optimize } from '../src/graph/passes/index.js';
import { compileCpuPlan, type CpuPlan, type PlanStep } from '../src/runtime/cpu/plan.js';
import { CpuExecutor } from '../src/runtime/cpu/executor.js';
import { evaluateOnCpu } from '../src/runtime/cpu/evaluate.js';
import { toKernelData, type KernelData } from '../src/dtype.js';
import { Tensor } from '../src/tensor.js';
import { sgemm, sgemmWorkspaceFloats } from '../kernels/cpu/sgemm.js';
import type { TieredPlan } from '../kernels/cpu/tiers.js';
import { KEEP_BYTES, SimdGemm } from '../kernels/cpu/sgemm-simd.js';
import { GemmPool } from '../src/runtime/cpu/threads.js';
import { SimdParallel } from '../src/runtime/cpu/simd-engine.js';
import { modelFeeds, SEQ, type ModelId } from './model-specs.js';
import { seededFloats } from './data.js';

interface Row { kind: string; calls: number; ms: number; flops: number }

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** 2 x multiply-adds of one step (Conv, Gemm, MatMul and their fused forms), else 0. */
function stepFlops(plan: CpuPlan, st: PlanStep): number {
  const op = st.pn.node.op.replace(/^Fused/, ''), y = plan.values[st.outputs[0]].shape;
  const input = (i: number) => plan.values[st.inputs[i]].shape;
  if (op === 'Conv') return 2 * prod(y) * prod(input(1).slice(1));
  if (op === 'Gemm') return 2 * prod(y) * input(0)[st.pn.node.attrs.transA ? 0 : 1];
  if (op === 'MatMul') { const a = input(0); return 2 * prod(y) * a[a.length - 1]; }
  return 0;
}

/** The op kind a step is reported under: convs split by how they run (pointwise, depthwise, im2col). */
function kindOf(st: PlanStep): string {
  const own = (st.prepared as Partial<TieredPlan<unknown>> | undefined)?.prepared ?? st.prepared;
  const mode = (own as { mode?: string } | undefined)?.mode;
  return mode ? `${st.pn.node.op} ${mode}` : st.pn.node.op;
}

function gemmGflops(simd: SimdGemm | undefined): number {
  const n = 512, a = seededFloats(n * n, 1), b = seededFloats(n * n, 2), c = new Float32Array(n * n);
  const ws = new Float32Array(sgemmWorkspaceFloats(n, n, n)), times: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    if (!simd?.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false)) sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false, ws);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return (2 * n ** 3) / (times[3] * 1e6);
}

export function profile(graph: Graph, feeds: Tensor[], runs: number, simd?: SimdGemm, pool?: GemmPool): { rows: Row[]; totalMs: number } {
  const g = optimize(graph, { evaluate: evaluateOnCpu });
  let constants = new Map<string, KernelData>();
  for (const [name, w] of g.initializers) if (!isPacked(w)) constants.set(name, toKernelData(w.dtype, (w as Tensor).data, true, name));
  if (pool) constants = pool.share(constants); // workers read weights in shared memory, as in a session
  const plan = compileCpuPlan(g, analyze(g), new Map(g.inputs.map((v, i) => [v.name, feeds[i].shape])), constants, undefined, simd ? { tiers: ['wasm-simd'] } : undefined);
  const rows = new Map<string, Row>(), byStep = plan.steps.map((st) => {
    const kind = kindOf(st);
    const row = rows.get(kind) ?? { kind, calls: 0, ms: 0, flops: 0 };
    rows.set(kind, row);
    return row;
  });
  let counting = false;
  plan.steps.forEach((st, i) => {
    const inner = st.kernel, flops = stepFlops(plan, st);
    st.kernel = {
      ...inner,
      run(...args: Parameters<typeof inner.run>) {
        const t = performance.now();
        inner.run(...args);
        if (!counting) return;
        const row = byStep[i];
        row.ms += performance.now() - t; row.calls++; row.flops += flops;
      },
    };
  });
  const exec = new CpuExecutor(plan, pool, simd ? new SimdParallel(simd, pool) : undefined);
  exec.run(feeds); // warm-up: V8 compiles the kernels
  counting = true;
  const t = performance.now();
  for (let r = 0; r < runs; r++) exec.run(feeds);
  const totalMs = (performance.now() - t) / runs;
  const out = [...rows.values()].map((r) => ({ ...r, calls: r.calls / runs, ms: r.ms / runs, flops: r.flops / runs }));
  return { rows: out.sort((a, b) => b.ms - a.ms), totalMs };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    runs: { type: 'string', default: '5' }, seq: { type: 'string', default: String(SEQ) }, js: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' }, batch: { type: 'string', default: '1' },
  } });
  const simd = values.js ? undefined : SimdGemm.create(KEEP_BYTES / Number(values.threads));
  const threads = Number(values.threads), batch = Number(values.batch);
  const pool = await GemmPool.create(threads, (l) => console.log(l));
  const id = (positionals[0] ?? 'mobilenetv2') as ModelId;
  if (id !== 'mobilenetv2' && id !== 'distilbert') throw new Error(`model must be mobilenetv2 or distilbert, got '${id}'`);
  const seq = Number(values.seq), runs = Number(values.runs);
  if (batch > 1 && id !== 'mobilenetv2') throw new Error('--batch applies to mobilenetv2');
  const graph = id === 'mobilenetv2' ? models.mobilenetV2({ batch }) : models.distilbert();
  const feeds = modelFeeds(id, 1).map((f) => id === 'distilbert'
    ? new Tensor(f.dtype as never, [1, seq], f.data.slice(0, seq) as never)
    : new Tensor('float32', [batch, ...f.shape.slice(1)], Float32Array.from({ length: batch * f.data.length }, (_, i) => (f.data as Float32Array)[i % f.data.length])));
  const peak = gemmGflops(simd);
  const { rows, totalMs } = profile(graph, feeds, runs, simd, pool);
  pool?.dispose();
  const flops = rows.reduce((s, r) => s + r.flops, 0);
  console.log(`${id}${id === 'distilbert' ? ` S=${seq}` : ` batch ${batch}`}, ${threads} thread${threads > 1 ? 's' : ''}: ${totalMs.toFixed(1)} ms per run (${runs} runs), ${(flops / 1e9).toFixed(2)} GFLOP in Conv/Gemm/MatMul`);
  console.log(`GEMM 512x512x512 on this machine now (${simd ? 'WebAssembly SIMD' : 'JavaScript'}): ${peak.toFixed(2)} GFLOP/s\n`);
  console.log(`${'op'.padEnd(28)}${'calls'.padStart(6)}${'ms'.padStart(10)}${'share'.padStart(8)}${'GFLOP/s'.padStart(10)}`);
  for (const r of rows) {
    const gf = r.flops ? (r.flops / (r.ms * 1e6)).toFixed(2) : '';
    console.log(`${r.kind.padEnd(28)}${String(r.calls).padStart(6)}${r.ms.toFixed(2).padStart(10)}${`${((100 * r.ms) / totalMs).toFixed(1)}%`.padStart(8)}${gf.padStart(10)}`);
  }
  const mm = rows.filter((r) => r.flops > 0), mmMs = mm.reduce((s, r) => s + r.ms, 0);
  console.log(`\nmultiply-add ops: ${((100 * mmMs) / totalMs).toFixed(1)}% of the time at ${(flops / (mmMs * 1e6)).toFixed(2)} GFLOP/s;`
    + ` at the 512³ GEMM speed they would take ${(flops / (peak * 1e6)).toFixed(1)} ms, the run ${(totalMs - mmMs + flops / (peak * 1e6)).toFixed(1)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
