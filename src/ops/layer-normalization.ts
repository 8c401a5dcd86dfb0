import { defineOp, OpError } from './types.js';
import type { Dim, ValueType } from './types.js';
import { expectFloat, input, normAxis, showShape } from './dims.js';
import { float, int } from './attrs.js';

export interface LayerNormalizationAttrs { axis: number; epsilon: number }

/**
 * LayerNormalization (opset 17): normalise over dims [axis, rank), then * Scale + B.
 * Optional outputs Mean and InvStdDev have X's shape with the normalised dims set to 1,
 * in float32 (stash_type 1, the only stash type ONNX defines a use for).
 */
export const LayerNormalization = defineOp<LayerNormalizationAttrs>({
  name: 'LayerNormalization',
  inputs: [2, 3],
  outputs: [1, 3],
  attributes: { axis: { type: 'int' }, epsilon: { type: 'float' }, stash_type: { type: 'int' } },
  parse(raw) {
    const epsilon = float(raw, 'epsilon', 1e-5), stash = int(raw, 'stash_type', 1);
    if (!(epsilon >= 0)) throw new OpError(`attribute 'epsilon' must be >= 0, got ${epsilon}`);
    if (stash !== 1) throw new OpError(`attribute 'stash_type' must be 1 (float32), got ${stash}`);
    return { axis: int(raw, 'axis', -1), epsilon };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'X'), scale = input(inputs, 1, 'Scale'), b = inputs[2];
    expectFloat(x, 'X');
    if (x.shape.length === 0) throw new OpError('input X must have rank >= 1, got a scalar');
    const axis = normAxis(attrs.axis, x.shape.length, 'attribute axis');
    checkParam(scale, 'Scale', x, axis);
    if (b) checkParam(b, 'B', x, axis);
    const stats: Dim[] = x.shape.map((d, i) => (i < axis ? d : 1));
    return [
      { dtype: x.dtype, shape: x.shape.slice() },
      { dtype: 'float32', shape: stats },
      { dtype: 'float32', shape: stats.slice() },
    ];
  },
});

/** Scale and B broadcast onto the normalised dims X.shape[axis:] only (leading dims must be 1). */
function checkParam(t: ValueType, name: string, x: ValueType, axis: number): void {
  if (t.dtype !== x.dtype) throw new OpError(`input ${name} must be ${x.dtype} like X, got ${t.dtype}`);
  const r = x.shape.length, off = r - t.shape.length;
  const bad = () => new OpError(`input ${name} ${showShape(t.shape)} must broadcast to the normalized dims ${showShape(x.shape.slice(axis))} of X ${showShape(x.shape)}`);
  if (off < 0) throw bad();
  t.shape.forEach((d, i) => {
    const k = off + i, xd = x.shape[k];
    if (typeof d !== 'number' || d === 1) return;
    if (k < axis || (typeof xd === 'number' && d !== xd)) throw bad();
  });
}
