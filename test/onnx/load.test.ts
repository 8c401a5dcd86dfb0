import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../../src/index.js';
import { loadOnnx, OnnxError } from '../../src/onnx/index.js';
import { f32ToF16 } from '../../src/dtype.js';
import { Writer } from '../../src/onnx/protobuf.js';
import {
  attribute, BOOL, FLOAT, FLOAT16, graph, INT32, INT64, INT8, model, node, sparseTensor, tensorProto, UINT8, valueInfo,
} from './fixtures.js';

/** One initializer fed through Identity, so the model is complete and valid. */
function withInit(t: Writer, name: string, elemType: number, dims: number[]): Uint8Array {
  return model(graph({
    nodes: [node('Identity', [name], ['y'])], initializers: [t],
    outputs: [valueInfo('y', elemType, dims)],
  }));
}

describe('loadOnnx: typed data fields (exporters that do not use raw_data)', () => {
  it('float_data, packed and unpacked', () => {
    for (const unpacked of [false, true]) {
      const g = loadOnnx(withInit(tensorProto({ name: 'w', dims: [2, 2], dataType: FLOAT, floatData: [1.5, -2, 0.25, 3e38], unpacked }), 'w', FLOAT, [2, 2]));
      const w = g.initializers.get('w') as Tensor;
      expect(w.dtype).toBe('float32');
      expect(w.shape).toEqual([2, 2]);
      expect(Array.from(w.data as Float32Array)).toEqual([1.5, -2, 0.25, Math.fround(3e38)]);
    }
  });

  it('int64_data keeps full int64 values, including negatives and INT64_MAX', () => {
    const vals = [0n, -1n, 9223372036854775807n, -9223372036854775808n, 123456789012n];
    for (const unpacked of [false, true]) {
      const g = loadOnnx(withInit(tensorProto({ name: 'i', dims: [5], dataType: INT64, int64Data: vals, unpacked }), 'i', INT64, [5]));
      const t = g.initializers.get('i') as Tensor<'int64'>;
      expect(t.data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(t.data)).toEqual(vals);
    }
  });

  it('int32_data carries int32, int8, uint8, bool and float16 bits', () => {
    const half = [1, -2.5, 65504, 0.000061035].map(f32ToF16);
    const cases: [number, string, number[], number[]][] = [
      [INT32, 'int32', [-2147483648, 2147483647, 0, 7], [-2147483648, 2147483647, 0, 7]],
      [INT8, 'int8', [-128, 127, -1, 0], [-128, 127, -1, 0]],
      [UINT8, 'uint8', [0, 255, 1, 128], [0, 255, 1, 128]],
      [BOOL, 'bool', [0, 1, 1, 0], [0, 1, 1, 0]],
      [FLOAT16, 'float16', half, half],
    ];
    for (const [code, dtype, stored, expected] of cases) {
      const g = loadOnnx(withInit(tensorProto({ name: 'v', dims: [4], dataType: code, int32Data: stored }), 'v', code, [4]));
      const t = g.initializers.get('v') as Tensor;
      expect(t.dtype).toBe(dtype);
      expect(Array.from(t.data as Int32Array)).toEqual(expected);
    }
  });

  it('a typed-field model runs', async () => {
    const bytes = model(graph({
      nodes: [node('Add', ['x', 'b'], ['y'])],
      initializers: [tensorProto({ name: 'b', dims: [3], dataType: FLOAT, floatData: [10, 20, 30] })],
      inputs: [valueInfo('x', FLOAT, ['n', 3])], outputs: [valueInfo('y', FLOAT, ['n', 3])],
    }));
    const s = await InferenceSession.create(bytes);
    const out = await s.run({ x: new Tensor('float32', [1, 3], [1, 2, 3]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, 22, 33]);
  });
});

describe('loadOnnx: raw_data', () => {
  it('is a zero-copy view when aligned and a copy when not', () => {
    const raw = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const bytes = withInit(tensorProto({ name: 'w', dims: [4], dataType: FLOAT, raw }), 'w', FLOAT, [4]);
    for (let pad = 0; pad < 4; pad++) {
      const buf = new Uint8Array(bytes.length + pad);
      buf.set(bytes, pad);
      const input = buf.subarray(pad);
      const w = loadOnnx(input).initializers.get('w') as Tensor<'float32'>;
      expect(Array.from(w.data)).toEqual([1, 2, 3, 4]);
      const aligned = (input.byteOffset + findBytes(input, raw)) % 4 === 0;
      expect(w.data.buffer === input.buffer).toBe(aligned);
    }
  });

  it('inPlace moves unaligned weights inside the buffer instead of copying', () => {
    const raw = new Uint8Array(new BigInt64Array([5n, -6n, 7n]).buffer);
    const bytes = withInit(tensorProto({ name: 'i', dims: [3], dataType: INT64, raw }), 'i', INT64, [3]);
    for (let pad = 0; pad < 8; pad++) {
      const buf = new Uint8Array(bytes.length + pad);
      buf.set(bytes, pad);
      const t = loadOnnx(buf.subarray(pad), { inPlace: true }).initializers.get('i') as Tensor<'int64'>;
      expect(Array.from(t.data)).toEqual([5n, -6n, 7n]);
      expect(t.data.buffer).toBe(buf.buffer);
    }
  });

  it('bool bytes other than 0/1 are normalized', () => {
    const g = loadOnnx(withInit(tensorProto({ name: 'b', dims: [3], dataType: BOOL, raw: Uint8Array.of(0, 7, 1) }), 'b', BOOL, [3]));
    expect(Array.from((g.initializers.get('b') as Tensor).data as Uint8Array)).toEqual([0, 1, 1]);
  });
});

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('loadOnnx: external data', () => {
  const weights = new Float32Array([0, 0, 1, 2, 3, 4]);
  const file = new Uint8Array(weights.buffer);
  const bytes = withInit(tensorProto({ name: 'w', dims: [2, 2], dataType: FLOAT, external: { location: 'weights.bin', offset: '8', length: '16' } }), 'w', FLOAT, [2, 2]);

  it('reads the bytes the callback gives, at the offset and length the tensor names', () => {
    const asked: string[] = [];
    const g = loadOnnx(bytes, { externalData: (loc) => { asked.push(loc); return file; } });
    const w = g.initializers.get('w') as Tensor<'float32'>;
    expect(Array.from(w.data)).toEqual([1, 2, 3, 4]);
    expect(w.data.buffer).toBe(file.buffer);
    expect(asked).toEqual(['weights.bin']);
  });

  it('without a callback, the error names the tensor and the file', () => {
    expect(() => loadOnnx(bytes)).toThrow(OnnxError);
    expect(() => loadOnnx(bytes)).toThrow(/initializer 'w': its data is in the external file 'weights.bin'; pass loadOnnx\(bytes, \{ externalData/);
  });

  it('a range past the end of the file is an error', () => {
    expect(() => loadOnnx(bytes, { externalData: () => file.subarray(0, 20) })).toThrow(/external data \[8, 24\) lies past the end of 'weights.bin' \(20 bytes\)/);
  });
});

describe('loadOnnx: graph structure', () => {
  it('reads names, domains, attributes of every kind, shapes and metadata', () => {
    const bytes = model(graph({
      name: 'net',
      nodes: [
        node('Custom', ['x'], ['y'], {
          name: 'c', domain: 'com.microsoft', attrs: [
            attribute({ name: 'f', type: 1, f: 0.5 }), attribute({ name: 'i', type: 2, i: -3 }),
            attribute({ name: 'big', type: 2, i: 9223372036854775807n }), attribute({ name: 's', type: 3, s: 'héllo' }),
            attribute({ name: 't', type: 4, t: tensorProto({ name: '', dims: [2], dataType: INT64, int64Data: [1, 2] }) }),
            attribute({ name: 'fs', type: 6, floats: [1, 2.5] }), attribute({ name: 'is', type: 7, ints: [1, -1, -9223372036854775808n], packed: true }),
            attribute({ name: 'ss', type: 8, strings: ['a', 'b'] }), attribute({ name: 'legacy', f: 2 }),
          ],
        }),
        node('Relu', ['y'], ['z']),
      ],
      inputs: [valueInfo('x', FLOAT, ['batch', 3, null])], outputs: [valueInfo('z', FLOAT, null)],
    }), { domains: [['com.microsoft', 1]], metadata: { author: 'me' } });
    const g = loadOnnx(bytes);
    expect(g.name).toBe('net');
    expect(g.opset).toBe(17);
    expect(g.metadata).toMatchObject({ author: 'me', producer_name: 'fixture-writer', ir_version: '8' });
    expect(g.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 3, '?'] }]);
    expect(g.outputs).toEqual([{ name: 'z', dtype: 'float32', shape: [] }]);
    const [c, relu] = g.nodes;
    expect(relu).toEqual({ name: 'Relu_1', op: 'Relu', inputs: ['y'], outputs: ['z'], attrs: {} });
    expect(c.domain).toBe('com.microsoft');
    const { t, ...rest } = c.attrs;
    expect(rest).toEqual({ f: 0.5, i: -3, big: 2147483647, s: 'héllo', fs: [1, 2.5], is: [1, -1, -2147483648], ss: ['a', 'b'], legacy: 2 });
    expect(t).toBeInstanceOf(Tensor);
    expect(Array.from((t as Tensor<'int64'>).data)).toEqual([1n, 2n]);
  });

  it("names like '__proto__' are plain keys, not prototypes", () => {
    const bytes = model(graph({
      nodes: [node('Custom', ['x'], ['y'], { domain: 'com.example', attrs: [attribute({ name: '__proto__', type: 4, t: tensorProto({ name: '', dims: [1], dataType: FLOAT, floatData: [1] }) })] })],
      inputs: [valueInfo('x', FLOAT, [1])], outputs: [valueInfo('y', FLOAT, [1])],
    }), { domains: [['com.example', 1]], metadata: Object.fromEntries([['__proto__', 'meta']]) });
    const g = loadOnnx(bytes);
    const attrs = g.nodes[0].attrs;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(['__proto__']);
    expect(Object.prototype.hasOwnProperty.call(attrs, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(g.metadata, '__proto__')?.value).toBe('meta');
  });

  it('unknown ops load; InferenceSession.create lists them all', async () => {
    const bytes = model(graph({
      nodes: [node('FancyOp', ['x'], ['y'], { domain: 'com.microsoft' }), node('OtherOp', ['y'], ['z'])],
      inputs: [valueInfo('x', FLOAT, [1])], outputs: [valueInfo('z', FLOAT, [1])],
    }), { domains: [['com.microsoft', 1]] });
    expect(loadOnnx(bytes).nodes.map((n) => n.op)).toEqual(['FancyOp', 'OtherOp']);
    await expect(InferenceSession.create(bytes)).rejects.toThrow(/FancyOp \(domain com\.microsoft[^]*OtherOp \(domain ai\.onnx/);
  });

  it('inputs that are also initializers (old exporters) are weights, not inputs', () => {
    const bytes = model(graph({
      nodes: [node('Add', ['x', 'b'], ['y'])],
      initializers: [tensorProto({ name: 'b', dims: [1], dataType: FLOAT, floatData: [1] })],
      inputs: [valueInfo('x', FLOAT, [1]), valueInfo('b', FLOAT, [1])], outputs: [valueInfo('y', FLOAT, [1])],
    }));
    const g = loadOnnx(bytes);
    expect(g.inputs.map((v) => v.name)).toEqual(['x']);
    expect([...g.initializers.keys()]).toEqual(['b']);
  });

  it('sparse initializers become dense tensors (linear and coordinate indices)', () => {
    const values = () => tensorProto({ name: 's', dims: [2], dataType: FLOAT, floatData: [5, 7] });
    const linear = sparseTensor(values(), tensorProto({ name: '', dims: [2], dataType: INT64, int64Data: [1, 5] }), [2, 3]);
    const coords = sparseTensor(values(), tensorProto({ name: '', dims: [2, 2], dataType: INT64, int64Data: [0, 1, 1, 2] }), [2, 3]);
    for (const sp of [linear, coords]) {
      const g = loadOnnx(model(graph({ nodes: [node('Identity', ['s'], ['y'])], sparse: [sp], outputs: [valueInfo('y', FLOAT, [2, 3])] })));
      const t = g.initializers.get('s') as Tensor<'float32'>;
      expect(t.shape).toEqual([2, 3]);
      expect(Array.from(t.data)).toEqual([0, 5, 0, 0, 0, 7]);
    }
    const bad = sparseTensor(values(), tensorProto({ name: '', dims: [2], dataType: INT64, int64Data: [1, 6] }), [2, 3]);
    expect(() => loadOnnx(model(graph({ sparse: [bad], outputs: [valueInfo('s', FLOAT, [2, 3])] })))).toThrow(/index 1 points outside \[2, 3\]/);
  });

  it('accepts opsets 13 to 21 and the ai.onnx domain spelled out', () => {
    const g = () => graph({ nodes: [node('Relu', ['x'], ['y'], { domain: 'ai.onnx' })], inputs: [valueInfo('x', FLOAT, [1])], outputs: [valueInfo('y', FLOAT, [1])] });
    for (const opset of [13, 17, 21]) expect(loadOnnx(model(g(), { opset })).opset).toBe(opset);
    const viaName = loadOnnx(model(g(), { opset: null, domains: [['ai.onnx', 18]] }));
    expect(viaName.opset).toBe(18);
    expect(viaName.nodes[0].domain).toBeUndefined();
  });
});
