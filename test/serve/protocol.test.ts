import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { f32ToF16 } from '../../src/dtype.js';
import { decodeInferResponse, encodeInferRequest, encodeInferResponse, modelMetadata, parseInferRequest, ProtocolError, readNpy, writeNpy } from '../../src/serve/index.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('KServe v2 request parsing', () => {
  it('reads flat and nested JSON data of every datatype', () => {
    const r = parseInferRequest(enc({
      id: 'r1',
      inputs: [
        { name: 'a', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4.5]] },
        { name: 'b', shape: [3], datatype: 'INT64', data: [1, -2, '9007199254740993'] },
        { name: 'c', shape: [2], datatype: 'BOOL', data: [true, false] },
        { name: 'd', shape: [1], datatype: 'FP16', data: [0.5] },
        { name: 'e', shape: [2], datatype: 'UINT8', data: [0, 255] },
        { name: 'f', shape: [2], datatype: 'INT8', data: [-128, 127] },
        { name: 'g', shape: [1], datatype: 'INT32', data: [-7] },
      ],
    }));
    expect(r.id).toBe('r1');
    expect(r.inputs.a.dtype).toBe('float32');
    expect(r.inputs.a.toArray()).toEqual([1, 2, 3, 4.5]);
    expect(r.inputs.a.shape).toEqual([2, 2]);
    expect(Array.from(r.inputs.b.data as BigInt64Array)).toEqual([1n, -2n, 9007199254740993n]);
    expect(r.inputs.c.toArray()).toEqual([1, 0]);
    expect(r.inputs.d.data[0]).toBe(f32ToF16(0.5));
    expect(r.inputs.e.toArray()).toEqual([0, 255]);
    expect(r.inputs.f.toArray()).toEqual([-128, 127]);
    expect(r.inputs.g.dtype).toBe('int32');
  });

  it('reads the binary tensor extension (unaligned offsets included)', () => {
    const a = new Tensor('int8', [3], [1, -2, 3]);
    const b = new Tensor('float32', [2, 2], [1.5, -2.5, 3.25, 4]);
    const { body, headers } = encodeInferRequest({ a, b }, { binary: true });
    const r = parseInferRequest(body, Number(headers['inference-header-content-length']));
    expect(r.inputs.a.toArray()).toEqual([1, -2, 3]);
    expect(r.inputs.b.toArray()).toEqual([1.5, -2.5, 3.25, 4]);
    expect(r.inputs.b.shape).toEqual([2, 2]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['no inputs', { inputs: [] }, /non-empty "inputs" array/],
    ['unsupported datatype', { inputs: [{ name: 'x', shape: [1], datatype: 'FP64', data: [1] }] }, /input 'x': unsupported datatype "FP64"; supported: FP32, FP16/],
    ['element count', { inputs: [{ name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] }, /input 'x': shape \[2, 3\] needs 6 elements but "data" has 5/],
    ['bad shape', { inputs: [{ name: 'x', shape: [-1], datatype: 'FP32', data: [] }] }, /"shape" must be an array of non-negative integers/],
    ['string in FP32', { inputs: [{ name: 'x', shape: [2], datatype: 'FP32', data: [1, 'a'] }] }, /data\[1\] is "a", expected a number for FP32/],
    ['INT8 range', { inputs: [{ name: 'x', shape: [1], datatype: 'INT8', data: [300] }] }, /data\[0\] is 300, expected an integer in \[-128, 127\]/],
    ['fraction in INT32', { inputs: [{ name: 'x', shape: [1], datatype: 'INT32', data: [1.5] }] }, /expected an integer/],
    ['duplicate input', { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }, { name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }, /input 'x' is given twice/],
    ['no data', { inputs: [{ name: 'x', shape: [1], datatype: 'FP32' }] }, /neither "data" nor parameters.binary_data_size/],
    ['classification', { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }], outputs: [{ name: 'y', parameters: { classification: 3 } }] }, /classification extension is not supported/],
  ];
  for (const [what, body, msg] of bad) {
    it(`rejects ${what} with a ProtocolError (HTTP 400)`, () => {
      let err: unknown;
      try { parseInferRequest(enc(body)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).status).toBe(400);
      expect((err as Error).message).toMatch(msg);
    });
  }

  it('rejects malformed JSON and inconsistent binary sizes', () => {
    expect(() => parseInferRequest(new TextEncoder().encode('{"inputs": [}'))).toThrow(/malformed JSON in the request body/);
    const { body, headers } = encodeInferRequest({ x: new Tensor('float32', [2], [1, 2]) }, { binary: true });
    const hl = Number(headers['inference-header-content-length']);
    expect(() => parseInferRequest(body.subarray(0, body.length - 1), hl)).toThrow(/binary data runs past the end/);
    expect(() => parseInferRequest(body, body.length + 5)).toThrow(/Inference-Header-Content-Length is \d+ but the body has/);
    const extra = new Uint8Array(body.length + 4);
    extra.set(body);
    expect(() => parseInferRequest(extra, hl)).toThrow(/carries 12 bytes of binary tensor data but the inputs declare 8/);
  });
});

