import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { CHROMIUM, FLAGS, present, required, sayIfSkipped, serveFiles } from './chromium-env.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { InferenceSession, models, preprocessImage, WordPieceTokenizer, DEMO_VOCAB, sentenceEmbedding, type Tensor } from '../../src/index.js';
import { testImage } from '../../src/cli/demo.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { bundle } from '../../scripts/bundle.mjs';
import type { CaseResult } from './webgl-harness.entry.js';

/**
 * Everything that needs a real browser, in one Chromium launch (Debian's chromium driven by
 * playwright-core; scripts/install-browser.sh installs it): the example page end to end on the
 * CPU, WebGL (gpu.js) and auto-selected backends and in a Web Worker; the WebGL kernels against
 * the CPU backend with the gpu.js kernel class that ran; embedding hygiene (no globals, no work
 * at import, two copies side by side). Skips with a reason when Chromium is absent, unless
 * REQUIRE_BROWSER=1, which turns its absence into a failure.
 */

sayIfSkipped();

const ROOT = path.resolve('.');
const SHOTS = path.join(ROOT, 'test-output', 'browser');
const WEBGPU_FLAGS = [...FLAGS, '--enable-unsafe-webgpu'];

let tmp: string;
let server: Server;
let base: string;
let browser: Browser;

/** /dist/browser/* and /copy2/dist/browser/* -> the fresh bundle; /harness/* -> test bundles; else the repository. */
async function serve(): Promise<string> {
  const route = (url: string) => {
    if (url.startsWith('/dist/browser/')) return { file: path.join(tmp, 'dist', url.slice('/dist/browser/'.length)) };
    if (url.startsWith('/copy2/dist/browser/')) return { file: path.join(tmp, 'dist', url.slice('/copy2/dist/browser/'.length)) };
    if (url.startsWith('/harness/')) return { file: path.join(tmp, 'harness', url.slice('/harness/'.length)) };
    return { file: path.join(ROOT, url) };
  };
  let url: string;
  ({ server, base: url } = await serveFiles([ROOT, tmp], route));
  return url;
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + url);
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

interface PageResults {
  classification: { backend: string; where: string; placement: Record<string, number>; latencyMs: number; loadMs: number; top: { index: number; score: number }[]; logitsHead: number[] };
  embedding: { backend: string; where: string; placement: Record<string, number>; dim: number; tokens: number; ranking: { label: string; score: number }[]; queryHead: number[] };
  error?: string;
}

/** Runs the example page with autorun and returns its results (and a screenshot when asked). */
async function examplePage(query: string, shot?: string): Promise<PageResults> {
  const page = await openPage(`/examples/web/index.html?size=small&autorun=1&${query}`);
  await page.waitForSelector('body[data-state=done], body[data-state=error]', { timeout: 90_000 });
  const results = JSON.parse(await page.textContent('#results') ?? '{}') as PageResults;
  if (shot) await page.screenshot({ path: path.join(SHOTS, shot), fullPage: true });
  await page.close();
  return results;
}

/** The page's small models and inputs, computed in Node on the CPU backend: the oracle. */
async function nodeReference(): Promise<{ logits: Float32Array; query: Float32Array }> {
  const mn = models.mobilenetV2({ width: 0.35, resolution: 96, classes: 1000, seed: 1 });
  const input = preprocessImage(testImage(256, 256), 256, 256, { channels: 4, resize: Math.round((96 * 256) / 224), crop: 96 });
  const logits = (await (await InferenceSession.create(mn)).run({ input })).logits.data as Float32Array;
  const bert = models.distilbert({ layers: 2, hidden: 128, heads: 2, ffn: 512, vocab: DEMO_VOCAB.length, maxPositions: 64, seed: 1 });
  const tok = WordPieceTokenizer.fromVocab(DEMO_VOCAB);
  const texts = ['A small runtime for machine learning in the browser.', 'Tessera runs neural networks in plain TypeScript.', 'The weather is nice today.',
    'Inference happens on the device, offline and private.', 'I like apples and oranges.', 'WebGPU makes the browser fast at matrix math.'];
  const enc = tok.encodeBatch(texts, { dtype: 'int64', maxLength: 128 });
  const hidden = (await (await InferenceSession.create(bert)).run({ input_ids: enc.inputIds, attention_mask: enc.attentionMask })).last_hidden_state as Tensor;
  const emb = sentenceEmbedding(hidden, enc.attentionMask);
  return { logits, query: (emb.data as Float32Array).slice(0, 16) };
}

