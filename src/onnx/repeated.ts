import { I32, LEN, Reader, VARINT, wireName } from './protobuf.js';

/**
 * Repeated numeric fields (TensorProto float_data/int32_data/int64_data), packed or not, decoded
 * straight into typed arrays in two passes over the message: count, then fill. No per-element
 * JS arrays, so a 100 MB float_data costs 100 MB.
 */
export type Kind = 'varint' | 'f32';

type IntSink = Int32Array | Int8Array | Uint8Array | Uint16Array;
export type Sink = Float32Array | BigInt64Array | IntSink;

function checkWire(r: Reader, kind: Kind, name: string): void {
  const scalar = kind === 'f32' ? I32 : VARINT;
  if (r.wire !== scalar && r.wire !== LEN) r.fail(`${name} (field ${r.field}) has wire type ${wireName(r.wire)}, expected ${wireName(scalar)} or packed`);
}

/** Number of elements of repeated field `field` in `buf[start, end)`. */
export function countRepeated(buf: Uint8Array, start: number, end: number, field: number, kind: Kind, message: string, name: string): number {
  const r = new Reader(buf, start, end, message);
  let n = 0;
  while (r.more()) {
    r.next();
    if (r.field !== field) { r.skip(); continue; }
    checkWire(r, kind, name);
    if (r.wire !== LEN) { r.skip(); n++; continue; }
    const s = r.span(name), e = r.spanEnd;
    if (kind === 'f32') {
      if ((e - s) % 4) r.fail(`packed ${name} is ${e - s} bytes, not a multiple of 4`);
      n += (e - s) / 4;
    } else {
      for (let i = s; i < e; i++) if (buf[i] < 0x80) n++;
      if (e > s && buf[e - 1] >= 0x80) r.fail(`packed ${name} ends in the middle of a varint`, e - 1);
    }
  }
  return n;
}

/** Writes the elements counted by countRepeated into `out` (out.length of them). */
export function fillRepeated(buf: Uint8Array, start: number, end: number, field: number, kind: Kind, message: string, name: string, out: Sink, bool = false): void {
  const r = new Reader(buf, start, end, message);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // int64 goes in as two uint32 halves: no BigInt arithmetic (little-endian hosts, i.e. all of them).
  const halves = out instanceof BigInt64Array ? new Uint32Array(out.buffer, out.byteOffset, out.length * 2) : null;
  let i = 0;
  const put = (v: Reader): void => {
    if (halves) { halves[2 * i] = v.lo; halves[2 * i + 1] = v.hi; }
    else (out as IntSink)[i] = bool ? +(v.lo !== 0 || v.hi !== 0) : v.lo;
    i++;
  };
  while (r.more()) {
    r.next();
    if (r.field !== field) { r.skip(); continue; }
    if (r.wire === LEN) {
      const s = r.span(name), e = r.spanEnd;
      if (kind === 'f32') {
        const f = out as Float32Array;
        for (let p = s; p < e; p += 4) f[i++] = dv.getFloat32(p, true);
      } else {
        const sub = new Reader(buf, s, e, message);
        while (sub.more()) { sub.varint(); put(sub); }
      }
    } else if (kind === 'f32') (out as Float32Array)[i++] = r.float(name);
    else { r.varint(); put(r); }
  }
}
