import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { models } from '../../src/models/index.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { pruneCommand, pruneFile } from '../../src/cli/prune.js';
import { expectClose, randomFloats } from '../util/numerics.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-prune-'));
const model = join(dir, 'mobilenet.onnx');
writeFileSync(model, saveOnnx(models.mobilenetV2({ width: 0.35, resolution: 32, classes: 10, seed: 6 })));
const x = new Tensor('float32', [1, 3, 32, 32], randomFloats(3072, 9, -1.7, 1.7));

/** The pruned file in onnxruntime-node and in Tessera (which runs it sparse): same logits. */
async function agree(path: string): Promise<void> {
  const o = await ort.InferenceSession.create(path);
  const theirs = (await o.run({ input: new ort.Tensor('float32', x.data as Float32Array, [1, 3, 32, 32]) })).logits.data as Float32Array;
  await o.release();
  const ours = (await (await InferenceSession.create(path)).run({ input: x })).logits.data as Float32Array;
  expectClose(ours, theirs, path, { k: 1000, atol: 1e-4, rtol: 1e-3 });
}

describe('tessera prune', () => {
  it('unstructured 90%: every prunable layer reaches 90%, the file runs in onnxruntime and agrees with Tessera', async () => {
    const out = join(dir, 'u90.onnx'), s = await pruneFile(model, out, { sparsity: 0.9 });
    expect(s.layers.length).toBe(36); // 35 convs with group 1 and the classifier; depthwise convs are not pruned
    for (const l of s.layers) expect(Math.abs(l.sparsityAfter - 0.9)).toBeLessThan(0.5 / (l.denseBytes / 4) + 1e-9);
    expect(s.layers.filter((l) => l.runs !== 'dense').length).toBeGreaterThanOrEqual(34);
    expect(s.sparseWeightBytes).toBeLessThan(0.5 * readFileSync(model).length);
    // The pruned weights go to the file as sparse_initializer: about 12 / (4 x 10) of their dense bytes.
    expect(s.sparseInitializers).toBe(36);
    expect(s.fileBytes).toBeLessThan(0.45 * readFileSync(model).length);
    await agree(out);
    const dense = join(dir, 'u90-dense.onnx'), d = await pruneFile(model, dense, { sparsity: 0.9 }, true);
    expect(d.sparseInitializers).toBe(0);
    expect(d.fileBytes).toBeGreaterThan(0.9 * readFileSync(model).length);
    await agree(dense);
  });

  it('block and channel patterns write models onnxruntime runs; channel makes them smaller', async () => {
    const block = join(dir, 'b.onnx'), channel = join(dir, 'c.onnx');
    await pruneFile(model, block, { sparsity: 0.8, pattern: 'block' });
    await agree(block);
    const s = await pruneFile(model, channel, { sparsity: 0.5, pattern: 'channel' });
    expect(s.parametersAfter).toBeLessThan(0.4 * s.parametersBefore);
    expect(s.fileBytes).toBeLessThan(0.45 * readFileSync(model).length);
    expect(loadOnnx(readFileSync(channel)).parameterCount).toBe(s.parametersAfter);
    await agree(channel);
  });

  it('prints per-layer sparsity and sizes; bad arguments are named', async () => {
    const out = join(dir, 'cli.onnx');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let text = '';
    try {
      await pruneCommand([model, '--sparsity', '0.7', '--pattern', 'block', '--block', '1x4', '-o', out]);
      text = write.mock.calls.map((c) => String(c[0])).join('');
    } finally { write.mockRestore(); }
    expect(text).toMatch(/features\.18\.0\s+Conv\s+\[1280, 112, 1, 1\]\s+0\.0% ->\s+70\.0%/);
    expect(text).toMatch(/classifier\.1\s+Gemm/);
    expect(text).toMatch(/wrote .*cli\.onnx: [\d.]+ MiB/);
    await expect(pruneCommand([model, '-o', out])).rejects.toThrow(/--sparsity is required/);
    await expect(pruneCommand([model, '--sparsity', '0.5'])).rejects.toThrow(/usage: tessera prune/);
    await expect(pruneCommand([model, '--sparsity', 'lots', '-o', out])).rejects.toThrow(/--sparsity must be a number/);
    await expect(pruneCommand([model, '--sparsity', '0.5', '--block', '4', '--pattern', 'block', '-o', out])).rejects.toThrow(/--block must look like 1x4/);
  });
});