/**
 * Runs in the page: records global names and calls to scheduling/network/worker APIs around
 * importing two copies of the bundle (served under two paths, so two module instances), then
 * runs a session from each copy at once.
 */
const EMBEDDING_CHECK = `(async () => {
  const names = () => new Set(Object.getOwnPropertyNames(globalThis));
  const calls = [];
  for (const fn of ['setTimeout', 'setInterval', 'requestAnimationFrame', 'fetch', 'addEventListener', 'queueMicrotask', 'Worker']) {
    const orig = globalThis[fn];
    globalThis[fn] = function (...a) { calls.push(fn + ': ' + new Error().stack); return fn === 'Worker' ? Reflect.construct(orig, a) : orig.apply(this, a); };
  }
  const before = names(); // after instrumenting: the wrappers are own properties now
  const a = await import('/dist/browser/tessera.js');
  const b = await import('/copy2/dist/browser/tessera.js');
  const importCalls = calls.splice(0);
  const run = async (lib, scale) => {
    const gb = new lib.GraphBuilder('g');
    gb.output(gb.relu(gb.mul(gb.input('x', 'float32', [3]), gb.float(scale))), 'y');
    const s = await lib.InferenceSession.create(gb.build(), { backend: 'cpu' });
    const out = await s.run({ x: new lib.Tensor('float32', [3], [1, -2, 3]) });
    s.dispose();
    return Array.from(out.y.data);
  };
  const [ya, yb] = await Promise.all([run(a, 2), run(b, 10)]);
  const added = [...names()].filter((n) => !before.has(n));
  return { importCalls, added, ya, yb, distinct: a.Tensor !== b.Tensor };
})()`;

/** Runs in the page: a tiny graph with backend 'auto' and with no backend option at all. */
const AUTO_CHECK = `(async () => {
  const lib = await import('/dist/browser/tessera.js');
  const gb = new lib.GraphBuilder('g');
  gb.output(gb.relu(gb.mul(gb.input('x', 'float32', [4]), gb.float(2))), 'y');
  const g = gb.build();
  const adapter = !!(navigator.gpu && await navigator.gpu.requestAdapter());
  const s = await lib.InferenceSession.create(g, { backend: 'auto' });
  const out = await s.run({ x: new lib.Tensor('float32', [4], [1, -2, 3, -4]) });
  const d = await lib.InferenceSession.create(g);
  const result = { adapter, backend: s.backend, y: Array.from(out.y.data), defaultBackend: d.backend };
  s.dispose(); d.dispose();
  return result;
})()`;

function maxRelErr(got: readonly number[], want: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < got.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return w;
}

