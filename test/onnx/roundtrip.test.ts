import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, GraphBuilder, Tensor, type PackedWeight } from '../../src/index.js';
import type { DType } from '../../src/dtype.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { Reader } from '../../src/onnx/protobuf.js';
import { FLOAT, graph, model, node, valueInfo } from './fixtures.js';

const RUNS = Number(process.env.FC_RUNS ?? 60);

function randomTensor(dtype: DType, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = new Tensor(dtype, shape);
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  let s = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; bytes[i] = s >>> 24; }
  if (dtype === 'bool') for (let i = 0; i < n; i++) bytes[i] &= 1;
  return t;
}

const bytesOf = (t: Tensor): number[] => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));

/** The `type` field of every attribute in a saved model, as "node.attr" -> AttributeType. */
function attributeTypes(bytes: Uint8Array): Record<string, number> {
  const out: Record<string, number> = {};
  const sub = (r: Reader, name: string): Reader => { const s = r.span(name); return new Reader(r.buf, s, r.spanEnd, name); };
  const m = new Reader(bytes, 0, bytes.length, 'model');
  while (m.more()) {
    m.next();
    if (m.field !== 7) { m.skip(); continue; }
    const g = sub(m, 'graph');
    while (g.more()) {
      g.next();
      if (g.field !== 1) { g.skip(); continue; }
      const n = sub(g, 'node');
      let nodeName = '';
      const attrs: [string, number][] = [];
      while (n.more()) {
        n.next();
        if (n.field === 3) nodeName = n.string('name');
        else if (n.field === 5) {
          const a = sub(n, 'attr');
          let name = '', type = 0;
          while (a.more()) { a.next(); if (a.field === 1) name = a.string('name'); else if (a.field === 20) { a.varint(); type = a.lo; } else a.skip(); }
          attrs.push([name, type]);
        } else n.skip();
      }
      for (const [k, t] of attrs) out[`${nodeName}.${k}`] = t;
    }
  }
  return out;
}

/** (domain, version) pairs of a saved model's opset_import. */
function opsetImports(bytes: Uint8Array): [string, number][] {
  const out: [string, number][] = [];
  const m = new Reader(bytes, 0, bytes.length, 'model');
  while (m.more()) {
    m.next();
    if (m.field !== 8) { m.skip(); continue; }
    const s = m.span('opset');
    const o = new Reader(bytes, s, m.spanEnd, 'opset');
    let d = '', v = 0;
    while (o.more()) { o.next(); if (o.field === 1) d = o.string('d'); else { o.varint(); v = o.lo; } }
    out.push([d, v]);
  }
  return out;
}

