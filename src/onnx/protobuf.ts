import { OnnxError } from './errors.js';

/**
 * Protobuf wire format, read and written by hand: the ONNX schema is small and fixed, and a
 * reader that knows it can hand out views into the input instead of copying weights.
 */
export const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', 'invalid (6)', 'invalid (7)'];
export const wireName = (w: number): string => WIRE_NAMES[w];

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Walks the fields of one message, `buf[start, end)`. Errors name the message and field. */
export class Reader {
  pos: number;
  /** The current field: its number, wire type, and where its tag starts. */
  field = 0;
  wire = 0;
  at = 0;
  /** Low and high 32 bits (unsigned) of the last varint. */
  lo = 0;
  hi = 0;
  /** End of the last length-delimited span (its start is what `span()` returned). */
  spanEnd = 0;

  constructor(readonly buf: Uint8Array, start: number, readonly end: number, readonly message: string) {
    this.pos = start;
  }

  more(): boolean { return this.pos < this.end; }

  fail(what: string, at = this.at): never {
    throw new OnnxError(`${this.message}: ${what}`, at);
  }

  /** Reads the next tag. */
  next(): void {
    this.at = this.pos;
    this.varint();
    const tag = this.lo;
    if (this.hi !== 0 || tag >>> 3 === 0) this.fail(`invalid field tag ${this.hi !== 0 ? 'over 32 bits' : `${tag} (field number 0)`}`);
    this.field = tag >>> 3;
    this.wire = tag & 7;
    if (this.wire !== VARINT && this.wire !== I64 && this.wire !== LEN && this.wire !== I32) {
      this.fail(`field ${this.field} has wire type ${wireName(this.wire)}, which ONNX never uses`);
    }
  }

  /** Fails unless the current field has the given wire type. */
  expect(wire: number, name: string): void {
    if (this.wire !== wire) this.fail(`${name} (field ${this.field}) has wire type ${wireName(this.wire)}, expected ${wireName(wire)}`);
  }

  /** A varint into lo/hi; at most 10 bytes, never past `end`. */
  varint(): void {
    const { buf, end } = this;
    let lo = 0, hi = 0, shift = 0, i = 0;
    for (;; i++) {
      if (this.pos >= end) this.fail(i ? 'varint runs past the end of its message (truncated?)' : 'field value missing: the message ends here (truncated?)', this.pos);
      const b = buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << shift;
      else if (i === 4) { lo |= (b & 0x0f) << 28; hi = (b & 0x70) >> 4; }
      else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (i === 9 && b > 1) this.fail(b & 0x80 ? 'varint longer than 10 bytes' : 'varint overflows 64 bits', this.pos - 1);
      if (!(b & 0x80)) break;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A varint as a signed int64, clamped to int32 (Tessera computes int64 in int32). */
  int32Clamped(): number {
    this.varint();
    return clampInt32(this.lo, this.hi);
  }

  /** A varint as an exact non-negative integer below 2^31, or a failure naming `name`. */
  size(name: string): number {
    this.varint();
    if (this.hi !== 0 || this.lo > 0x7fffffff) {
      const v = (this.hi | 0) < 0 ? `negative (${signed(this.lo, this.hi)})` : `${signed(this.lo, this.hi)}, over 2^31 - 1`;
      this.fail(`${name} is ${v}`);
    }
    return this.lo;
  }

  /** A length-delimited field's bytes: returns the start, sets spanEnd. */
  span(name: string): number {
    this.expect(LEN, name);
    const at = this.pos;
    this.varint();
    if (this.hi !== 0 || this.lo > this.end - this.pos) {
      this.fail(`${name} (field ${this.field}) claims ${signed(this.lo, this.hi)} bytes but only ${this.end - this.pos} remain in its message (truncated?)`, at);
    }
    const start = this.pos;
    this.pos += this.lo;
    this.spanEnd = this.pos;
    return start;
  }

  string(name: string): string {
    const start = this.span(name);
    return decoder.decode(this.buf.subarray(start, this.spanEnd));
  }

  float(name: string): number {
    this.expect(I32, name);
    if (this.end - this.pos < 4) this.fail(`${name} needs 4 bytes, only ${this.end - this.pos} remain (truncated?)`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Skips the current field, whatever it is. */
  skip(): void {
    switch (this.wire) {
      case VARINT: this.varint(); return;
      case LEN: this.span(`field ${this.field}`); return;
      default: {
        const n = this.wire === I64 ? 8 : 4;
        if (this.end - this.pos < n) this.fail(`field ${this.field} needs ${n} bytes, only ${this.end - this.pos} remain (truncated?)`);
        this.pos += n;
      }
    }
  }
}

export function clampInt32(lo: number, hi: number): number {
  if (hi === 0 && lo <= 0x7fffffff) return lo;
  if (hi === 0xffffffff && lo >= 0x80000000) return lo | 0;
  return (hi | 0) < 0 ? -0x80000000 : 0x7fffffff;
}

/** Bytes the varint of a non-negative integer takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 0x80); n++; }
  return n;
}

/** lo/hi as a decimal string (exact, for messages). */
export function signed(lo: number, hi: number): string {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * Appends protobuf fields. Large byte fields (weights) are kept as references and copied once,
 * into the final buffer, by `finish()`; nested messages are Writers spliced in the same way.
 */
export class Writer {
  private readonly chunks: Uint8Array[] = [];
  private cur = new Uint8Array(256);
  private pos = 0;
  private flushed = 0;

  get length(): number { return this.flushed + this.pos; }

  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.flush();
    this.cur = new Uint8Array(Math.max(n, Math.min(this.cur.length * 2, 1 << 16)));
  }

  private flush(): void {
    if (this.pos) { this.chunks.push(this.cur.subarray(0, this.pos)); this.flushed += this.pos; }
    this.cur = this.cur.subarray(this.pos);
    this.pos = 0;
  }

  /** A non-negative integer (up to 2^53) as a varint. */
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.cur[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.cur[this.pos++] = v;
  }

  tag(field: number, wire: number): void { this.varint(field * 8 + wire); }

  /** An int64 field; negative values take ten bytes (two's complement), as protobuf says. */
  int64(field: number, v: number): void {
    this.tag(field, VARINT);
    if (v >= 0) { this.varint(v); return; }
    let x = BigInt.asUintN(64, BigInt(v));
    this.room(10);
    for (let i = 0; i < 9; i++) { this.cur[this.pos++] = Number(x & 0x7fn) | 0x80; x >>= 7n; }
    this.cur[this.pos++] = Number(x);
  }

  float(field: number, v: number): void {
    this.tag(field, I32);
    this.room(4);
    new DataView(this.cur.buffer, this.cur.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, LEN);
    this.varint(data.length);
    if (data.length < 1024) {
      this.room(data.length);
      this.cur.set(data, this.pos);
      this.pos += data.length;
    } else {
      this.flush();
      this.chunks.push(data);
      this.flushed += data.length;
    }
  }

  /** Bytes as they are (already encoded). */
  raw(data: ArrayLike<number>): void {
    this.room(data.length);
    this.cur.set(data, this.pos);
    this.pos += data.length;
  }

  string(field: number, s: string): void { this.bytes(field, encoder.encode(s)); }

  message(field: number, sub: Writer): void {
    sub.flush();
    this.tag(field, LEN);
    this.varint(sub.flushed);
    this.flush();
    for (const c of sub.chunks) this.chunks.push(c);
    this.flushed += sub.flushed;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.flushed);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}
