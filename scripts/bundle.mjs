#!/usr/bin/env node
// Browser bundle: ESM, code-split, minified, into dist/browser/. Usable straight from
// <script type="module"> (import { InferenceSession } from './dist/browser/tessera.js') and as
// the files a CDN would serve. Bundler users import the package itself (dist/src, tsc output,
// "sideEffects": false); this script is for pages without a build step.
//
// Entries:
//   tessera.js  everything a page needs: core, models, pre/post-processing, workers API
//   core.js     Tensor, Graph, GraphBuilder, InferenceSession (CPU) only: the size budget
//   onnx.js     loadOnnx / saveOnnx
//   worker.js   the script a Web Worker runs for createWorkerSession / pipeline stages
//   chunks/gemm-web-worker.js  a threads helper (session in a Web Worker, threads > 1): the
//               pool finds it with new URL('./gemm-web-worker.js', import.meta.url) from its
//               own chunk, so it sits beside the chunks (esbuild does not follow that pattern)
// The WebGPU and WebGL backends, the ONNX reader and the graph passes are reached only through
// dynamic import(), so each lands in its own chunk, fetched the first time it is used.
// gpu.js (optional peer dependency) is never bundled: pass its GPU class in the session's
// `webgl` option, load it with a <script> tag, or map the bare specifier with an import map.
//
// Usage: node scripts/bundle.mjs [--outdir dist/browser] [--no-minify]
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ENTRIES = {
  tessera: 'src/entries/browser.ts',
  core: 'src/entries/core.ts',
  onnx: 'src/onnx/index.ts',
  worker: 'src/entries/worker.ts',
};

/** Scripts loaded by URL rather than imported, by output path; not counted in the size report. */
export const URL_ENTRIES = {
  'chunks/gemm-web-worker': 'src/runtime/cpu/gemm-web-worker.ts',
};

/** esbuild options shared by the bundle and the tests that inspect it. */
export function browserBuildOptions({ entryPoints, outdir, minify = true, write = true }) {
  return {
    absWorkingDir: root,
    entryPoints,
    outdir,
    write,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    treeShaking: true,
    metafile: true,
    legalComments: 'none',
    chunkNames: 'chunks/[name]-[hash]',
    // node:* only behind Node-only branches (file paths, worker_threads); gpu.js is a peer.
    external: ['node:*', 'gpu.js', 'webgpu'],
    logLevel: 'silent',
  };
}

/**
 * Bytes of an entry as a page loads it at startup: the entry file plus every chunk it reaches
 * through static imports (dynamic-import chunks excluded), minified, and gzipped one by one.
 */
export function eagerClosure(metafile, entryOutput) {
  const seen = new Set();
  const visit = (out) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const imp of metafile.outputs[out].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entryOutput);
  return [...seen];
}

/** The output file (metafile key) built from a given entry source file. */
export function outputForEntry(metafile, entrySource) {
  const rel = path.relative(root, path.resolve(root, entrySource)).split(path.sep).join('/');
  const hit = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === rel);
  if (!hit) throw new Error(`no output for entry ${entrySource}`);
  return hit[0];
}

/** Output (metafile key) of the chunk holding a given source file, if any. */
export function chunkOf(metafile, source) {
  return Object.entries(metafile.outputs).find(([, o]) => source in o.inputs)?.[0];
}

export function gzipBytes(text) { return gzipSync(Buffer.from(text), { level: 9 }).length; }

/** Builds every entry into `outdir`; returns esbuild's metafile and a size report. */
export async function bundle({ outdir = path.join(root, 'dist/browser'), minify = true } = {}) {
  rmSync(outdir, { recursive: true, force: true }); // chunk names carry hashes: old ones would pile up
  const entryPoints = Object.fromEntries(Object.entries({ ...ENTRIES, ...URL_ENTRIES }).map(([k, v]) => [k, path.join(root, v)]));
  const result = await build(browserBuildOptions({ entryPoints, outdir, minify }));
  const read = (out) => readFileSync(path.resolve(root, out), 'utf8');
  const sizes = {};
  for (const [name, src] of Object.entries(ENTRIES)) {
    const files = eagerClosure(result.metafile, outputForEntry(result.metafile, src));
    sizes[name] = { files: files.length, minBytes: files.reduce((n, f) => n + result.metafile.outputs[f].bytes, 0), gzipBytes: files.reduce((n, f) => n + gzipBytes(read(f)), 0) };
  }
  // The session imports the optimization passes on create (on by default): count them with core.
  const passes = chunkOf(result.metafile, 'src/graph/passes/index.ts');
  const coreFiles = eagerClosure(result.metafile, outputForEntry(result.metafile, ENTRIES.core));
  const passBytes = passes && !coreFiles.includes(passes) ? gzipBytes(read(passes)) : 0;
  return { metafile: result.metafile, sizes, coreWithPassesGzipBytes: sizes.core.gzipBytes + passBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const outdir = at >= 0 ? path.resolve(args[at + 1]) : undefined;
  const { sizes, coreWithPassesGzipBytes } = await bundle({ outdir, minify: !args.includes('--no-minify') });
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const [name, s] of Object.entries(sizes)) console.log(`${name.padEnd(8)} ${kb(s.minBytes).padStart(9)} min  ${kb(s.gzipBytes).padStart(8)} min+gz  (${s.files} file${s.files > 1 ? 's' : ''} loaded at startup)`);
  console.log(`core + CPU backend + graph passes: ${kb(coreWithPassesGzipBytes)} min+gz`);
}
