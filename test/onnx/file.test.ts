import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { OnnxError } from '../../src/onnx/index.js';
import { loadOnnxFile } from '../../src/onnx/file.js';
import { FLOAT, graph, model, node, tensorProto, valueInfo } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function externalModel(location: string): Uint8Array {
  return model(graph({
    nodes: [node('Identity', ['w'], ['y'])],
    initializers: [tensorProto({ name: 'w', dims: [3], dataType: FLOAT, external: { location, offset: '4', length: '12' } })],
    outputs: [valueInfo('y', FLOAT, [3])],
  }));
}

describe('loadOnnxFile (Node)', () => {
  it('reads external data next to the model', () => {
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(new Float32Array([9, 1, 2, 3]).buffer));
    writeFileSync(join(dir, 'model.onnx'), externalModel('weights.bin'));
    const g = loadOnnxFile(join(dir, 'model.onnx'));
    expect(Array.from((g.initializers.get('w') as Tensor<'float32'>).data)).toEqual([1, 2, 3]);
  });

  it('refuses locations outside the model directory and reports missing files', () => {
    writeFileSync(join(dir, 'escape.onnx'), externalModel('../secret.bin'));
    expect(() => loadOnnxFile(join(dir, 'escape.onnx'))).toThrow(OnnxError);
    expect(() => loadOnnxFile(join(dir, 'escape.onnx'))).toThrow(/initializer 'w': reading external data '\.\.\/secret\.bin' failed: the location must be a path inside/);
    writeFileSync(join(dir, 'missing.onnx'), externalModel('nope.bin'));
    expect(() => loadOnnxFile(join(dir, 'missing.onnx'))).toThrow(/reading external data 'nope\.bin' failed: ENOENT/);
  });
});
