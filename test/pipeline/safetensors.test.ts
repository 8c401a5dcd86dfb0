import { describe, expect, it } from 'vitest';
import { f32ToF16 } from '../../src/dtype.js';
import { loadSafetensors, parseSafetensors, saveSafetensors, SafetensorsError } from '../../src/models/safetensors.js';
import { Tensor } from '../../src/tensor.js';

/** Builds a safetensors file by hand: u64 LE header length, JSON header (padded with `pad` spaces), data. */
function file(header: unknown, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian byte writer for the data section. */
function bytes(writers: ((dv: DataView, at: number) => number)[]): Uint8Array {
  const buf = new Uint8Array(256), dv = new DataView(buf.buffer);
  let at = 0;
  for (const w of writers) at = w(dv, at);
  return buf.slice(0, at);
}
const f32 = (...v: number[]) => (dv: DataView, at: number) => { v.forEach((x, i) => dv.setFloat32(at + 4 * i, x, true)); return at + 4 * v.length; };
const f64 = (...v: number[]) => (dv: DataView, at: number) => { v.forEach((x, i) => dv.setFloat64(at + 8 * i, x, true)); return at + 8 * v.length; };
const i64 = (...v: bigint[]) => (dv: DataView, at: number) => { v.forEach((x, i) => dv.setBigInt64(at + 8 * i, x, true)); return at + 8 * v.length; };
const u16 = (...v: number[]) => (dv: DataView, at: number) => { v.forEach((x, i) => dv.setUint16(at + 2 * i, x, true)); return at + 2 * v.length; };
const u8 = (...v: number[]) => (dv: DataView, at: number) => { v.forEach((x, i) => dv.setUint8(at + i, x)); return at + v.length; };

describe('loadSafetensors', () => {
  // Data layout (byte offsets): f64 [0,16) i64 [16,40) f32 [40,56) bf16 [56,60) f16 [60,62) i32? no; bool [62,65) u8 [65,65) i8 [65,67).
  const data = bytes([f64(1.5, -2.25), i64(-3n, 0n, 9007199254740993n), f32(1, 2, 3, 4), u16(0x3fc0, 0xc2f7), u16(f32ToF16(0.5)), u8(1, 0, 1), u8(0xff, 0x7f)]);
  const header = {
    __metadata__: { format: 'pt', note: 'hand-built' },
    dbl: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
    ids: { dtype: 'I64', shape: [3], data_offsets: [16, 40] },
    w: { dtype: 'F32', shape: [2, 2], data_offsets: [40, 56] },
    bf: { dtype: 'BF16', shape: [2], data_offsets: [56, 60] },
    half: { dtype: 'F16', shape: [1, 1], data_offsets: [60, 62] },
    mask: { dtype: 'BOOL', shape: [3], data_offsets: [62, 65] },
    empty: { dtype: 'U8', shape: [0, 4], data_offsets: [65, 65] },
    q: { dtype: 'I8', shape: [2], data_offsets: [65, 67] },
  };

  it('reads every supported dtype with its shape and values', () => {
    const { tensors, metadata } = parseSafetensors(file(header, data));
    expect(metadata).toEqual({ format: 'pt', note: 'hand-built' });
    expect([...tensors.keys()].sort()).toEqual(['bf', 'dbl', 'empty', 'half', 'ids', 'mask', 'q', 'w']);
    const t = (n: string) => tensors.get(n)!;
    expect([t('dbl').dtype, t('dbl').toArray()]).toEqual(['float32', [1.5, -2.25]]);
    expect(t('ids').dtype).toBe('int64');
    expect(Array.from(t('ids').data as BigInt64Array)).toEqual([-3n, 0n, 9007199254740993n]);
    expect([t('w').dtype, t('w').shape, t('w').toArray()]).toEqual(['float32', [2, 2], [1, 2, 3, 4]]);
    // bf16 0x3fc0 = 1.5, 0xc2f7 = -123.5.
    expect([t('bf').dtype, t('bf').toArray()]).toEqual(['float32', [1.5, -123.5]]);
    expect([t('half').dtype, t('half').shape, Array.from(t('half').data as Uint16Array)]).toEqual(['float16', [1, 1], [f32ToF16(0.5)]]);
    expect([t('mask').dtype, t('mask').toArray()]).toEqual(['bool', [1, 0, 1]]);
    expect([t('empty').dtype, t('empty').shape, t('empty').size]).toEqual(['uint8', [0, 4], 0]);
    expect([t('q').dtype, t('q').toArray()]).toEqual(['int8', [-1, 127]]);
  });

  it('views aligned data without copying and copies unaligned data correctly', () => {
    // Header padded so the data starts at a multiple of 8.
    const headerLen = new TextEncoder().encode(JSON.stringify(header)).length;
    const aligned = file(header, data, (8 - ((8 + headerLen) % 8)) % 8);
    const a = loadSafetensors(aligned);
    expect(a.get('w')!.data.buffer).toBe(aligned.buffer);
    expect(a.get('ids')!.data.buffer).toBe(aligned.buffer);
    // One extra space: every multi-byte tensor is now misaligned and must be copied.
    const unaligned = file(header, data, ((8 - ((8 + headerLen) % 8)) % 8) + 1);
    const u = loadSafetensors(unaligned);
    expect(u.get('w')!.data.buffer).not.toBe(unaligned.buffer);
    expect(u.get('w')!.toArray()).toEqual([1, 2, 3, 4]);
    expect(Array.from(u.get('ids')!.data as BigInt64Array)).toEqual([-3n, 0n, 9007199254740993n]);
    // A Uint8Array that is itself a window into a larger buffer.
    const big = new Uint8Array(aligned.length + 3);
    big.set(aligned, 3);
    expect(loadSafetensors(big.subarray(3)).get('w')!.toArray()).toEqual([1, 2, 3, 4]);
  });

  it('rejects malformed files with the tensor and the problem named', () => {
    const one = (entry: unknown, d = new Uint8Array(16)) => () => loadSafetensors(file({ x: entry }, d));
    expect(() => loadSafetensors(new Uint8Array(5))).toThrow(/5 bytes, too short/);
    const lying = new Uint8Array(16);
    new DataView(lying.buffer).setBigUint64(0, 1000n, true);
    expect(() => loadSafetensors(lying)).toThrow(/header length 1000 runs past the end of the file \(8 bytes/);
    const notJson = file({}, new Uint8Array(0));
    notJson[8] = 0x41;
    expect(() => loadSafetensors(notJson)).toThrow(/header is not valid UTF-8 JSON/);
    expect(() => loadSafetensors(file([1, 2], new Uint8Array(0)))).toThrow(/header must be a JSON object/);
    expect(one({ dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] })).toThrow(/tensor "x": unsupported dtype F8_E4M3; supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL/);
    expect(one({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] })).toThrow(/tensor "x": shape must be an array of non-negative integers, got \[-1\]/);
    expect(one({ dtype: 'F32', shape: [1.5], data_offsets: [0, 4] })).toThrow(/tensor "x": shape must be/);
    expect(one({ dtype: 'F32', shape: [2], data_offsets: [8] })).toThrow(/tensor "x": data_offsets must be \[begin, end\]/);
    expect(one({ dtype: 'F32', shape: [2], data_offsets: [8, 4] })).toThrow(/tensor "x": data_offsets \[8, 4\] has begin after end/);
    expect(one({ dtype: 'F32', shape: [8], data_offsets: [0, 32] })).toThrow(/tensor "x": data_offsets \[0, 32\] run past the 16-byte data buffer/);
    expect(one({ dtype: 'F32', shape: [3], data_offsets: [0, 8] })).toThrow(/tensor "x": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/);
    expect(one({ dtype: 'BOOL', shape: [2], data_offsets: [0, 2] }, Uint8Array.from([1, 2]))).toThrow(/tensor "x" is BOOL but byte 1 holds 2/);
    expect(one('nope')).toThrow(/tensor "x": entry must be an object/);
    expect(() => loadSafetensors(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(16))))
      .toThrow(/tensor "b" bytes \[4, 12\) overlap tensor "a" \[0, 8\)/);
    expect(() => loadSafetensors(file({ __metadata__: { n: 1 } }, new Uint8Array(0)))).toThrow(/__metadata__\["n"\] must be a string/);
    expect(() => loadSafetensors(file({}, new Uint8Array(0)))).not.toThrow();
    expect(SafetensorsError.name).toBe('SafetensorsError');
  });
});

