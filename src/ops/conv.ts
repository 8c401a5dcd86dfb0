import { defineOp, OpError } from './types.js';
import { expectFloat, input, parseWindow, sameDim, showShape, windowForRank, windowOutputDims, type WindowAttrs } from './dims.js';
import { int } from './attrs.js';

/**
 * An activation applied in the conv epilogue (after the bias). Not an ONNX attribute: parse()
 * leaves it undefined; the fusion pass sets it when it folds a following Relu/Clip/... into the
 * conv. 'clip' takes min/max (absent: unbounded), so Relu6 is clip 0..6.
 */
export interface ConvActivation {
  kind: 'relu' | 'clip' | 'sigmoid' | 'silu' | 'gelu';
  min?: number;
  max?: number;
}

export interface ConvAttrs extends WindowAttrs {
  group: number;
  activation?: ConvActivation;
}

/** Conv, 1-D (X rank 3) and 2-D (X rank 4), NCHW; W is [M, C / group, kH, kW]; optional bias B[M]. */
export const Conv = defineOp<ConvAttrs>({
  name: 'Conv',
  inputs: [2, 3],
  outputs: [1, 1],
  attributes: {
    auto_pad: { type: 'string' }, dilations: { type: 'ints' }, group: { type: 'int' },
    kernel_shape: { type: 'ints' }, pads: { type: 'ints' }, strides: { type: 'ints' },
  },
  parse(raw) {
    const group = int(raw, 'group', 1);
    if (group < 1) throw new OpError(`attribute 'group' must be >= 1, got ${group}`);
    return { ...parseWindow(raw, false), group };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'X'), w = input(inputs, 1, 'W'), b = inputs[2];
    expectFloat(x, 'X');
    if (x.shape.length !== 3 && x.shape.length !== 4) throw new OpError(`input X must have rank 3 (N, C, W) or 4 (N, C, H, W), got shape ${showShape(x.shape)}`);
    if (w.dtype !== x.dtype) throw new OpError(`input W must have X's dtype ${x.dtype}, got ${w.dtype}`);
    if (w.shape.length !== x.shape.length) throw new OpError(`input W must have rank ${x.shape.length} like X ${showShape(x.shape)} (M, C/group, kernel...), got shape ${showShape(w.shape)}`);
    const g = attrs.group, [n, c] = x.shape, [m, cw] = w.shape;
    if (typeof c === 'number' && typeof cw === 'number' && c !== cw * g) {
      throw new OpError(`input channels do not match: X has C = ${c} but W ${showShape(w.shape)} with group ${g} expects C = W.shape[1] * group = ${cw * g}`);
    }
    if (typeof m === 'number' && m % g !== 0) throw new OpError(`W has ${m} output channels, which group ${g} does not divide`);
    if (b) {
      if (b.dtype !== x.dtype) throw new OpError(`input B must have X's dtype ${x.dtype}, got ${b.dtype}`);
      if (b.shape.length !== 1) throw new OpError(`input B must have rank 1 (one bias per output channel, ${m}), got shape ${showShape(b.shape)}`);
      sameDim(b.shape[0], m, `input B must have one value per output channel (W.shape[0] = ${m}), got shape ${showShape(b.shape)}`);
    }
    const rank = x.shape.length - 2;
    const win = windowForRank(attrs, rank, x);
    const wk = w.shape.slice(2);
    if (win.kernelShape.length) {
      win.kernelShape.forEach((k, i) => sameDim(wk[i], k, `attribute 'kernel_shape' ${showShape(win.kernelShape)} does not match W's spatial dims ${showShape(wk)}`));
    }
    const kernel = wk.map((d, i) => (typeof d === 'number' ? d : win.kernelShape[i] ?? d));
    return [{ dtype: x.dtype, shape: [n, m, ...windowOutputDims(x.shape.slice(2), kernel, win)] }];
  },
});
