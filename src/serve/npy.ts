import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';

/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian, C order.
 * float64 files are read as float32 because Tessera has no float64 tensors and
 * `np.save(np.random.rand(...))` is the commonest way such a file is made.
 */
const DESCR: Record<string, DType> = {
  '<f4': 'float32', '<f2': 'float16', '<i4': 'int32', '<i8': 'int64',
  '|i1': 'int8', '<i1': 'int8', '|u1': 'uint8', '<u1': 'uint8', '|b1': 'bool', '<b1': 'bool',
};
const WRITE_DESCR: Record<DType, string> = {
  float32: '<f4', float16: '<f2', int32: '<i4', int64: '<i8', int8: '|i1', uint8: '|u1', bool: '|b1',
};
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export class NpyError extends Error {
  override name = 'NpyError';
}

/** Parse .npy bytes into a Tensor (data copied, so the result owns aligned storage). */
export function readNpy(bytes: Uint8Array, what = '.npy data'): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(`${what}: not a .npy file (missing \\x93NUMPY magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, start: number;
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${what}: truncated header`);
    headerLen = view.getUint32(8, true); start = 12;
  } else throw new NpyError(`${what}: unsupported .npy format version ${major}.${bytes[7]}`);
  if (start + headerLen > bytes.length) throw new NpyError(`${what}: header of ${headerLen} bytes runs past the end of the file`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(`${what}: malformed header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new NpyError(`${what}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const d = Number(s.replace(/L$/, ''));
    if (!Number.isInteger(d) || d < 0) throw new NpyError(`${what}: bad dimension '${s}' in shape (${shapeText})`);
    return d;
  });
  const size = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  if (descr === '<f8') {
    need(body, size * 8, what, descr, shape);
    const f64 = new Float64Array(copy(body, size * 8));
    return new Tensor('float32', shape, Float32Array.from(f64));
  }
  const dtype = DESCR[descr];
  if (!dtype) {
    const hint = descr.startsWith('>') ? ' (big-endian; convert with arr.astype(arr.dtype.newbyteorder("<")))' : '';
    throw new NpyError(`${what}: unsupported dtype '${descr}'${hint}; supported: ${Object.keys(DESCR).join(', ')}, <f8 (read as float32)`);
  }
  const width = dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'int64' ? 8 : dtype === 'float16' ? 2 : 1;
  need(body, size * width, what, descr, shape);
  const buf = copy(body, size * width);
  switch (dtype) {
    case 'float32': return new Tensor(dtype, shape, new Float32Array(buf));
    case 'float16': return new Tensor(dtype, shape, new Uint16Array(buf));
    case 'int32': return new Tensor(dtype, shape, new Int32Array(buf));
    case 'int64': return new Tensor(dtype, shape, new BigInt64Array(buf));
    case 'int8': return new Tensor(dtype, shape, new Int8Array(buf));
    default: return new Tensor(dtype, shape, new Uint8Array(buf));
  }
}

/** Serialize a Tensor as a version 1.0 .npy file. */
export function writeNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${WRITE_DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary, as NumPy does.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

function need(body: Uint8Array, bytes: number, what: string, descr: string, shape: number[]): void {
  if (body.length < bytes) throw new NpyError(`${what}: shape (${shape.join(', ')}) of ${descr} needs ${bytes} data bytes but the file has ${body.length}`);
}

/** A fresh, aligned ArrayBuffer holding the first `n` bytes. */
function copy(src: Uint8Array, n: number): ArrayBuffer {
  const out = new Uint8Array(n);
  out.set(src.subarray(0, n));
  return out.buffer;
}
