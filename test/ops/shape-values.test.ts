import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runKernel } from '../util/run-kernel.js';
import { dim, expectEqual, RUNS, seed } from '../util/numerics.js';
import { rangeRef } from '../reference/cast.js';
import { OPS } from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor.js';
import type { DType } from '../../src/dtype.js';
import type { RawAttrs, ValueType } from '../../src/ops/types.js';
import { GraphBuilder, InferenceSession } from '../../src/index.js';
import { analyze } from '../../src/graph/analyze.js';
import { inferTypes } from '../../src/graph/infer.js';
import { evaluateOnCpu } from '../../src/runtime/cpu/evaluate.js';

const known = (dtype: DType, shape: number[], v: number[]): ValueType => ({ dtype, shape, value: dtype === 'float32' ? Float32Array.from(v) : Int32Array.from(v) });
const i64 = (...v: number[]) => known('int64', [v.length], v);
const scalar = (v: number) => known('int64', [], [v]);
const infer = (op: keyof typeof OPS, inputs: (ValueType | undefined)[], raw: Record<string, unknown> = {}): ValueType[] =>
  (OPS[op].infer as (i: (ValueType | undefined)[], a: unknown) => ValueType[])(inputs, OPS[op].parse(raw as RawAttrs));

describe('Shape, Range, Constant, ConstantOfShape', () => {
  it('Shape with start/end slices the dims like Python (clamped, negatives from the back)', () => {
    fc.assert(fc.property(fc.array(dim(9), { maxLength: 5 }), fc.option(fc.integer({ min: -7, max: 7 })), fc.option(fc.integer({ min: -7, max: 7 })), (shape, start, end) => {
      const raw = { ...(start !== null ? { start } : {}), ...(end !== null ? { end } : {}) };
      const [out] = runKernel('Shape', [{ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }], raw);
      const want = shape.slice(start ?? 0, end ?? undefined);
      expect(out.dtype).toBe('int64');
      expectEqual(out.data, want, { shape, start, end });
    }), { numRuns: RUNS });
  });

  it('Range over ints and floats', () => {
    fc.assert(fc.property(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0), seed(), (a, b, d, s) => {
      for (const dtype of ['int32', 'int64', 'float32'] as DType[]) {
        const sc = dtype === 'float32' ? (v: number) => Math.fround(v * 0.37 + (s % 7) * 0.1) : (v: number) => v;
        const mk = (v: number) => ({ dtype, shape: [], data: dtype === 'float32' ? Float32Array.of(sc(v)) : Int32Array.of(v) });
        const [out] = runKernel('Range', [mk(a), mk(b), mk(d)]);
        expectEqual(out.data, rangeRef(sc(a), sc(b), sc(d)).map((v) => (dtype === 'float32' ? Math.fround(v) : v)), { a, b, d, dtype });
      }
    }), { numRuns: RUNS });
  });

  it('Range errors and unknown lengths', () => {
    expect(() => infer('Range', [scalar(0), scalar(5), scalar(0)])).toThrow(/delta is 0/);
    expect(() => infer('Range', [scalar(0), known('int32', [], [5]), scalar(1)])).toThrow(/one dtype/);
    expect(() => infer('Range', [i64(0, 1), scalar(5), scalar(1)])).toThrow(/start must be a scalar, got shape \[2\]/);
    expect(infer('Range', [{ dtype: 'int64', shape: [] }, scalar(5), scalar(1)])[0].shape).toEqual(['?']);
  });

  it('Constant from each attribute form, in kernel storage', () => {
    const cases: [Record<string, unknown>, DType, number[], number[]][] = [
      [{ value: new Tensor('float32', [2, 2], [1, 2, 3, 4]) }, 'float32', [2, 2], [1, 2, 3, 4]],
      [{ value: new Tensor('int64', [3], [1n, 9223372036854775807n, -5n]) }, 'int64', [3], [1, 2147483647, -5]],
      [{ value: new Tensor('bool', [2], [1, 0]) }, 'bool', [2], [1, 0]],
      [{ value_float: 2.5 }, 'float32', [], [2.5]],
      [{ value_floats: [1, -1] }, 'float32', [2], [1, -1]],
      [{ value_int: 7 }, 'int64', [], [7]],
      [{ value_ints: [3, 4, 5] }, 'int64', [3], [3, 4, 5]],
    ];
    for (const [raw, dtype, shape, data] of cases) {
      const [out] = runKernel('Constant', [], raw as never);
      expect(out.dtype).toBe(dtype);
      expect(out.shape).toEqual(shape);
      expectEqual(out.data, data, { raw: Object.keys(raw) });
      expectEqual(infer('Constant', [], raw)[0].value!, data, {});
    }
    expect(infer('Constant', [], { value: new Tensor('float32', [2000]) })[0].value).toBeUndefined();
    expect(() => OPS.Constant.parse({})).toThrow(/exactly one of the attributes value, value_float/);
    expect(() => OPS.Constant.parse({ value_int: 1, value_float: 1 })).toThrow(/got value_float, value_int/);
    expect(() => OPS.Constant.parse({ value_string: 'x' })).toThrow(/string tensors are not supported/);
  });

  it('ConstantOfShape fills with the value tensor (default float 0)', () => {
    fc.assert(fc.property(fc.array(dim(6), { maxLength: 4 }), fc.integer({ min: -100, max: 100 }), (shape, v) => {
      const s = { dtype: 'int64' as DType, shape: [shape.length], data: Int32Array.from(shape) };
      const n = shape.reduce((a, b) => a * b, 1);
      const [zero] = runKernel('ConstantOfShape', [s]);
      expect(zero.dtype).toBe('float32');
      expectEqual(zero.data, new Array(n).fill(0), { shape });
      const [filled] = runKernel('ConstantOfShape', [s], { value: new Tensor('int32', [1], [v]) });
      expect(filled.dtype).toBe('int32');
      expectEqual(filled.data, new Array(n).fill(v), { shape, v });
    }), { numRuns: RUNS });
    expect(() => infer('ConstantOfShape', [i64(2, -1)])).toThrow(/negative dimension/);
    expect(() => OPS.ConstantOfShape.parse({ value: new Tensor('float32', [2]) })).toThrow(/exactly one element/);
    expect(infer('ConstantOfShape', [{ dtype: 'int64', shape: [3] }])[0].shape).toEqual(['?', '?', '?']);
  });
});

