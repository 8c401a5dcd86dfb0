/**
 * Bundled for the Chromium test (not part of the library): runs every WebGL case on real
 * WebGL2 through gpu.js and on the CPU backend, and reports the error and which gpu.js kernel
 * class each GPU node ran as.
 */
import { InferenceSession } from '../../src/index.js';
import { webglCases, worstError } from './webgl-graphs.js';

export interface CaseResult { name: string; backend: string; errors: Record<string, number>; classes: string[]; cpuNodes: number; fallbacks: string[] }

export async function run(GPU: unknown): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of webglCases()) {
    const lines: string[] = [];
    const gl = await InferenceSession.create(c.graph, { backend: 'webgl', webgl: { gpu: GPU }, debug: (l) => lines.push(l) });
    const cpu = await InferenceSession.create(c.graph, { backend: 'cpu' });
    const [a, b] = [await gl.run(c.feeds), await cpu.run(c.feeds)];
    results.push({
      name: c.name,
      backend: gl.backend,
      errors: Object.fromEntries(gl.outputNames.map((n) => [n, worstError(a[n], b[n])])),
      classes: lines.filter((l) => / ran as /.test(l)).map((l) => l.split(' ran as ')[1]),
      cpuNodes: lines.filter((l) => /runs on the CPU/.test(l)).length,
      fallbacks: lines.filter((l) => /falls back/.test(l)),
    });
    gl.dispose();
    cpu.dispose();
  }
  return results;
}
