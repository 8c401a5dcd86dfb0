/**
 * Sparse kernels and pruned models against Tessera's dense kernels, on this machine:
 *   - GEMM 128x768x3072 (DistilBERT's FFN shape) at 50/70/90/95% sparsity, CSR (unstructured) and BSR [1, 4] (block);
 *   - every pointwise conv of MobileNetV2 (1.0, 224), summed over the network;
 *   - whole MobileNetV2 and DistilBERT: dense, 90% unstructured, 90% block, 50% channel (and onnxruntime-node on the same files);
 *   - weight memory dense vs sparse;
 *   - the cost-model constants (src/sparse/cost.ts) fitted from the same kernel runs.
 *
 *   npm run build && node dist/bench/sparse.js [--quick] [--js] [--only gemm,pointwise,mobilenet,distilbert] [--out bench/results/sparse.json]
 *
 * Kernels and sessions run as a default session runs them, on the WebAssembly SIMD tier where
 * the engine validates; --js times the JavaScript tier (`simd: false`) instead.
 *
 * Timing: each case runs interleaved with its dense baseline (round robin, so load on the
 * machine hits both alike); the figure is the median of the rounds, with the process CPU time
 * per run beside it (on a shared machine wall time includes waiting for a core). Single-threaded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../src/index.js';
import type { OpName } from '../src/ops/index.js';
import type { RawAttrs } from '../src/ops/types.js';
import { kernelCall as call, type BenchInput } from './kernel-call.js';
import { models } from '../src/models/index.js';
import { saveOnnx } from '../src/onnx/index.js';
import { prune, CsrWeight, BsrWeight, type PruneOptions } from '../src/sparse/index.js';
import { SimdGemm } from '../kernels/cpu/sgemm-simd.js';
import { SimdParallel } from '../src/runtime/cpu/simd-engine.js';

export interface SparseBenchRow {
  group: 'gemm' | 'pointwise' | 'model' | 'memory' | 'calibration';
  name: string;
  /** 'dense', 'csr', 'bsr' (kernels); for models the pruning ('unstructured 90%', ...). */
  variant: string;
  sparsity: number;
  /** Median milliseconds of this case and of its dense baseline, same run. */
  medianMs?: number;
  denseMs?: number;
  /** denseMs / medianMs. */
  speedup?: number;
  /** Fastest round of this case and of the dense baseline: less sensitive to other load on the machine. */
  minMs?: number;
  denseMinMs?: number;
  /** Median process CPU time per run (user + system), and denseCpuMs / cpuMs: on a busy machine wall time includes waiting for a core, CPU time does not. */
  cpuMs?: number;
  denseCpuMs?: number;
  cpuSpeedup?: number;
  bytes?: number;
  denseBytes?: number;
  /** Cost-model constant (ns per lane) for calibration rows. */
  value?: number;
  target?: string;
  pass?: boolean;
}

interface Options {
  quick: boolean;
  log?: (line: string) => void;
  /** Parts to run (default all): 'gemm', 'pointwise', 'mobilenet', 'distilbert'. */
  only?: readonly string[];
  /** The JavaScript tier (sessions with `simd: false`) instead of the default WebAssembly SIMD one. */
  js?: boolean;
  /** The kernel runs' SIMD engine, made on first use. */
  engine?: SimdGemm;
}

const SPARSITIES = [0.5, 0.7, 0.9, 0.95];

interface Timing { median: number; min: number; cpu: number }

const med = (t: number[]) => t.sort((a, b) => a - b)[t.length >> 1];
const summary = (t: number[], cpu: number[]): Timing => ({ median: med(t), min: Math.min(...t), cpu: med(cpu) });

/** Wall and CPU milliseconds of one call. */
function clock(f: () => void, wall: number[], cpu: number[]): void {
  const c = process.cpuUsage(), t = performance.now();
  f();
  wall.push(performance.now() - t);
  const d = process.cpuUsage(c);
  cpu.push((d.user + d.system) / 1000);
}

/** Times functions round robin (at least 3 rounds, then up to `rounds` within the budget); median and min in ms. */
function timeInterleaved(fns: (() => void)[], rounds: number, budgetMs: number): Timing[] {
  for (const f of fns) f(); // warm-up: JIT and first-touch
  const times: number[][] = fns.map(() => []), cpu: number[][] = fns.map(() => []), start = performance.now();
  for (let r = 0; r < rounds && (r < 3 || performance.now() - start < budgetMs); r++) fns.forEach((f, i) => clock(f, times[i], cpu[i]));
  return times.map((t, i) => summary(t, cpu[i]));
}

