import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOnnx, OnnxError } from '../../src/onnx/index.js';
import { f32ToF16 } from '../../src/dtype.js';
import { Reader } from '../../src/onnx/protobuf.js';
import {
  attribute, BOOL, FLOAT, FLOAT16, graph, INT64, INT8, model, node, sparseTensor, tensorProto, valueInfo,
} from './fixtures.js';

const RUNS = Number(process.env.FC_RUNS ?? 300);

/** A model that touches every part of the reader: typed and raw data, attributes, sparse, shapes. */
function richModel(metadata: Record<string, string> = { k: 'v' }): Uint8Array {
  return model(graph({
    nodes: [
      node('Conv', ['x', 'w'], ['c'], { name: 'conv', attrs: [attribute({ name: 'strides', type: 7, ints: [1, 1] }), attribute({ name: 'group', type: 2, i: 1 })] }),
      node('LeakyRelu', ['c'], ['l'], { attrs: [attribute({ name: 'alpha', type: 1, f: 0.1 })] }),
      node('Custom', ['l', 'h', 'i8', 'b'], ['y'], {
        domain: 'com.example', attrs: [
          attribute({ name: 's', type: 3, s: 'mode' }), attribute({ name: 'ss', type: 8, strings: ['a', 'bc'] }),
          attribute({ name: 'fs', type: 6, floats: [0.5, 2], packed: true }),
          attribute({ name: 't', type: 4, t: tensorProto({ name: '', dims: [2], dataType: INT64, int64Data: [3, -4] }) }),
        ],
      }),
    ],
    initializers: [
      tensorProto({ name: 'w', dims: [2, 1, 1, 1], dataType: FLOAT, raw: new Uint8Array(new Float32Array([1, -1]).buffer) }),
      tensorProto({ name: 'h', dims: [3], dataType: FLOAT16, int32Data: [1, 2.5, -3].map(f32ToF16) }),
      tensorProto({ name: 'i8', dims: [2], dataType: INT8, int32Data: [-5, 6] }),
      tensorProto({ name: 'b', dims: [2], dataType: BOOL, raw: Uint8Array.of(1, 0) }),
    ],
    sparse: [sparseTensor(tensorProto({ name: 'sp', dims: [1], dataType: FLOAT, floatData: [9] }), tensorProto({ name: '', dims: [1], dataType: INT64, int64Data: [2] }), [4])],
    inputs: [valueInfo('x', FLOAT, ['n', 1, 4, null])], outputs: [valueInfo('y', FLOAT, ['n', 2, 4, 4])],
  }), { domains: [['com.example', 1]], metadata });
}

/** Loads or throws OnnxError; anything else (TypeError, RangeError, a hang) fails the property. */
function loadsOrOnnxError(bytes: Uint8Array, inPlace = false): boolean {
  try {
    loadOnnx(bytes, { inPlace });
    return true;
  } catch (e) {
    if (e instanceof OnnxError) return true;
    throw e;
  }
}

type Mutation = { kind: 'flip'; at: number; value: number } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'delete'; at: number; count: number };

function mutate(src: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(src);
  for (const m of ms) {
    const at = b.length ? m.at % b.length : 0;
    if (m.kind === 'flip') b[at] = m.value;
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else if (m.kind === 'insert') b.splice(at, 0, ...m.bytes);
    else b.splice(at, m.count);
  }
  return Uint8Array.from(b);
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x7f, 0x80, 0xff)) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

describe('loadOnnx on hostile bytes: loads or throws OnnxError, never anything else', () => {
  const base = richModel();

  it('the unmutated model loads', () => {
    const g = loadOnnx(base);
    expect(g.nodes.map((n) => n.op)).toEqual(['Conv', 'LeakyRelu', 'Custom']);
    expect([...g.initializers.keys()]).toEqual(['w', 'h', 'i8', 'b', 'sp']);
  });

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => loadsOrOnnxError(b)), { numRuns: RUNS });
  });

  it('random bytes after a valid ModelProto prefix', () => {
    const prefix = base.subarray(0, 40);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const bytes = new Uint8Array(prefix.length + b.length);
      bytes.set(prefix); bytes.set(b, prefix.length);
      return loadsOrOnnxError(bytes);
    }), { numRuns: RUNS });
  });

  it('mutated valid models (flip, truncate, insert, delete), also loaded in place', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
      const bytes = mutate(base, ms);
      return loadsOrOnnxError(bytes) && loadsOrOnnxError(bytes.slice(), true);
    }), { numRuns: RUNS });
  });

  it('a file cut inside a field is an OnnxError; cut between top-level fields it is a shorter model', () => {
    // Protobuf has no end marker: a cut between top-level fields leaves a valid ModelProto.
    const boundaries = new Set<number>();
    const r = new Reader(base, 0, base.length, 'ModelProto');
    while (r.more()) { r.next(); r.skip(); boundaries.add(r.pos); }
    let loaded = 0;
    for (let n = 0; n < base.length; n++) {
      if (!boundaries.has(n)) { expect(() => loadOnnx(base.subarray(0, n)), `cut at ${n}`).toThrow(OnnxError); continue; }
      try { loadOnnx(base.subarray(0, n)); loaded++; } catch (e) { expect(e).toBeInstanceOf(OnnxError); }
    }
    expect(loaded).toBe(2); // without the com.example opset, and without the metadata
  });
});
