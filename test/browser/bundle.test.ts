import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile, type OutputFile } from 'esbuild';
// @ts-expect-error: a plain .mjs script without type declarations
import { browserBuildOptions, eagerClosure, gzipBytes } from '../../scripts/bundle.mjs';

/**
 * Tree-shaking and size: a page that imports only the CPU path must not download WebGPU,
 * WebGL, ONNX or worker code. Each minimal entry is bundled the way scripts/bundle.mjs bundles
 * the library (ESM, code splitting, minified), and what the page loads at startup (the entry
 * plus its static imports; dynamic-import chunks excluded) is inspected.
 */

const SIZE_BUDGET_GZIP = 60 * 1024;

/** Source folders that must stay out of a CPU-only page's startup code. */
const FORBIDDEN_SOURCES = [
  'src/runtime/webgpu/', 'kernels/webgpu/', 'src/runtime/webgl/', 'kernels/webgl/',
  'src/onnx/', 'src/runtime/workers/', 'node_modules/gpu.js/', 'node_modules/webgpu/',
];
/** Strings only that code contains (they survive minification: API names, error class names). */
const MARKERS = ['requestAdapter', 'createKernel', 'WebGL2', 'OnnxError', 'WebGpuError', 'postMessage'];

interface Bundled { meta: Metafile; files: Map<string, string>; eager: string[] }

let dir: string;
const here = path.resolve('.');

async function bundleEntry(name: string, source: string): Promise<Bundled> {
  const entry = path.join(dir, `${name}.ts`);
  writeFileSync(entry, source);
  const r = await build(browserBuildOptions({ entryPoints: { [name]: entry }, outdir: path.join(dir, `out-${name}`), write: false }));
  const files = new Map<string, string>(r.outputFiles.map((f: OutputFile) => [path.relative(here, f.path).split(path.sep).join('/'), f.text]));
  // The page's own entry: esbuild marks dynamically imported chunks as entry points too.
  const key = Object.keys(r.metafile.outputs).find((k) => path.basename(r.metafile.outputs[k].entryPoint ?? '') === `${name}.ts`);
  return { meta: r.metafile, files, eager: eagerClosure(r.metafile, key!) };
}

const sources = (b: Bundled, outputs: string[]) => outputs.flatMap((o) => Object.keys(b.meta.outputs[o].inputs));
const text = (b: Bundled, outputs: string[]) => outputs.map((o) => b.files.get(o) ?? '').join('\n');
const gz = (b: Bundled, outputs: string[]) => outputs.reduce((n, o) => n + gzipBytes(b.files.get(o) ?? ''), 0);

let index: Bundled;
let core: Bundled;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tessera-bundle-'));
  const use = 'export async function main() { const b = new GraphBuilder("g"); b.output(b.relu(b.input("x", "float32", [2])), "y"); const s = await InferenceSession.create(b.build()); return s.run({ x: new Tensor("float32", [2], [1, -1]) }); }';
  index = await bundleEntry('index', `import { Tensor, GraphBuilder, InferenceSession } from ${JSON.stringify(path.join(here, 'src/index.js'))};\n${use}`);
  core = await bundleEntry('core', `import { Tensor, GraphBuilder, InferenceSession } from ${JSON.stringify(path.join(here, 'src/entries/core.js'))};\n${use}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([['tessera (main entry)', () => index], ['tessera/core', () => core]])('bundle of %s with Tensor, GraphBuilder, InferenceSession', (_, get) => {
  it('loads no WebGPU, WebGL, ONNX or worker code at startup', () => {
    const b = get();
    const eagerSources = sources(b, b.eager);
    for (const bad of FORBIDDEN_SOURCES) expect(eagerSources.filter((s) => s.startsWith(bad)), `startup code pulls in ${bad}`).toEqual([]);
    const eagerText = text(b, b.eager);
    for (const m of MARKERS) expect(eagerText.includes(m), `startup code contains '${m}'`).toBe(false);
    // The CPU kernels are there (the check would see code if it were there).
    expect(eagerSources).toContain('kernels/cpu/conv.ts');
    expect(eagerSources).toContain('src/runtime/cpu/executor.ts');
  });

  it('keeps ONNX and the GPU backends behind dynamic imports (separate chunks, fetched on first use)', () => {
    const b = get();
    const lazy = Object.keys(b.meta.outputs).filter((o) => o.endsWith('.js') && !b.eager.includes(o));
    const lazySources = sources(b, lazy);
    expect(lazySources.some((s) => s.startsWith('src/onnx/'))).toBe(true);
    expect(text(b, lazy)).toContain('OnnxError'); // the marker check above is not vacuous
    expect(lazySources.some((s) => s.startsWith('src/runtime/webgpu/'))).toBe(true);
    expect(text(b, lazy)).toContain('requestAdapter');
  });

  it('drops what the page does not import: models, tokenizer, serving, quantization', () => {
    const b = get();
    const all = sources(b, Object.keys(b.meta.outputs));
    for (const bad of ['src/models/', 'src/serve/', 'src/cli/', 'src/quant/quantize.ts', 'src/sparse/prune']) {
      expect(all.filter((s) => s.startsWith(bad)), `bundle contains ${bad}`).toEqual([]);
    }
  });

  it(`core + CPU backend (+ the graph passes it loads on create) is at most ${SIZE_BUDGET_GZIP / 1024} KB min+gz`, () => {
    const b = get();
    const passes = Object.keys(b.meta.outputs).filter((o) => !b.eager.includes(o) && 'src/graph/passes/index.ts' in b.meta.outputs[o].inputs);
    const startup = gz(b, b.eager), withPasses = startup + gz(b, passes);
    console.log(`[bundle] ${_}: startup ${(startup / 1024).toFixed(1)} KB min+gz (${b.eager.length} files), +passes ${(withPasses / 1024).toFixed(1)} KB`);
    expect(withPasses).toBeLessThanOrEqual(SIZE_BUDGET_GZIP);
  });
});