async function timeAsync(fns: (() => Promise<unknown>)[], rounds: number, budgetMs: number): Promise<Timing[]> {
  for (const f of fns) await f();
  const times: number[][] = fns.map(() => []), cpu: number[][] = fns.map(() => []), start = performance.now();
  for (let r = 0; r < rounds && (r < 3 || performance.now() - start < budgetMs); r++) {
    for (let i = 0; i < fns.length; i++) {
      const c = process.cpuUsage(), t = performance.now();
      await fns[i]();
      times[i].push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[i].push((d.user + d.system) / 1000);
    }
  }
  return times.map((t, i) => summary(t, cpu[i]));
}

/** A row's timing fields: medians (the figures) and minimums, case against its dense baseline. */
function timed(t: Timing, dense: Timing): Pick<SparseBenchRow, 'medianMs' | 'denseMs' | 'speedup' | 'minMs' | 'denseMinMs' | 'cpuMs' | 'denseCpuMs' | 'cpuSpeedup'> {
  return {
    medianMs: t.median, denseMs: dense.median, speedup: dense.median / t.median, minMs: t.min, denseMinMs: dense.min,
    cpuMs: t.cpu, denseCpuMs: dense.cpu, cpuSpeedup: dense.cpu / t.cpu,
  };
}

/**
 * kernel-call.ts's kernel on one thread, as a default session plans it: on the WebAssembly SIMD
 * tier with its engine (constant weights marked, so dense products keep their packs as in a
 * session), or with `js` (--js, a session's `simd: false`) on the JavaScript tier.
 */
function kernelCall(o: Options, op: OpName, raw: RawAttrs, inputs: BenchInput[]): () => void {
  const engine = o.js ? undefined : (o.engine ??= SimdGemm.create());
  if (!engine) return call(op, raw, inputs).run;
  for (const i of inputs.slice(1)) if (i.data) engine.markConstant(i.data);
  const c = call(op, raw, inputs, undefined, { tiers: ['wasm-simd'] }), par = new SimdParallel(engine);
  return () => c.run(par);
}

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 4294967296 * 2 - 1; }
  return a;
}

/** A weight pruned by prune() itself (one-layer graph), so the bench measures what users get. */
function prunedWeight(shape: number[], opts: PruneOptions, seed: number): Tensor {
  const b = new GraphBuilder('w');
  const x = b.input('x', 'float32', [1, shape[1]]);
  b.output(b.gemm(x, b.constant(new Tensor('float32', shape, random(shape[0] * shape[1], seed)), 'w'), undefined, { transB: 1 }), 'y');
  return prune(b.build(), opts).initializers.get('w') as Tensor;
}

interface KernelCase { lanes: number; rows: number; depth: number; denseMs: number; csr: { nnz: number; ms: number }[]; bsr: { blocks: number; ms: number }[] }

/** Y[M, N] = X[M, K] W[K, N]: MatMul vs SparseMatMul with CSR and BSR weights. */
function gemmBench(o: Options, rows: SparseBenchRow[], cases: KernelCase[]): void {
  const [M, K, N] = [128, 768, 3072], a = random(M * K, 1), name = `GEMM ${M}x${K}x${N}`;
  const dense = random(K * N, 2), kc: KernelCase = { lanes: M, rows: N, depth: K, denseMs: 0, csr: [], bsr: [] };
  for (const s of o.quick ? [0.5, 0.9] : SPARSITIES) {
    // Weights as [N, K] rows (outputs), transposed to MatMul's [K, N] for the dense kernel.
    const u = prunedWeight([N, K], { sparsity: s }, 3), bl = prunedWeight([N, K], { sparsity: s, pattern: 'block' }, 3);
    const csr = CsrWeight.fromDense(u, 0), bsr = BsrWeight.fromDense(bl, 0, [1, 4]);
    const asKN = (p: CsrWeight | BsrWeight) => (p instanceof CsrWeight ? new CsrWeight([K, N], 1, p.rowPtr, p.colIndex, p.values) : new BsrWeight([K, N], 1, p.block, p.rowPtr, p.colIndex, p.values));
    const [d, c, b] = timeInterleaved([
      kernelCall(o, 'MatMul', {}, [{ shape: [M, K], data: a }, { shape: [K, N], data: dense }]),
      kernelCall(o, 'SparseMatMul', {}, [{ shape: [M, K], data: a }, { shape: [K, N], packed: asKN(csr) }]),
      kernelCall(o, 'SparseMatMul', {}, [{ shape: [M, K], data: a }, { shape: [K, N], packed: asKN(bsr) }]),
    ], o.quick ? 3 : 7, o.quick ? 4000 : 15000);
    kc.denseMs = d.min; kc.csr.push({ nnz: csr.nnz, ms: c.min }); kc.bsr.push({ blocks: bsr.nBlocks, ms: b.min });
    const target = s === 0.9 ? { target: '>= 2x', pass: d.median / c.median >= 2 } : {};
    rows.push({ group: 'gemm', name, variant: 'csr', sparsity: s, ...timed(c, d), bytes: csr.byteLength, denseBytes: K * N * 4, ...target });
    rows.push({ group: 'gemm', name, variant: 'bsr 1x4', sparsity: s, ...timed(b, d), bytes: bsr.byteLength, denseBytes: K * N * 4 });
    o.log?.(`${name} ${(s * 100).toFixed(0)}%: dense ${d.median.toFixed(1)} ms, CSR ${c.median.toFixed(1)} ms (${(d.median / c.median).toFixed(2)}x), BSR 1x4 ${b.median.toFixed(1)} ms (${(d.median / b.median).toFixed(2)}x)`);
  }
  cases.push(kc);
}