describe('shape computations resolve at plan time (the runtime folds them with the CPU kernels)', () => {
  it("PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain resolves for each concrete batch", async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['batch', 3, 4]);
    const batch = b.gather(b.shape(x), b.int64(0, []), 0);
    const target = b.concat([b.unsqueeze(batch, [0]), b.int64([-1])], 0);
    b.output(b.reshape(x, target), 'y');
    const g = b.build();
    expect(g.outputs[0].shape).toEqual(['?', '?']); // unknown until the batch is known
    const types = inferTypes(g, analyze(g), { inputShapes: new Map([['x', [2, 3, 4]]]), evaluate: evaluateOnCpu });
    expect(types.get('y')!.shape).toEqual([2, 12]);
    const s = await InferenceSession.create(g, { optimize: false });
    const out = await s.run({ x: new Tensor('float32', [5, 3, 4], new Float32Array(60).map((_, i) => i)) });
    expect(out.y.shape).toEqual([5, 12]);
    expect(out.y.data[59]).toBe(59);
    expect(s.planStats({ x: [5, 3, 4] }).folded).toBe(4); // Shape, Gather, Unsqueeze, Concat
  });

  it('symbolic dims: Shape knows the static part; ops without known inputs carry no value', () => {
    const x: ValueType = { dtype: 'float32', shape: ['b', 3, 4] };
    expect(infer('Shape', [x])[0].value).toBeUndefined();
    expectEqual(infer('Shape', [x], { start: 1 })[0].value!, [3, 4], {});
    expect(infer('Gather', [{ dtype: 'int64', shape: [3] }, scalar(0)])[0].value).toBeUndefined();
  });
});
