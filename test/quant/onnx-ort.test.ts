import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { randomFloats, randomInts } from '../util/numerics.js';
import { oneNode, runOrt, runTessera } from './ort.js';
import type { DType } from '../../src/dtype.js';

/**
 * Imported quantized ONNX ops against onnxruntime-node as the oracle: the same model bytes,
 * loaded by loadOnnx and run by Tessera, must give onnxruntime's integers exactly and its floats
 * to float32 rounding.
 */
const t = (dtype: DType, shape: number[], seed: number, lo = -1, hi = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'float32') return new Tensor('float32', shape, randomFloats(n, seed, lo, hi));
  const v = randomInts(n, seed, lo, hi);
  return new Tensor(dtype, shape, dtype === 'int8' ? Int8Array.from(v) : dtype === 'uint8' ? Uint8Array.from(v) : v);
};
const vi = (name: string, dtype: DType, shape: number[]) => ({ name, dtype, shape });

async function both(bytes: Uint8Array, feeds: Record<string, Tensor>) {
  const [ours, theirs] = await Promise.all([runTessera(loadOnnx(bytes), feeds), runOrt(bytes, feeds)]);
  return Object.keys(theirs).map((k) => ({ name: k, ours: Array.from(ours[k].data as ArrayLike<number>), theirs: theirs[k].data, dims: theirs[k].dims, shape: ours[k].shape }));
}

describe('quantized ONNX ops agree with onnxruntime-node', () => {
  it('QuantizeLinear -> DequantizeLinear, per tensor and per axis, int8 and uint8', async () => {
    for (const [dtype, perAxis] of [['int8', false], ['uint8', true], ['int8', true]] as const) {
      const scale = perAxis ? t('float32', [4], 1, 0.02, 0.2) : new Tensor('float32', [], [0.05]);
      const zp = perAxis ? t(dtype, [4], 2, dtype === 'int8' ? -5 : 100, dtype === 'int8' ? 5 : 140) : new Tensor(dtype, [], [dtype === 'int8' ? 3 : 128]);
      const bytes = oneNode([
        { name: 'q', op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['xq'], attrs: { axis: 1 } },
        { name: 'd', op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['y'], attrs: { axis: 1 } },
      ], [vi('x', 'float32', [3, 4, 5])], [vi('xq', dtype, [3, 4, 5]), vi('y', 'float32', [3, 4, 5])], { s: scale, z: zp });
      for (const r of await both(bytes, { x: t('float32', [3, 4, 5], 3, -8, 8) })) expect(r.ours, `${dtype} ${perAxis} ${r.name}`).toEqual(r.theirs);
    }
  });

  it('DynamicQuantizeLinear + MatMulInteger (uint8 x int8, per-column zero points)', async () => {
    const bytes = oneNode([
      { name: 'dq', op: 'DynamicQuantizeLinear', inputs: ['a'], outputs: ['aq', 'as', 'az'], attrs: {} },
      { name: 'mm', op: 'MatMulInteger', inputs: ['aq', 'b', 'az', 'bz'], outputs: ['y'], attrs: {} },
    ], [vi('a', 'float32', [2, 7, 33])], [vi('y', 'int32', [2, 7, 6]), vi('aq', 'uint8', [2, 7, 33]), vi('as', 'float32', []), vi('az', 'uint8', [])],
    { b: t('int8', [33, 6], 4, -128, 127), bz: t('int8', [6], 5, -3, 3) });
    for (const r of await both(bytes, { a: t('float32', [2, 7, 33], 6, -2, 3) })) expect(r.ours, r.name).toEqual(r.theirs);
  });

  it('ConvInteger (uint8 x int8, padding and stride)', async () => {
    const bytes = oneNode([
      { name: 'dq', op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'], attrs: {} },
      { name: 'c', op: 'ConvInteger', inputs: ['xq', 'w', 'xz'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1], strides: [2, 1] } },
    ], [vi('x', 'float32', [1, 3, 7, 6])], [vi('y', 'int32', [1, 4, 4, 6])], { w: t('int8', [4, 3, 3, 3], 7, -128, 127) });
    for (const r of await both(bytes, { x: t('float32', [1, 3, 7, 6], 8, -1, 2) })) expect(r.ours, r.name).toEqual(r.theirs);
  });

  it('QLinearMatMul and QLinearConv (uint8, per-tensor and per-channel scales)', async () => {
    const f = (v: number) => new Tensor('float32', [], [v]), u8 = (v: number) => new Tensor('uint8', [], [v]);
    const mm = oneNode([{ name: 'm', op: 'QLinearMatMul', inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'], attrs: {} }],
      [vi('a', 'uint8', [5, 24])], [vi('y', 'uint8', [5, 7])],
      { as: f(0.02), az: u8(120), b: t('uint8', [24, 7], 9, 0, 255), bs: f(0.01), bz: u8(128), ys: f(0.05), yz: u8(130) });
    for (const r of await both(mm, { a: t('uint8', [5, 24], 10, 0, 255) })) expect(r.ours, r.name).toEqual(r.theirs);
    const conv = oneNode([{ name: 'c', op: 'QLinearConv', inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }],
      [vi('x', 'uint8', [1, 4, 5, 5])], [vi('y', 'uint8', [1, 3, 5, 5])],
      { xs: f(0.03), xz: u8(100), w: t('int8', [3, 4, 3, 3], 11, -100, 100), ws: t('float32', [3], 12, 0.005, 0.02), wz: new Tensor('int8', [3], [0, 0, 0]), ys: f(0.1), yz: u8(90), b: t('int32', [3], 13, -500, 500) });
    for (const r of await both(conv, { x: t('uint8', [1, 4, 5, 5], 14, 0, 255) })) expect(r.ours, r.name).toEqual(r.theirs);
  });

  it('com.microsoft MatMulNBits (block 32 and 16, K not a multiple of the block, packed zero points)', async () => {
    for (const [K, G, zp] of [[64, 32, false], [50, 16, true], [40, 32, true]] as const) {
      const N = 5, blocks = Math.ceil(K / G);
      const inits = { b: t('uint8', [N, blocks, G / 2], 15, 0, 255), s: t('float32', [N * blocks], 16, -0.1, 0.1), ...(zp ? { z: t('uint8', [N * Math.ceil(blocks / 2)], 17, 0, 255) } : {}) };
      const bytes = oneNode([{ name: 'n', op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['a', 'b', 's', ...(zp ? ['z'] : [])], outputs: ['y'], attrs: { K, N, bits: 4, block_size: G } }],
        [vi('a', 'float32', [3, K])], [vi('y', 'float32', [3, N])], inits);
      for (const r of await both(bytes, { a: t('float32', [3, K], 18, -1, 1) })) {
        r.ours.forEach((v, i) => expect(Math.abs(v - r.theirs[i]), `K ${K} G ${G} #${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(r.theirs[i]))));
      }
    }
  });
});