/** Every pointwise conv of MobileNetV2 1.0 (each distinct shape once, weighted by how often it occurs). */
async function pointwiseBench(o: Options, rows: SparseBenchRow[], cases: KernelCase[]): Promise<void> {
  const res = o.quick ? 112 : 224, g = models.mobilenetV2({ resolution: res, batch: 1 });
  const { inferTypes } = await import('../src/graph/infer.js'), { analyze } = await import('../src/graph/analyze.js');
  const types = inferTypes(g, analyze(g)), shapes = new Map<string, { C: number; M: number; H: number; W: number; count: number }>();
  for (const n of g.nodes) {
    const w = g.initializers.get(n.inputs[1]) as Tensor | undefined;
    if (n.op !== 'Conv' || !w || w.shape[2] !== 1 || (n.attrs.group ?? 1) !== 1) continue;
    const [, C, H, W] = types.get(n.inputs[0])!.shape as number[], key = `${C}x${w.shape[0]}x${H}`;
    const e = shapes.get(key) ?? { C, M: w.shape[0], H, W, count: 0 };
    e.count++;
    shapes.set(key, e);
  }
  for (const sp of o.quick ? [0.9] : SPARSITIES) {
    const dense = { median: 0, min: 0, cpu: 0 }, csrMs = { median: 0, min: 0, cpu: 0 }, bsrMs = { median: 0, min: 0, cpu: 0 };
    const add = (acc: Timing, t: Timing, n: number) => { acc.median += t.median * n; acc.min += t.min * n; acc.cpu += t.cpu * n; };
    for (const { C, M, H, W, count } of shapes.values()) {
      const x = random(C * H * W, 4), xs = [1, C, H, W], ws = [M, C, 1, 1];
      const u = prunedWeight([M, C], { sparsity: sp }, 5), bl = prunedWeight([M, C], { sparsity: sp, pattern: 'block' }, 5);
      const csr = CsrWeight.fromDense(u.reshape(ws), 0), bsr = BsrWeight.fromDense(bl.reshape(ws), 0, [1, 4]);
      const [d, c, b] = timeInterleaved([
        kernelCall(o, 'Conv', {}, [{ shape: xs, data: x }, { shape: ws, data: random(M * C, 6) }]),
        kernelCall(o, 'SparseConv', {}, [{ shape: xs, data: x }, { shape: ws, packed: csr }]),
        kernelCall(o, 'SparseConv', {}, [{ shape: xs, data: x }, { shape: ws, packed: bsr }]),
      ], o.quick ? 5 : 9, o.quick ? 300 : 1500);
      add(dense, d, count); add(csrMs, c, count); add(bsrMs, b, count);
      cases.push({ lanes: H * W, rows: M, depth: C, denseMs: d.min, csr: [{ nnz: csr.nnz, ms: c.min }], bsr: [{ blocks: bsr.nBlocks, ms: b.min }] });
    }
    const name = `MobileNetV2 pointwise convs (${shapes.size} shapes, 35 layers, ${res}x${res})`;
    rows.push({ group: 'pointwise', name, variant: 'csr', sparsity: sp, ...timed(csrMs, dense) });
    rows.push({ group: 'pointwise', name, variant: 'bsr 1x4', sparsity: sp, ...timed(bsrMs, dense) });
    o.log?.(`pointwise ${(sp * 100).toFixed(0)}%: dense ${dense.median.toFixed(1)} ms, CSR ${csrMs.median.toFixed(1)} ms (${(dense.median / csrMs.median).toFixed(2)}x), BSR ${bsrMs.median.toFixed(1)} ms (${(dense.median / bsrMs.median).toFixed(2)}x)`);
  }
}

