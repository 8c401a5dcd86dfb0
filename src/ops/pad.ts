import { defineOp, OpError, type Dim } from './types.js';
import { expectDType, expectRank, input, isStatic, knownInts, showShape, sizeOf } from './dims.js';
import { oneOf } from './attrs.js';
import { resolvePads } from '../../kernels/index-math.js';

/** Opset 13-18: pads, constant_value and axes come as inputs. */
export interface PadAttrs { mode: 'constant' | 'reflect' | 'edge' }

export const Pad = defineOp<PadAttrs>({
  name: 'Pad',
  inputs: [2, 4],
  outputs: [1, 1],
  attributes: { mode: { type: 'string' } },
  parse(raw) {
    if (raw.mode === 'wrap') throw new OpError(`attribute 'mode' 'wrap' (opset 19) is not supported; use constant, reflect or edge`);
    return { mode: oneOf(raw, 'mode', ['constant', 'reflect', 'edge'] as const, 'constant') };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), p = input(inputs, 1, 'pads'), cv = inputs[2], ax = inputs[3], r = x.shape.length;
    expectDType(p, 'pads', ['int64', 'int32']);
    expectRank(p, 'pads', 1);
    if (cv) {
      if (cv.dtype !== x.dtype) throw new OpError(`constant_value must have the data's dtype ${x.dtype}, got ${cv.dtype}`);
      if (!isStatic(cv.shape) || sizeOf(cv.shape) !== 1) throw new OpError(`constant_value must be a scalar, got shape ${showShape(cv.shape)}`);
    }
    if (ax) { expectDType(ax, 'axes', ['int64', 'int32']); expectRank(ax, 'axes', 1); }
    const pads = knownInts(p), axes = knownInts(ax);
    let shape: Dim[];
    if (pads && (!ax || axes)) {
      const begin = new Int32Array(r), end = new Int32Array(r);
      const err = resolvePads(r, pads, axes, begin, end);
      if (err) throw new OpError(err);
      shape = x.shape.map((d, a) => {
        const grow = begin[a] + end[a];
        if (grow === 0) return d;
        if (typeof d !== 'number') return '?';
        if (d + grow < 0) throw new OpError(`pads ${begin[a]}, ${end[a]} crop axis ${a} of size ${d} below zero`);
        if (d === 0 && attrs.mode !== 'constant' && (begin[a] > 0 || end[a] > 0)) throw new OpError(`${attrs.mode} padding needs a non-empty axis, but axis ${a} of ${showShape(x.shape)} is empty`);
        return d + grow;
      });
    } else if (axes) {
      shape = x.shape.slice();
      for (const a of axes) if (a >= -r && a < r) shape[a < 0 ? a + r : a] = '?';
    } else shape = x.shape.map(() => '?');
    return [{ dtype: x.dtype, shape }];
  },
});