describe('KServe v2 responses', () => {
  const outputs = { y: new Tensor('float32', [2], [0.5, -1]), m: new Tensor('bool', [2], [1, 0]), i: new Tensor('int64', [1], [7n]) };
  it('encodes JSON outputs that the client decodes back', () => {
    const { body, headers } = encodeInferResponse('m1', 'abc', outputs, { binary: {}, binaryDefault: false });
    expect(headers['content-type']).toBe('application/json');
    const json = JSON.parse(new TextDecoder().decode(body));
    expect(json).toEqual({ model_name: 'm1', model_version: '1', id: 'abc', outputs: [
      { name: 'y', datatype: 'FP32', shape: [2], data: [0.5, -1] },
      { name: 'm', datatype: 'BOOL', shape: [2], data: [true, false] },
      { name: 'i', datatype: 'INT64', shape: [1], data: [7] },
    ] });
  });
  it('encodes selected outputs as binary data', () => {
    const { body, headers } = encodeInferResponse('m1', undefined, outputs, { names: ['i', 'y'], binary: { y: true }, binaryDefault: false });
    const hl = Number(headers['inference-header-content-length']);
    expect(headers['content-type']).toBe('application/octet-stream');
    const { response, outputs: back } = decodeInferResponse(body, hl);
    expect(response.outputs.map((o) => o.name)).toEqual(['i', 'y']);
    expect(response.outputs[1].parameters).toEqual({ binary_data_size: 8 });
    expect(back.y.toArray()).toEqual([0.5, -1]);
    expect(Array.from(back.i.data as BigInt64Array)).toEqual([7n]);
  });
  it('describes models with -1 for symbolic dimensions', () => {
    expect(modelMetadata('m', [{ name: 'x', dtype: 'float32', shape: ['N', 3] }], [{ name: 'y', dtype: 'int64', shape: [2] }])).toEqual({
      name: 'm', versions: ['1'], platform: 'tessera',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'y', datatype: 'INT64', shape: [2] }],
    });
  });
});

describe('.npy files', () => {
  it('round-trips every dtype', () => {
    const ts = [
      new Tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]), new Tensor('int64', [2], [5n, -6n]), new Tensor('uint8', [1, 1, 2], [0, 255]),
      new Tensor('float16', [1], [f32ToF16(1.5)]), new Tensor('bool', [3], [1, 0, 1]), new Tensor('int32', [], [42]), new Tensor('int8', [0, 2]),
    ];
    for (const t of ts) {
      const bytes = writeNpy(t);
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      const back = readNpy(bytes);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
    }
  });
  it('reads float64 as float32 and rejects what it cannot read', () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const pad = ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const h = header + pad;
    const bytes = new Uint8Array(10 + h.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, h.length, true);
    for (let i = 0; i < h.length; i++) bytes[10 + i] = h.charCodeAt(i);
    new Float64Array(bytes.buffer, 10 + h.length, 2).set([0.25, -3]);
    const t = readNpy(bytes);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([0.25, -3]);
    expect(() => readNpy(new Uint8Array(20))).toThrow(/not a .npy file/);
    expect(() => readNpy(writeNpy(new Tensor('float32', [4])).subarray(0, 134))).toThrow(/needs 16 data bytes but the file has 6/);
    const be = writeNpy(new Tensor('float32', [1]));
    be.set(new TextEncoder().encode("'>f4'"), 10 + "{'descr': ".length);
    expect(() => readNpy(be)).toThrow(/unsupported dtype '>f4' \(big-endian/);
  });
});