describe('saveSafetensors', () => {
  it('round-trips every dtype, shape and value, with metadata, zero-copy on reload', () => {
    const tensors = new Map<string, Tensor>([
      ['a.weight', new Tensor('float32', [2, 3], [1, -2, 3.5, 0, 1e-8, -0])],
      ['ids', new Tensor('int64', [2], [5, -7])],
      ['h', new Tensor('float16', [3], Uint16Array.from([0x3c00, 0x7c00, 0x8001]))],
      ['n', new Tensor('int32', [1], [2147483647])],
      ['q', new Tensor('int8', [3], [-128, 0, 127])],
      ['u', new Tensor('uint8', [2], [0, 255])],
      ['m', new Tensor('bool', [2], [1, 0])],
      ['z', new Tensor('float32', [0, 5])],
    ]);
    const bytesOut = saveSafetensors(tensors, { format: 'pt' });
    const headerLen = Number(new DataView(bytesOut.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const back = parseSafetensors(bytesOut);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect([...back.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      const r = back.tensors.get(name)!;
      expect([r.dtype, r.shape], name).toEqual([t.dtype, t.shape]);
      expect(Array.from(r.data as ArrayLike<number | bigint>), name).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
      if (t.size > 0) expect(r.data.buffer, name).toBe(bytesOut.buffer);
    }
    expect(Object.is(back.tensors.get('a.weight')!.data[5], -0)).toBe(true);
  });
  it('accepts a plain record and rejects non-tensors and the reserved name', () => {
    expect(loadSafetensors(saveSafetensors({ x: new Tensor('float32', [1], [4]) })).get('x')!.toArray()).toEqual([4]);
    expect(() => saveSafetensors({ x: [1, 2] as unknown as Tensor })).toThrow(/value for "x" is not a Tensor/);
    expect(() => saveSafetensors({ __metadata__: new Tensor('float32', [1]) })).toThrow(/"__metadata__" is reserved/);
  });
});
