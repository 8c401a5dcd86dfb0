import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Value } from '../../src/index.js';
import { expectSameOutputs, ops, rand, run } from './util.js';

type Outer = (b: GraphBuilder, x: Value, a: Value, half: Value) => Value;
/** The groupings of x * 0.5 * a that exporters write. */
const GROUPINGS: [string, Outer][] = [
  ['(x * 0.5) * a', (b, x, a, h) => b.mul(b.mul(x, h), a)],
  ['(x * a) * 0.5', (b, x, a, h) => b.mul(b.mul(x, a), h)],
  ['x * (0.5 * a)', (b, x, a, h) => b.mul(x, b.mul(h, a))],
  ['a * (0.5 * x)', (b, x, a, h) => b.mul(a, b.mul(h, x))],
  ['0.5 * (a * x)', (b, x, a, h) => b.mul(h, b.mul(a, x))],
];

interface Form {
  outer?: Outer;
  scale?: 'div' | 'mul';
  half?: number;
  sqrt2?: number;
  extraErfReader?: boolean;
  cube?: 'pow' | 'mul-left' | 'mul-right';
}

function erfGelu(f: Form = {}) {
  const b = new GraphBuilder('gelu');
  const x = b.input('x', 'float32', ['batch', 6]);
  const u = f.scale === 'mul' ? b.mul(b.float(0.70710678), x) : b.div(x, b.float(f.sqrt2 ?? 1.4142135));
  const e = b.erf(u);
  const a = b.add(b.float(1), e);
  b.output((f.outer ?? GROUPINGS[0][1])(b, x, a, b.float(f.half ?? 0.5)), 'out');
  if (f.extraErfReader) b.output(b.neg(e), 'side');
  return b.build();
}

function tanhGelu(f: Form = {}) {
  const b = new GraphBuilder('gelu-tanh');
  const x = b.input('x', 'float32', ['batch', 6]);
  const cube = f.cube === 'mul-left' ? b.mul(b.mul(x, x), x) : f.cube === 'mul-right' ? b.mul(x, b.mul(x, x)) : b.pow(x, b.float(3));
  const inner = b.mul(b.float(Math.sqrt(2 / Math.PI)), b.add(x, b.mul(b.float(0.044715), cube)));
  const a = b.add(b.tanh(inner), b.float(1));
  b.output((f.outer ?? GROUPINGS[0][1])(b, x, a, b.float(f.half ?? 0.5)), 'out');
  return b.build();
}

const feeds = () => ({ x: rand([3, 6], 5, -4, 4) });

describe('fuse-gelu: erf form', () => {
  for (const [label, outer] of GROUPINGS) {
    it(`${label} -> Gelu`, async () => {
      const g = erfGelu({ outer });
      expect(ops(g)).toEqual(['Div', 'Erf', 'Add', 'Mul', 'Mul']);
      const h = run(g, ['fuse-gelu', 'dce']);
      expect(ops(h)).toEqual(['Gelu']);
      expect(h.nodes[0].attrs).toEqual({});
      expect(h.nodes[0].inputs).toEqual(['x']);
      expect(h.initializers.size).toBe(0);
      await expectSameOutputs(g, h, feeds());
    });
  }

  it('Erf(x * 0.70710678) and a rounded sqrt(2) (1.41421) also match', async () => {
    for (const g of [erfGelu({ scale: 'mul' }), erfGelu({ sqrt2: 1.41421 })]) {
      const h = run(g, ['fuse-gelu']);
      expect(ops(h)).toEqual(['Gelu']);
      await expectSameOutputs(g, h, feeds());
    }
  });

  describe('left alone', () => {
    it('a constant that is not 0.5', () => {
      const g = erfGelu({ half: 0.6 });
      expect(ops(run(g, ['fuse-gelu']))).toEqual(ops(g));
    });
    it('a divisor that is not sqrt(2)', () => {
      const g = erfGelu({ sqrt2: 1.5 });
      expect(ops(run(g, ['fuse-gelu']))).toEqual(ops(g));
    });
    it('an Erf output read by another node', () => {
      const g = erfGelu({ extraErfReader: true });
      expect(ops(run(g, ['fuse-gelu']))).toEqual(ops(g));
    });
  });
});

describe('fuse-gelu: tanh form', () => {
  for (const cube of ['pow', 'mul-left', 'mul-right'] as const) {
    it(`with x^3 as ${cube} -> Gelu(approximate = 'tanh')`, async () => {
      const g = tanhGelu({ cube });
      const h = run(g, ['fuse-gelu', 'dce']);
      expect(ops(h)).toEqual(['Gelu']);
      expect(h.nodes[0].attrs).toEqual({ approximate: 'tanh' });
      await expectSameOutputs(g, h, feeds());
    });
  }
  for (const [label, outer] of GROUPINGS.slice(1)) {
    it(`grouped ${label}`, async () => {
      const g = tanhGelu({ outer });
      const h = run(g, ['fuse-gelu']);
      expect(ops(h)).toEqual(['Gelu']);
      await expectSameOutputs(g, h, feeds());
    });
  }
  it('left alone with a wrong cubic coefficient', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const inner = b.mul(b.float(Math.sqrt(2 / Math.PI)), b.add(x, b.mul(b.float(0.05), b.pow(x, b.float(3)))));
    b.output(b.mul(b.mul(x, b.float(0.5)), b.add(b.tanh(inner), b.float(1))), 'out');
    const g = b.build();
    expect(ops(run(g, ['fuse-gelu']))).toEqual(ops(g));
  });
});

describe('fuse-gelu with the whole pipeline', () => {
  it('MatMul + Add(bias) + decomposed GELU -> one FusedMatMul', async () => {
    const b = new GraphBuilder('ffn');
    const x = b.input('x', 'float32', ['batch', 8]);
    const h1 = b.add(b.matmul(x, b.constant(rand([8, 6], 1))), b.constant(rand([6], 2)));
    const a = b.add(b.erf(b.div(h1, b.float(1.4142135))), b.float(1));
    b.output(b.mul(b.mul(h1, a), b.float(0.5)), 'out');
    const g = b.build();
    const h = run(g);
    expect(ops(h)).toEqual(['FusedMatMul']);
    expect(h.nodes[0].attrs.activation).toBe('Gelu');
    expect(h.initializers.size).toBe(2);
    await expectSameOutputs(g, h, { x: rand([3, 8], 5, -2, 2) });
  });
});
