import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveOnnx } from '../../src/onnx/index.js';
import { GraphBuilder, InferenceSession, Tensor } from '../../src/index.js';
import { randomFloats } from '../util/numerics.js';

/** The session's `threads` option: validated, and any thread count gives the same results. */
describe("InferenceSession option 'threads'", () => {
  const build = () => {
    const b = new GraphBuilder('mm');
    const x = b.input('x', 'float32', [64, 96]);
    const y = b.matmul(x, b.constant(new Tensor('float32', [96, 80], randomFloats(96 * 80, 2)), 'w'));
    b.output(b.relu(y), 'y');
    return b.build();
  };

  it('rejects a thread count that is not a positive integer', async () => {
    await expect(InferenceSession.create(build(), { threads: 0 })).rejects.toThrow(/'threads' must be a positive integer, got 0/);
    await expect(InferenceSession.create(build(), { threads: 1.5 })).rejects.toThrow(/positive integer, got 1.5/);
  });

  it('gives the same outputs on one thread and on two (workers or the one-thread fallback)', async () => {
    const x = new Tensor('float32', [64, 96], randomFloats(64 * 96, 1));
    const lines: string[] = [];
    const one = await InferenceSession.create(build(), { threads: 1 });
    const two = await InferenceSession.create(build(), { threads: 2, debug: (l) => lines.push(l) });
    const a = (await one.run({ x })).y.data as Float32Array, b = (await two.run({ x })).y.data as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
    // From TypeScript sources there is no compiled worker: it says so once and runs on one thread.
    expect(lines.filter((l) => l.startsWith('threads:')).length).toBeLessThanOrEqual(1);
    one.dispose();
    two.dispose();
  });

  it('reads a model file into shared memory for threads and gives the same outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-threads-')), file = join(dir, 'mm.onnx');
    try {
      writeFileSync(file, saveOnnx(build()));
      const x = new Tensor('float32', [64, 96], randomFloats(64 * 96, 3));
      const one = await InferenceSession.create(file, { threads: 1 }), two = await InferenceSession.create(file, { threads: 2, debug: () => {} });
      const w = two.graph.initializers.get('w') as Tensor;
      expect(w.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from((await two.run({ x })).y.data as Float32Array)).toEqual(Array.from((await one.run({ x })).y.data as Float32Array));
      one.dispose();
      two.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
