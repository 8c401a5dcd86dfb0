import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { CHROMIUM, FLAGS, present, required, sayIfSkipped, serveFiles } from './chromium-env.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs script without type declarations
import { bundle } from '../../scripts/bundle.mjs';

/**
 * Threads in a browser (headless Chromium, as in chromium.test.ts; scripts/install-browser.sh
 * installs it): a session in a Web Worker of a cross-origin-isolated page splits its products
 * with a module Web Worker helper from the bundle, with results identical to one thread; without
 * isolation, or on a page's main thread, it runs on one thread and says why once. Skips with a
 * reason when Chromium is absent, unless REQUIRE_BROWSER=1, which turns its absence into a failure.
 */

sayIfSkipped();
/** What makes a page (and its workers) cross-origin isolated, so SharedArrayBuffer exists. */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * The worker: MobileNetV2 (width 1.0 at 128 x 128, a batch of 4: on the SIMD tier products and
 * jobs split from 16M multiply-adds, which its batched pointwise, first and depthwise convs
 * reach) with threads 1 and 2, each with a debug logger. The bundle is found relative to the
 * worker, so an isolated worker loads it isolated.
 */
const WORKER = `
const lib = await import(new URL('../dist/tessera.js', import.meta.url).href);
const g = lib.models.mobilenetV2({ width: 1, resolution: 128, classes: 1000, seed: 1, batch: 4 });
let seed = 1;
const x = new lib.Tensor('float32', [4, 3, 128, 128], Float32Array.from({ length: 4 * 3 * 128 * 128 }, () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; }));
async function run(threads) {
  const logs = [];
  const s = await lib.InferenceSession.create(g, { backend: 'cpu', threads, debug: (l) => logs.push(l) });
  const out = await s.run({ [s.inputNames[0]]: x });
  const again = await s.run({ [s.inputNames[0]]: x });
  s.dispose();
  return { y: Array.from(out[s.outputNames[0]].data), again: Array.from(again[s.outputNames[0]].data), logs };
}
try {
  postMessage({ isolated: self.crossOriginIsolated, one: await run(1), two: await run(2) });
} catch (e) {
  postMessage({ error: String((e && e.stack) || e) });
}`;

const IN_WORKER = `new Promise((resolve) => {
  const w = new Worker('threads-worker.js', { type: 'module' });
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => resolve({ error: e.message || 'worker failed to load' });
})`;

/** A session with threads on the page itself. */
const ON_PAGE = `(async () => {
  const lib = await import('../dist/tessera.js');
  const gb = new lib.GraphBuilder('g');
  gb.output(gb.relu(gb.input('x', 'float32', [4])), 'y');
  const logs = [];
  const s = await lib.InferenceSession.create(gb.build(), { backend: 'cpu', threads: 2, debug: (l) => logs.push(l) });
  const out = await s.run({ x: new lib.Tensor('float32', [4], [1, -2, 3, -4]) });
  s.dispose();
  return { isolated: globalThis.crossOriginIsolated, y: Array.from(out.y.data), logs };
})()`;

interface RunResult { y: number[]; again: number[]; logs: string[] }
interface WorkerResult { isolated: boolean; one: RunResult; two: RunResult; error?: string }

let tmp: string;
let server: Server;
let base: string;
let browser: Browser;

/** /dist/* -> the fresh bundle, /harness/* -> test files; under /coi/ the same, cross-origin isolated. */
async function serve(): Promise<string> {
  const route = (url: string) => {
    const isolated = url.startsWith('/coi/');
    return { file: path.join(tmp, isolated ? url.slice('/coi'.length) : url), headers: isolated ? ISOLATION : {} };
  };
  let url: string;
  ({ server, base: url } = await serveFiles([tmp], route));
  return url;
}

async function evaluateOn<T>(url: string, script: string): Promise<T> {
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + url);
  // A string, not a function: the test runner rewrites import() inside functions it compiles.
  const r = await page.evaluate(script) as T;
  await page.close();
  expect(errors).toEqual([]);
  return r;
}

const threadLines = (logs: string[]) => logs.filter((l) => l.startsWith('threads:'));
const poolLines = (logs: string[]) => logs.filter((l) => l.startsWith('thread pool:'));

it.runIf(required && !present)('Chromium is installed (REQUIRE_BROWSER=1)', () => {
  expect.fail(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}: run scripts/install-browser.sh`);
});

describe.skipIf(!present)('threads in headless Chromium', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'tessera-threads-browser-'));
    mkdirSync(path.join(tmp, 'harness'));
    writeFileSync(path.join(tmp, 'harness', 'blank.html'), '<!doctype html><title>blank</title>');
    writeFileSync(path.join(tmp, 'harness', 'threads-worker.js'), WORKER);
    const { chromium } = await import('playwright-core');
    [browser, base] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: FLAGS }),
      (async () => { await bundle({ outdir: path.join(tmp, 'dist') }); return serve(); })(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  let isolatedRun: WorkerResult;

  it('in a cross-origin-isolated Web Worker, threads: 2 splits work onto a Web Worker helper with identical results', { timeout: 120_000 }, async () => {
    const r = isolatedRun = await evaluateOn<WorkerResult>('/coi/harness/blank.html', IN_WORKER);
    expect(r.error).toBeUndefined();
    expect(r.isolated).toBe(true);
    expect(threadLines(r.two.logs), 'no fallback notice').toEqual([]);
    expect(poolLines(r.one.logs)).toEqual([]);
    const [started, ran] = poolLines(r.two.logs);
    expect(started).toBe('thread pool: 1 Web Worker helper(s) started');
    const parts = Number(/ran (\d+) part/.exec(ran ?? '')?.[1]);
    expect(parts, `the helper ran parts of products (${ran})`).toBeGreaterThan(0);
    expect(r.two.y.length).toBe(4000);
    // The split never divides K: every output is bit-identical to one thread's.
    expect(r.two.y).toEqual(r.one.y);
    expect(r.two.again).toEqual(r.one.y);
  });

  it('without cross-origin isolation a Web Worker session runs on one thread and says why once', { timeout: 120_000 }, async () => {
    const r = await evaluateOn<WorkerResult>('/harness/blank.html', IN_WORKER);
    expect(r.error).toBeUndefined();
    expect(r.isolated).toBe(false);
    expect(threadLines(r.two.logs)).toEqual(['threads: SharedArrayBuffer is not available here (in browsers it needs cross-origin isolation); running on one thread instead of 2']);
    expect(poolLines(r.two.logs)).toEqual([]);
    expect(r.two.y).toEqual(r.one.y);
    if (isolatedRun?.one) expect(r.one.y).toEqual(isolatedRun.one.y);
  });

  it("on an isolated page's main thread a session runs on one thread and says why once", async () => {
    const r = await evaluateOn<{ isolated: boolean; y: number[]; logs: string[] }>('/coi/harness/blank.html', ON_PAGE);
    expect(r.isolated).toBe(true);
    expect(r.y).toEqual([1, 0, 3, 0]);
    const lines = threadLines(r.logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/main thread may not block in Atomics\.wait.*Web Worker.*running on one thread instead of 2$/);
    expect(poolLines(r.logs)).toEqual([]);
  });
});
