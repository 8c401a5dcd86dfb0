import { describe, expect, it } from 'vitest';
import { GraphBuilder, InferenceSession, Tensor } from '../../src/index.js';
import { webglCases, worstError } from './webgl-graphs.js';

/**
 * The WebGL backend in Node: gpu.js's 'cpu' mode runs the very kernel sources the browser
 * compiles to GLSL, as JavaScript, so index arithmetic, epilogues and the per-node fallback are
 * checked here in seconds. The real WebGL2 run is in chromium.test.ts.
 */
describe("backend 'webgl' (gpu.js cpu mode)", () => {
  for (const c of webglCases()) {
    it(`${c.name}: matches the CPU backend, GPU kernels where there are any, CPU elsewhere`, async () => {
      const lines: string[] = [];
      const gl = await InferenceSession.create(c.graph, { backend: 'webgl', webgl: { mode: 'cpu' }, debug: (l) => lines.push(l) });
      const cpu = await InferenceSession.create(c.graph, { backend: 'cpu' });
      expect(gl.backend).toBe('webgl');
      const [a, b] = await Promise.all([gl.run(c.feeds), cpu.run(c.feeds)]);
      for (const name of gl.outputNames) {
        expect(a[name].shape).toEqual(b[name].shape);
        expect(worstError(a[name], b[name]), `${c.name}: output ${name}`).toBeLessThanOrEqual(c.tol);
      }
      const ran = lines.filter((l) => / ran as /.test(l));
      expect(ran.length).toBeGreaterThan(0);
      for (const l of ran) expect(l).toMatch(/ran as CPUKernel$/);
      expect(lines.filter((l) => /falls back/.test(l))).toEqual([]);
      gl.dispose();
    });
  }

  it('names the nodes that stay on the CPU and why', async () => {
    const lines: string[] = [];
    const b = new GraphBuilder('mixed');
    const x = b.input('x', 'float32', [2, 3]);
    b.output(b.softmax(b.relu(x)), 'y');
    b.output(b.cast(x, 'int32'), 'i');
    const s = await InferenceSession.create(b.build(), { backend: 'webgl', webgl: { mode: 'cpu' }, debug: (l) => lines.push(l), optimize: false });
    const out = await s.run({ x: new Tensor('float32', [2, 3], [1, -2, 3, -4, 5, 6]) });
    expect(Array.from(out.i.data as Int32Array)).toEqual([1, -2, 3, -4, 5, 6]);
    expect(lines.some((l) => /\(Softmax\) runs on the CPU: no WebGL kernel for Softmax/.test(l))).toBe(true);
    expect(lines.some((l) => /\(Cast\) runs on the CPU/.test(l))).toBe(true);
    expect(lines.some((l) => /\(Relu\) ran as CPUKernel/.test(l))).toBe(true);
  });

  it('refuses to start when gpu.js cannot run WebGL2 kernels (it would fall back silently)', async () => {
    const b = new GraphBuilder('g');
    b.output(b.relu(b.input('x', 'float32', [2])), 'y');
    await expect(InferenceSession.create(b.build(), { backend: 'webgl' })).rejects.toThrow(/WebGL2/);
    // In a preference list the next backend starts instead.
    const lines: string[] = [];
    const s = await InferenceSession.create(b.build(), { backend: ['webgl', 'cpu'], debug: (l) => lines.push(l) });
    expect(s.backend).toBe('cpu');
    expect(lines.join('\n')).toMatch(/backend 'webgl' is not available: .*WebGL2/);
  });

  it('rejects unknown backends before loading anything', async () => {
    const b = new GraphBuilder('g');
    b.output(b.relu(b.input('x', 'float32', [2])), 'y');
    await expect(InferenceSession.create(b.build(), { backend: 'webgl3' as never })).rejects.toThrow(/unknown backend 'webgl3'; use 'cpu', 'webgpu', 'webgl' or 'auto'/);
    await expect(InferenceSession.create(b.build(), { backend: [] as never })).rejects.toThrow(/non-empty array/);
    await expect(InferenceSession.create(b.build(), { webgl: { gpu: {} } , backend: 'webgl' })).rejects.toThrow(/options.webgl.gpu must be gpu.js's GPU class/);
  });
});