describe('saveOnnx -> loadOnnx round trip', () => {
  it('initializers of every dtype and shape (incl. empty) come back with identical bytes', () => {
    const dtypes: DType[] = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool'];
    fc.assert(fc.property(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), fc.nat(), (dtype, shape, seed) => {
      const b = new GraphBuilder('rt');
      const t = randomTensor(dtype, shape, seed);
      b.output(b.identity(b.constant(t, 'w')), 'y');
      const g = loadOnnx(saveOnnx(b.build()));
      const w = g.initializers.get('w') as Tensor;
      expect(w.dtype).toBe(dtype);
      expect(w.shape).toEqual(shape);
      expect(bytesOf(w)).toEqual(bytesOf(t));
      expect(g.outputs).toEqual([{ name: 'y', dtype, shape }]);
    }), { numRuns: RUNS });
  });

  it('graph structure, symbolic dims, metadata and opset survive', () => {
    const b = new GraphBuilder('structure', 19);
    const x = b.input('x', 'float32', ['batch', 4]);
    const m = b.input('mask', 'bool', ['batch', '?']);
    const y = b.where(m, b.relu(b.add(x, b.float([1, 2, 3, 4]))), b.float(0));
    b.output(y, 'out');
    const g = b.build();
    g.metadata = { author: 'test', 'ünïcode': 'välue' };
    const bytes = saveOnnx(g);
    const back = loadOnnx(bytes);
    expect(back.name).toBe('structure');
    expect(back.opset).toBe(19);
    expect(back.inputs).toEqual(g.inputs);
    expect(back.outputs).toEqual(g.outputs);
    expect(back.nodes).toEqual(g.nodes);
    expect([...back.initializers.keys()]).toEqual([...g.initializers.keys()]);
    expect(back.metadata).toEqual({ ...g.metadata, producer_name: 'tessera', ir_version: '9' });
    expect(opsetImports(bytes)).toEqual([['', 19]]);
  });

  it('attributes of every type: typed by the op schema where there is one, by the value otherwise', () => {
    const half = new Tensor('float16', [2], Uint16Array.of(0x3c00, 0xc000));
    const attrs = {
      i: -7, f: 0.25, s: 'héllo', is: [1, -2, 2147483647], fs: [0.5, -1.5], ss: ['a', 'β'], t: half, none: [] as number[],
    };
    const g = new Graph({
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }], outputs: [{ name: 'z', dtype: 'float32', shape: [3] }],
      nodes: [
        { name: 'custom', op: 'Custom', domain: 'com.example', inputs: ['x'], outputs: ['y'], attrs },
        // Schema says float: an integral value must still be written as FLOAT.
        { name: 'leaky', op: 'LeakyRelu', inputs: ['y'], outputs: ['z'], attrs: { alpha: 2 } },
      ],
    });
    const bytes = saveOnnx(g);
    const back = loadOnnx(bytes);
    const { t, ...rest } = back.nodes[0].attrs;
    const { t: _t, ...expected } = attrs;
    expect(rest).toEqual(expected);
    expect((t as Tensor).dtype).toBe('float16');
    expect(bytesOf(t as Tensor)).toEqual(bytesOf(half));
    expect(back.nodes[1].attrs).toEqual({ alpha: 2 });
    expect(back.nodes[0].domain).toBe('com.example');
    expect(attributeTypes(bytes)).toEqual({
      'custom.i': 2, 'custom.f': 1, 'custom.s': 3, 'custom.is': 7, 'custom.fs': 6, 'custom.ss': 8, 'custom.t': 4, 'custom.none': 7, 'leaky.alpha': 1,
    });
    expect(opsetImports(bytes)).toEqual([['', 17], ['com.example', 1]]);
  });

  it('an attribute value that contradicts the schema is refused, naming node and attribute', () => {
    const g = new Graph({
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }], outputs: [{ name: 'y', dtype: 'float32', shape: [3] }],
      nodes: [{ name: 'sm', op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 0.5 } }],
    });
    expect(() => saveOnnx(g)).toThrow(/node 'sm' \(Softmax\): cannot save attribute 'axis' = 0\.5: Softmax declares it int/);
  });

  it('packed weights are written dequantized', () => {
    const dense = new Tensor('float32', [2, 2], [1, 2, 3, 4]);
    const packed: PackedWeight = { format: 'test', shape: [2, 2], byteLength: 3, dequantize: () => dense };
    const g = new Graph({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 2] }], outputs: [{ name: 'y', dtype: 'float32', shape: [2, 2] }],
      nodes: [{ name: 'add', op: 'Add', inputs: ['x', 'w'], outputs: ['y'], attrs: {} }], initializers: new Map([['w', packed]]),
    });
    const w = loadOnnx(saveOnnx(g)).initializers.get('w') as Tensor;
    expect(w.dtype).toBe('float32');
    expect(Array.from(w.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('an output loaded without a shape is saved with the inferred one, not as a scalar', () => {
    const bytes = model(graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', FLOAT, ['n', 5])], outputs: [valueInfo('y', FLOAT, null)] }));
    const g = loadOnnx(bytes);
    expect(g.outputs[0].shape).toEqual([]);
    expect(loadOnnx(saveOnnx(g)).outputs[0]).toEqual({ name: 'y', dtype: 'float32', shape: ['n', 5] });
  });

  it('saved weights sit at 8-aligned offsets, so loading views them without copying', () => {
    const dtypes: DType[] = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool'];
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...dtypes), fc.integer({ min: 0, max: 300 }), fc.string({ maxLength: 9 })), { minLength: 1, maxLength: 12 }), (specs) => {
      const inits = new Map(specs.map(([dtype, n, name], i) => [`${name}${i}`, randomTensor(dtype, [n], i)]));
      const g = new Graph({
        inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
        nodes: [{ name: 'id', op: 'Identity', inputs: ['x'], outputs: ['y'], attrs: {} }], initializers: inits,
      });
      const bytes = saveOnnx(g);
      const back = loadOnnx(bytes);
      for (const [name, t] of inits) {
        const w = back.initializers.get(name) as Tensor;
        expect(bytesOf(w)).toEqual(bytesOf(t));
        if (t.size) expect((w.data.byteOffset - bytes.byteOffset) % 8, name).toBe(0);
        if (t.size && t.dtype !== 'bool') expect(w.data.buffer).toBe(bytes.buffer);
      }
    }), { numRuns: RUNS });
  });

  it('a big model loads with every weight a view into the file buffer (no copies), in place or not', () => {
    const b = new GraphBuilder('big');
    const x = b.input('x', 'float32', [1, 1 << 18]);
    let y = x;
    for (let i = 0; i < 8; i++) y = b.add(y, b.constant(randomTensor('float32', [1, 1 << 18], i), `w${i}_${'x'.repeat(i)}`));
    b.output(y, 'y');
    const bytes = saveOnnx(b.build());
    for (const inPlace of [false, true]) {
      const g = loadOnnx(bytes, { inPlace });
      const buffers = new Set([...g.initializers.values()].map((w) => (w as Tensor).data.buffer));
      expect(buffers.size).toBe(1);
      expect(buffers.has(bytes.buffer)).toBe(true);
    }
  });
});