interface Variant { name: string; graph: Graph; sparsity: number }

/** Whole models through InferenceSession (which sparsifies pruned weights by itself), plus onnxruntime-node on the same files. */
async function modelBench(o: Options, rows: SparseBenchRow[], label: string, g: Graph, feeds: Record<string, Tensor>, targets: Record<string, number>): Promise<void> {
  const variants: Variant[] = [
    { name: 'dense', graph: g, sparsity: 0 },
    { name: 'unstructured 90%', graph: prune(g, { sparsity: 0.9 }), sparsity: 0.9 },
    { name: 'block 1x4 90%', graph: prune(g, { sparsity: 0.9, pattern: 'block' }), sparsity: 0.9 },
    { name: 'channel 50%', graph: prune(g, { sparsity: 0.5, pattern: 'channel' }), sparsity: 0.5 },
  ];
  const sessions = await Promise.all(variants.map((v) => InferenceSession.create(v.graph, { threads: 1, simd: !o.js })));
  const ms = await timeAsync(sessions.map((s) => () => s.run(feeds)), o.quick ? 3 : 7, o.quick ? 8000 : 40000);
  variants.forEach((v, i) => {
    const target = targets[v.name], speedup = ms[0].median / ms[i].median;
    const sparseOps = sessions[i].graph.nodes.filter((n) => n.op.startsWith('Sparse')).length;
    rows.push({
      group: 'model', name: label, variant: v.name, sparsity: v.sparsity, ...timed(ms[i], ms[0]),
      ...(target ? { target: `>= ${target}x`, pass: speedup >= target } : {}),
    });
    rows.push({ group: 'memory', name: label, variant: `${v.name}: weights as run${sparseOps ? ` (${sparseOps} sparse layers)` : ''}`, sparsity: v.sparsity, bytes: sessions[i].graph.weightBytes, denseBytes: sessions[0].graph.weightBytes });
    rows.push({ group: 'memory', name: label, variant: `${v.name}: ONNX file`, sparsity: v.sparsity, bytes: saveOnnx(v.graph).length, denseBytes: saveOnnx(g).length });
    o.log?.(`${label} ${v.name}: ${ms[i].median.toFixed(1)} ms (${speedup.toFixed(2)}x), ${sparseOps} sparse layers, weights ${(sessions[i].graph.weightBytes / 1048576).toFixed(2)} MiB`);
  });
  const ort = await import('onnxruntime-node').catch(() => undefined);
  if (!ort) return;
  const ortSessions = await Promise.all(variants.slice(0, 2).map((v) => ort.InferenceSession.create(saveOnnx(v.graph), { intraOpNumThreads: 1 })));
  const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
  const ortMs = await timeAsync(ortSessions.map((s) => () => s.run(ortFeeds)), o.quick ? 3 : 7, 10000);
  ortMs.forEach((t, i) => {
    rows.push({ group: 'model', name: `${label} in onnxruntime-node (1 thread)`, variant: variants[i].name, sparsity: variants[i].sparsity, ...timed(t, ortMs[0]) });
    o.log?.(`${label} onnxruntime-node ${variants[i].name}: ${t.median.toFixed(1)} ms`);
  });
  for (const s of ortSessions) await s.release();
}

/** Least squares t = a * x + b * y (no intercept), on relative errors so small layers count as much as big ones. */
function fit2(xs: number[], ys: number[], ts: number[]): [number, number] {
  let xx = 0, xy = 0, yy = 0, xt = 0, yt = 0;
  xs.forEach((x0, i) => { const x = x0 / ts[i], y = ys[i] / ts[i], t = 1; xx += x * x; xy += x * y; yy += y * y; xt += x * t; yt += y * t; });
  const det = xx * yy - xy * xy;
  return det === 0 ? [xt / xx, 0] : [(xt * yy - yt * xy) / det, (yt * xx - xt * xy) / det];
}

