import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveOnnx } from '../../src/onnx/index.js';
import { quantizeCommand } from '../../src/cli/quantize.js';
import { normalTensor } from './gen.js';
import { runOrt } from './ort.js';
import { Tensor } from '../../src/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-quant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function model(): string {
  const b = new GraphBuilder('cli');
  const x = b.input('x', 'float32', ['N', 3, 8, 8]);
  let h = b.relu(b.conv(x, b.constant(normalTensor([32, 3, 3, 3], 1, 0.3), 'c1.w'), b.constant(normalTensor([32], 2, 0.1), 'c1.b'), { pads: [1, 1, 1, 1] }));
  h = b.flatten(b.globalAveragePool(b.conv(h, b.constant(normalTensor([64, 32, 1, 1], 3, 0.2), 'c2.w'))));
  b.output(b.gemm(h, b.constant(normalTensor([10, 64], 4, 0.2), 'fc.w'), b.constant(normalTensor([10], 5, 0.1), 'fc.b'), { transB: 1 }), 'logits');
  const path = join(dir, 'model.onnx');
  writeFileSync(path, saveOnnx(b.build()));
  return path;
}

async function capture(argv: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  try { await quantizeCommand(argv); } finally { spy.mockRestore(); }
  return out;
}

describe('tessera quantize', () => {
  const input = model();

  it('--int8 --report prints per-layer NMSE, sizes, cosine and top-1 agreement, and -o writes a model onnxruntime runs', async () => {
    const outPath = join(dir, 'int8.onnx');
    const text = await capture([input, '--int8', '--report', '--samples', '3', '-o', outPath]);
    expect(text).toMatch(/quantized: int8 per channel, activations int8-dynamic for MatMul\/Gemm, float32 for Conv/);
    expect(text).toMatch(/weight NMSE/);
    expect(text).toMatch(/gemm\s+Gemm\s+\[10, 64\]\s+int8\s+\d\.\d\de-5/);
    expect(text).toMatch(/weights \(in memory\)/);
    expect(text).toMatch(/ONNX file/);
    expect(text).toMatch(/output cosine similarity\s+mean 0\.99\d+/);
    expect(text).toMatch(/top-1 agreement\s+\d+\.\d%/);
    const r = await runOrt(new Uint8Array(readFileSync(outPath)), { x: normalTensor([2, 3, 8, 8], 9) as Tensor });
    expect(r.logits.dims).toEqual([2, 10]);
  });

  it('--int4 --group 64 --json gives the layers as JSON', async () => {
    const s = JSON.parse(await capture([input, '--int4', '--group', '64', '--json']));
    expect(s.format).toBe('int4 group 64, activations int8-dynamic for MatMul/Gemm, float32 for Conv');
    expect(s.layers.map((l: { format: string }) => l.format)).toEqual(['int8', 'int8', 'int4']); // K = 27 and 32 are below the group
    expect(s.weightBytesAfter).toBeLessThan(s.weightBytesBefore * 0.3);
  });

  it('rejects missing or conflicting formats and bad group sizes', async () => {
    await expect(quantizeCommand([input])).rejects.toThrow(/exactly one of --int8 or --int4/);
    await expect(quantizeCommand([input, '--int8', '--int4'])).rejects.toThrow(/exactly one of --int8 or --int4/);
    await expect(quantizeCommand([input, '--int4', '--group', '48'])).rejects.toThrow(/--group must be one of 32, 64, 128, got '48'/);
    await expect(quantizeCommand([input, '--int8', '--group', '32'])).rejects.toThrow(/applies to int4 weights only/);
    await expect(quantizeCommand([input, '--int8', '--keep-first-layers', 'two'])).rejects.toThrow(/--keep-first-layers must be a whole number >= 0, got 'two'/);
  });

  it('--keep-first-layers keeps the first weight layers in float', async () => {
    const s = JSON.parse(await capture([input, '--int8', '--keep-first-layers', '2', '--bias-correction', '--json']));
    expect(s.layers.map((l: { format: string }) => l.format)).toEqual(['float', 'float', 'int8']);
  });
});