it.runIf(required && !present)('Chromium is installed (REQUIRE_BROWSER=1)', () => {
  expect.fail(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}: run scripts/install-browser.sh`);
});

describe.skipIf(!present)('in headless Chromium', () => {
  let ref: Awaited<ReturnType<typeof nodeReference>>;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'tessera-browser-'));
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    [browser, base, ref] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_FLAGS }),
      (async () => {
        await bundle({ outdir: path.join(tmp, 'dist') });
        await build({ entryPoints: [path.join(ROOT, 'test/browser/webgl-harness.entry.ts')], bundle: true, splitting: true, format: 'esm', platform: 'browser', outdir: path.join(tmp, 'harness'), external: ['node:*', 'gpu.js', 'webgpu'], logLevel: 'silent' });
        writeFileSync(path.join(tmp, 'harness', 'blank.html'), '<!doctype html><title>blank</title>');
        return serve();
      })(),
      nodeReference(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('example page on the CPU backend: top-k and embeddings match Node, screenshot saved', async () => {
    const r = await examplePage('backend=cpu&runs=2', 'example-cpu.png');
    expect(r.error).toBeUndefined();
    expect(r.classification.backend).toBe('cpu');
    expect(r.classification.top).toHaveLength(5);
    expect(r.classification.top.map((t) => t.score)).toEqual([...r.classification.top.map((t) => t.score)].sort((a, b) => b - a));
    expect(r.classification.latencyMs).toBeGreaterThan(0);
    expect(maxRelErr(r.classification.logitsHead, ref.logits)).toBeLessThanOrEqual(1e-5);
    const best = [...ref.logits].map((v, i) => [v, i]).sort((a, b) => b[0] - a[0])[0][1];
    expect(r.classification.top[0].index).toBe(best);
    expect(r.embedding.backend).toBe('cpu');
    expect(r.embedding.dim).toBe(128);
    expect(r.embedding.ranking).toHaveLength(5);
    expect(maxRelErr(r.embedding.queryHead, ref.query)).toBeLessThanOrEqual(1e-5);
    expect(statSync(path.join(SHOTS, 'example-cpu.png')).size).toBeGreaterThan(10_000);
  });

  it('example page on WebGPU: MobileNetV2 and DistilBERT match the CPU', { timeout: 300_000 }, async () => {
    const r = await examplePage('backend=webgpu&runs=2', 'example-webgpu.png');
    expect(r.error).toBeUndefined();
    expect(r.classification.backend).toBe('webgpu');
    expect(maxRelErr(r.classification.logitsHead, ref.logits)).toBeLessThanOrEqual(1e-3);
    expect(r.embedding.backend).toBe('webgpu');
    expect(maxRelErr(r.embedding.queryHead, ref.query)).toBeLessThanOrEqual(1e-3);
  });

  it('example page on WebGL (gpu.js): MobileNetV2 kernels ran as WebGL2Kernel, results match the CPU', async () => {
    const r = await examplePage('backend=webgl&tasks=classify&runs=1', 'example-webgl.png');
    expect(r.error).toBeUndefined();
    // MobileNetV2 here; the transformer ops (MatMul, Gemm, GELU, ...) are in the kernel test below.
    expect(r.classification.backend).toBe('webgl');
    expect(r.classification.placement.WebGL2Kernel).toBeGreaterThan(30);
    expect(Object.keys(r.classification.placement).filter((k) => k !== 'WebGL2Kernel' && k !== 'cpu fallback')).toEqual([]);
    expect(maxRelErr(r.classification.logitsHead, ref.logits)).toBeLessThanOrEqual(1e-4);
  });

  it('WebGL kernels (conv, depthwise, matmul, gemm, elementwise) on WebGL2 match the CPU backend', async () => {
    const page = await openPage('/harness/blank.html');
    await page.addScriptTag({ url: '/node_modules/gpu.js/dist/gpu-browser.min.js' });
    // A string, not a function: the test runner rewrites import() inside functions it compiles.
    const results = await page.evaluate(`import('/harness/webgl-harness.entry.js').then((m) => m.run(globalThis.GPU))`) as CaseResult[];
    await page.close();
    expect(results).toHaveLength(3);
    for (const c of results) {
      expect(c.backend, c.name).toBe('webgl');
      expect(c.fallbacks, c.name).toEqual([]);
      expect(c.classes.length, c.name).toBeGreaterThan(0);
      expect(new Set(c.classes), c.name).toEqual(new Set(['WebGL2Kernel']));
      for (const [out, err] of Object.entries(c.errors)) expect(err, `${c.name}: ${out}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it("backend 'auto' picks WebGPU when the browser has an adapter, and says so", async () => {
    const page = await openPage('/harness/blank.html');
    const r = await page.evaluate(AUTO_CHECK) as { adapter: boolean; backend: string; y: number[]; defaultBackend: string };
    await page.close();
    expect(r.adapter).toBe(true);
    expect(r.backend).toBe('webgpu');
    expect(r.defaultBackend).toBe('webgpu'); // no backend option in a browser means 'auto'
    expect(r.y).toEqual([2, 0, 6, 0]);
  });

  it('runs the same page in a Web Worker with identical CPU results', async () => {
    const r = await examplePage('backend=cpu&worker=1&runs=1&tasks=classify', 'example-worker.png');
    expect(r.error).toBeUndefined();
    expect(r.classification.where).toBe('Web Worker');
    expect(r.classification.backend).toBe('cpu');
    expect(maxRelErr(r.classification.logitsHead, ref.logits)).toBeLessThanOrEqual(1e-5);
  });

  it('touches no globals, does no work at import, and two copies of the library run side by side', async () => {
    const page = await openPage('/harness/blank.html');
    const r = await page.evaluate(EMBEDDING_CHECK) as { importCalls: string[]; added: string[]; ya: number[]; yb: number[]; distinct: boolean };
    await page.close();
    expect(r.importCalls).toEqual([]);
    expect(r.added).toEqual([]);
    expect(r.distinct).toBe(true);
    expect(r.ya).toEqual([2, 0, 6]);
    expect(r.yb).toEqual([10, 0, 30]);
  });
});
