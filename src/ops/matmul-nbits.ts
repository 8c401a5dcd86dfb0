import { defineOp, OpError } from './types.js';
import { expectFloat, input, sameDim, showShape } from './dims.js';
import { int } from './attrs.js';

export interface MatMulNBitsAttrs { K: number; N: number; bits: 4; blockSize: number }

/**
 * com.microsoft MatMulNBits (onnxruntime's 4-bit weight-only MatMul): Y = A @ W^T (+ bias) with
 * W [N, K] in blocks of block_size along K: B uint8 [N, ceil(K / block_size), block_size / 2]
 * (two 4-bit values per byte, low nibble first), scales [N * blocks] of A's type, optional
 * zero_points (uint8 packed two per byte per row, or A's type; default 8), optional bias [N].
 * W[n, k] = (u - zero_point) * scale. Only bits = 4; g_idx (act-order) is not supported.
 */
export const MatMulNBits = defineOp<MatMulNBitsAttrs>({
  name: 'MatMulNBits',
  domain: 'com.microsoft',
  inputs: [3, 6],
  outputs: [1, 1],
  attributes: { K: { type: 'int', required: true }, N: { type: 'int', required: true }, bits: { type: 'int' }, block_size: { type: 'int', required: true }, accuracy_level: { type: 'int' } },
  parse(raw) {
    const K = raw.K as number, N = raw.N as number, bits = int(raw, 'bits', 4), bs = raw.block_size as number;
    if (bits !== 4) throw new OpError(`attribute 'bits' = ${bits} is not supported; Tessera reads 4-bit MatMulNBits only`);
    if (!(K >= 1) || !(N >= 1)) throw new OpError(`attributes K and N must be >= 1, got K = ${K}, N = ${N}`);
    if (!(bs >= 16) || (bs & (bs - 1)) !== 0) throw new OpError(`attribute 'block_size' must be a power of 2 >= 16, got ${bs}`);
    return { K, N, bits: 4, blockSize: bs };
  },
  infer(inputs, attrs) {
    const a = input(inputs, 0, 'A'), b = input(inputs, 1, 'B'), s = input(inputs, 2, 'scales'), zp = inputs[3], gIdx = inputs[4], bias = inputs[5];
    expectFloat(a, 'A');
    const { K, N, blockSize } = attrs, blocks = Math.ceil(K / blockSize);
    if (a.shape.length === 0) throw new OpError('input A must have rank >= 1');
    sameDim(a.shape[a.shape.length - 1], K, `the last dim of A ${showShape(a.shape)} must equal attribute K`);
    if (b.dtype !== 'uint8') throw new OpError(`input B must be uint8, got ${b.dtype}`);
    const want = [N, blocks, blockSize / 2];
    if (b.shape.length !== 3 || b.shape.some((d, i) => typeof d === 'number' && d !== want[i])) {
      throw new OpError(`input B must have shape [N, ceil(K / block_size), block_size / 2] = ${showShape(want)} (K = ${K}, N = ${N}, block_size = ${blockSize}), got ${showShape(b.shape)}`);
    }
    if (s.dtype !== a.dtype) throw new OpError(`input scales must have A's type ${a.dtype}, got ${s.dtype}`);
    const count = (sh: readonly (number | string)[]) => sh.reduce<number>((n, d) => n * (typeof d === 'number' ? d : NaN), 1);
    if (count(s.shape) !== N * blocks) throw new OpError(`input scales must hold N * blocks = ${N * blocks} values, got shape ${showShape(s.shape)}`);
    if (zp) {
      const packed = zp.dtype === 'uint8';
      if (!packed && zp.dtype !== a.dtype) throw new OpError(`input zero_points must be uint8 (packed) or A's type ${a.dtype}, got ${zp.dtype}`);
      const wantZ = packed ? N * Math.ceil(blocks / 2) : N * blocks;
      if (count(zp.shape) !== wantZ) throw new OpError(`input zero_points must hold ${wantZ} values (${packed ? 'two 4-bit values per byte per row' : 'one per block'}), got shape ${showShape(zp.shape)}`);
    }
    if (gIdx) throw new OpError(`input g_idx (act-order) is not supported`);
    if (bias) {
      if (bias.dtype !== a.dtype || bias.shape.length !== 1) throw new OpError(`input bias must be 1-D ${a.dtype} [N], got ${bias.dtype} ${showShape(bias.shape)}`);
      sameDim(bias.shape[0], N, 'input bias length must equal N');
    }
    return [{ dtype: a.dtype, shape: [...a.shape.slice(0, -1), N] }];
  },
});