/** The cost model's constants (ns per activation lane) from the kernel runs above (fastest rounds: the least disturbed). */
function calibrate(cases: KernelCase[], rows: SparseBenchRow[], log?: (l: string) => void): void {
  const ns = (ms: number, lanes: number) => (ms * 1e6) / lanes;
  const csr = cases.flatMap((c) => c.csr.map((e) => ({ x: e.nnz, y: c.rows, t: ns(e.ms, c.lanes) })));
  const bsr = cases.flatMap((c) => c.bsr.map((e) => ({ x: e.blocks, y: c.rows, t: ns(e.ms, c.lanes) })));
  const [csrNnz, rowC] = fit2(csr.map((e) => e.x), csr.map((e) => e.y), csr.map((e) => e.t));
  const [bsr4Block, rowB] = fit2(bsr.map((e) => e.x), bsr.map((e) => e.y), bsr.map((e) => e.t));
  // Dense pays the per-row term as the sparse kernels do (cost.ts); its multiply-adds are what is left.
  const row = Math.max(0, (rowC + rowB) / 2);
  const dense = cases.map((c) => Math.max(0, ns(c.denseMs, c.lanes) - c.rows * row) / (c.rows * c.depth)).sort((a, b) => a - b);
  const denseMac = dense[dense.length >> 1];
  const model = { denseMac, csrNnz, bsr4Block, row };
  for (const [k, v] of Object.entries(model)) rows.push({ group: 'calibration', name: 'cost model (ns per lane)', variant: k, sparsity: 0, value: v });
  log?.(`cost model: ${JSON.stringify(Object.fromEntries(Object.entries(model).map(([k, v]) => [k, Number(v.toPrecision(3))])))} ` +
    `(CSR break-even density ~${(denseMac / csrNnz).toFixed(2)}, BSR ~${((4 * denseMac) / bsr4Block).toFixed(2)}; row fitted ${rowC.toPrecision(3)} for CSR, ${rowB.toPrecision(3)} for BSR)`);
}

/** All sparse benchmarks; rows for bench/run.ts (and this file's own main). */
export async function sparseBench(opts: Options): Promise<SparseBenchRow[]> {
  const rows: SparseBenchRow[] = [], cases: KernelCase[] = [], on = (part: string) => !opts.only || opts.only.includes(part);
  if (on('gemm')) gemmBench(opts, rows, cases);
  if (on('pointwise')) await pointwiseBench(opts, rows, cases);
  if (cases.length) calibrate(cases, rows, opts.log);
  if (on('mobilenet')) await mobilenet(opts, rows);
  if (on('distilbert')) await bert(opts, rows);
  return rows;
}

async function mobilenet(opts: Options, rows: SparseBenchRow[]): Promise<void> {
  const mnv2 = models.mobilenetV2({ resolution: 224, batch: 1, seed: 1 });
  const image = new Tensor('float32', [1, 3, 224, 224], random(3 * 224 * 224, 7).map((v) => v * 1.7));
  await modelBench(opts, rows, 'MobileNetV2 1.0 224', mnv2, { input: image }, { 'unstructured 90%': 1.3, 'channel 50%': 1.6 });
}

async function bert(opts: Options, rows: SparseBenchRow[]): Promise<void> {
  const seq = 32, cfg = opts.quick ? { layers: 2 } : { layers: 6 };
  const g = models.distilbert({ ...cfg, batch: 1, sequence: seq, seed: 1 });
  const ids = new Tensor('int64', [1, seq], Array.from({ length: seq }, (_, i) => BigInt((i * 7919) % 30522)));
  await modelBench(opts, rows, `DistilBERT ${cfg.layers} layers, seq ${seq}`, g, { input_ids: ids, attention_mask: new Tensor('int64', [1, seq], new Array(seq).fill(1n)) }, {});
}

function table(rows: SparseBenchRow[]): string {
  const f = (x: number | undefined, d = 1) => (x === undefined ? '' : x.toFixed(d));
  const lines = ['group        case                                                    variant                                   sparsity   ms      dense ms  speedup  CPU speedup  MiB     dense MiB  target'];
  for (const r of rows) {
    lines.push([r.group.padEnd(12), r.name.padEnd(55), r.variant.padEnd(41), `${(r.sparsity * 100).toFixed(0)}%`.padStart(8),
      f(r.medianMs ?? r.value, r.value !== undefined ? 3 : 1).padStart(8), f(r.denseMs).padStart(9), (r.speedup ? `${r.speedup.toFixed(2)}x` : '').padStart(8),
      (r.cpuSpeedup ? `${r.cpuSpeedup.toFixed(2)}x` : '').padStart(12),
      f(r.bytes && r.bytes / 1048576, 2).padStart(7), f(r.denseBytes && r.denseBytes / 1048576, 2).padStart(10),
      r.target ? `${r.target} ${r.pass ? 'PASS' : 'MISS'}` : ''].join(' '));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string', default: 'bench/results/sparse.json' }, js: { type: 'boolean' } } });
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const rows = await sparseBench({ quick: !!values.quick, js: !!values.js, log, ...(values.only ? { only: values.only.split(',') } : {}) });
  process.stdout.write(table(rows) + '\n');
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, JSON.stringify({ date: new Date().toISOString(), node: process.version, quick: !!values.quick, rows }, null, 2));
  log(`wrote ${values.out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
}
