import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor } from '../../src/tensor.js';
import { CsrWeight, BsrWeight, csrBytes, bsrBytes } from '../../src/sparse/index.js';
import { randomFloats, RUNS, seed } from '../util/numerics.js';
import { matrixAt } from '../reference/sparse.js';

/** A weight of the given shape with about `sparsity` zeros (whole rows empty sometimes). */
function weight(shape: number[], s: number, sparsity: number): Tensor<'float32'> {
  const n = shape.reduce((a, b) => a * b, 1), w = randomFloats(n, s), r = randomFloats(n, s + 1, 0, 1);
  for (let i = 0; i < n; i++) if (r[i] < sparsity) w[i] = 0;
  return new Tensor('float32', shape, w);
}

const SPARSITY = fc.constantFrom(0, 0.5, 0.9, 0.99, 1);
const case_ = fc.record({
  shape: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 13 })).map((t) => [...t]),
    fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 7 }), fc.constantFrom(1, 3), fc.constantFrom(1, 3)).map((t) => [...t])),
  s: seed(), sp: SPARSITY, axis1: fc.boolean(),
});

describe('CSR', () => {
  it('round-trips any weight exactly, stores only nonzeros in row order, and its byteLength is its arrays', () => {
    fc.assert(fc.property(case_, ({ shape, s, sp, axis1 }) => {
      const axis = axis1 && shape.length === 2 ? 1 : 0, w = weight(shape, s, sp), c = CsrWeight.fromDense(w, axis);
      expect(Array.from(c.dequantize().data)).toEqual(Array.from(w.data));
      expect(c.dequantize().shape).toEqual(shape);
      const nnz = Array.from(w.data).filter((v) => v !== 0).length;
      expect(c.nnz).toBe(nnz);
      expect(c.byteLength).toBe(4 * (c.rows + 1) + 6 * nnz);
      expect(c.byteLength).toBe(csrBytes(c.rows, c.depth, nnz));
      const at = matrixAt(w.data, axis, c.rows, c.depth);
      for (let r = 0; r < c.rows; r++) for (let j = c.rowPtr[r]; j < c.rowPtr[r + 1]; j++) expect(c.values[j]).toBe(at(r, c.colIndex[j]));
    }), { numRuns: RUNS });
  });

  it('uses 32-bit column indices only when K does not fit 16 bits', () => {
    const wide = new Tensor('float32', [1, 70000]);
    (wide.data as Float32Array)[69999] = 2;
    const c = CsrWeight.fromDense(wide, 0);
    expect(c.colIndex).toBeInstanceOf(Int32Array);
    expect(c.colIndex[0]).toBe(69999);
    expect(CsrWeight.fromDense(new Tensor('float32', [2, 3], [1, 0, 2, 0, 0, 3]), 0).colIndex).toBeInstanceOf(Uint16Array);
  });

  it('rejects inconsistent arrays with the reason', () => {
    const ok = () => [Int32Array.of(0, 1, 2), Uint16Array.of(1, 0), Float32Array.of(1, 2)] as const;
    const [rp, ci, v] = ok();
    expect(() => new CsrWeight([2, 3], 0, Int32Array.of(0, 1), ci, v)).toThrow(/rowPtr must hold rows \+ 1 = 3 entries, got 2/);
    expect(() => new CsrWeight([2, 3], 0, Int32Array.of(0, 2, 1), ci, v)).toThrow(/rowPtr must not decrease/);
    expect(() => new CsrWeight([2, 3], 0, rp, Uint16Array.of(1, 5), v)).toThrow(/column index 5 in row 1 is outside \[0, 3\)/);
    expect(() => new CsrWeight([1, 3], 0, Int32Array.of(0, 2), Uint16Array.of(2, 1), v)).toThrow(/must strictly increase, got 2 then 1/);
    expect(() => new CsrWeight([2, 3], 0, rp, ci, Float32Array.of(1))).toThrow(/rowPtr\[rows\] must equal the number of stored entries 1, got 2/);
    expect(() => new CsrWeight([2, 3, 4], 1, rp, ci, v)).toThrow(/axis 1 .* needs a 2-D weight/);
    expect(() => CsrWeight.fromDense(new Tensor('int32', [2, 2]), 0, 'w')).toThrow(/w: only float32 weights can be stored sparse, got int32/);
  });
});

describe('BSR', () => {
  const BLOCK = fc.constantFrom<[number, number]>([1, 4], [4, 1], [2, 2], [1, 8], [3, 5], [1, 1]);
  it('round-trips exactly with blocks that stick out past the edges; stores a block only if it holds a nonzero', () => {
    fc.assert(fc.property(case_, BLOCK, ({ shape, s, sp, axis1 }, block) => {
      const axis = axis1 && shape.length === 2 ? 1 : 0, w = weight(shape, s, sp), b = BsrWeight.fromDense(w, axis, block);
      expect(Array.from(b.dequantize().data)).toEqual(Array.from(w.data));
      const [bk, br] = block, at = matrixAt(w.data, axis, b.rows, b.depth);
      let blocks = 0;
      for (let R = 0; R < Math.ceil(b.rows / br); R++) for (let B = 0; B < Math.ceil(b.depth / bk); B++) {
        let any = false;
        for (let r = R * br; r < Math.min(b.rows, R * br + br); r++) for (let k = B * bk; k < Math.min(b.depth, B * bk + bk); k++) if (at(r, k) !== 0) any = true;
        if (any) blocks++;
      }
      expect(b.nBlocks).toBe(blocks);
      expect(b.byteLength).toBe(bsrBytes(b.rows, b.depth, block, blocks));
      expect(b.byteLength).toBe(4 * (Math.ceil(b.rows / br) + 1) + 2 * blocks + 4 * bk * br * blocks);
    }), { numRuns: RUNS });
  });

  it('rejects bad blocks and sizes', () => {
    expect(() => BsrWeight.fromDense(new Tensor('float32', [4, 4]), 0, [0, 4])).toThrow(/block must be \[inputs, outputs\], two integers in 1\.\.64, got \[0,4\]/);
    expect(() => new BsrWeight([4, 4], 0, [1, 4], Int32Array.of(0, 1), Uint16Array.of(0), new Float32Array(3))).toThrow(/values must hold nBlocks \* 4 \* 1 = 4 floats, got 3/);
    expect(() => new BsrWeight([4, 4], 0, [1, 4], Int32Array.of(0, 1), Uint16Array.of(4), new Float32Array(4))).toThrow(/column index 4 in row 0 is outside \[0, 4\)/);
  });
});
