import { defineOp, OpError, type RawAttrs, type ValueType } from './types.js';
import { expectDType, input, parseWindow, showShape, windowForRank, windowOutputDims, type WindowAttrs } from './dims.js';
import { int } from './attrs.js';

/** Global pools take no attributes. */
export type GlobalPoolAttrs = Record<string, never>;

export interface PoolAttrs extends WindowAttrs {
  ceilMode: boolean;
  /** AveragePool: divide by every window position inside the padded input, not only real ones. */
  countIncludePad: boolean;
  /** MaxPool Indices: the spatial position flattened row-major (0) or column-major (1), as onnxruntime does. */
  storageOrder: 0 | 1;
}

const FLOATS = ['float32', 'float16'] as const;

function globalPool(name: string) {
  return defineOp<GlobalPoolAttrs>({
    name,
    inputs: [1, 1],
    outputs: [1, 1],
    attributes: {},
    parse: () => ({}),
    infer(inputs) {
      const x = input(inputs, 0, 'X');
      expectDType(x, 'X', FLOATS);
      if (x.shape.length < 3) throw new OpError(`input X must have rank >= 3 (N, C, spatial...), got shape ${showShape(x.shape)}`);
      return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
    },
  });
}

function bool01(raw: RawAttrs, name: string): boolean {
  const v = int(raw, name, 0);
  if (v !== 0 && v !== 1) throw new OpError(`attribute '${name}' must be 0 or 1, got ${v}`);
  return v === 1;
}

/** The pooled output of X (rank 3: 1-D, rank 4: 2-D, NCHW). */
function pooledType(x: ValueType, attrs: PoolAttrs): ValueType {
  if (x.shape.length !== 3 && x.shape.length !== 4) {
    throw new OpError(`input X must have rank 3 (N, C, W) or 4 (N, C, H, W), got shape ${showShape(x.shape)}`);
  }
  const win = windowForRank(attrs, x.shape.length - 2, x);
  return { dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...windowOutputDims(x.shape.slice(2), win.kernelShape, win, attrs.ceilMode)] };
}

function poolAttrs(raw: RawAttrs, storage: boolean): PoolAttrs {
  const storageOrder = storage ? int(raw, 'storage_order', 0) : 0;
  if (storageOrder !== 0 && storageOrder !== 1) throw new OpError(`attribute 'storage_order' must be 0 (row-major) or 1 (column-major), got ${storageOrder}`);
  return { ...parseWindow(raw, true), ceilMode: bool01(raw, 'ceil_mode'), countIncludePad: bool01(raw, 'count_include_pad'), storageOrder };
}

export const GlobalAveragePool = globalPool('GlobalAveragePool');
export const GlobalMaxPool = globalPool('GlobalMaxPool');

/** AveragePool; dilations (opset 19) are accepted too. */
export const AveragePool = defineOp<PoolAttrs>({
  name: 'AveragePool',
  inputs: [1, 1],
  outputs: [1, 1],
  attributes: {
    auto_pad: { type: 'string' }, ceil_mode: { type: 'int' }, count_include_pad: { type: 'int' },
    dilations: { type: 'ints' }, kernel_shape: { type: 'ints', required: true }, pads: { type: 'ints' }, strides: { type: 'ints' },
  },
  parse: (raw) => poolAttrs(raw, false),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'X');
    expectDType(x, 'X', FLOATS);
    return [pooledType(x, attrs)];
  },
});

/** MaxPool; the optional second output Indices (int64) holds flat positions into X. */
export const MaxPool = defineOp<PoolAttrs>({
  name: 'MaxPool',
  inputs: [1, 1],
  outputs: [1, 2],
  attributes: {
    auto_pad: { type: 'string' }, ceil_mode: { type: 'int' }, dilations: { type: 'ints' },
    kernel_shape: { type: 'ints', required: true }, pads: { type: 'ints' }, storage_order: { type: 'int' }, strides: { type: 'ints' },
  },
  parse: (raw) => poolAttrs(raw, true),
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'X');
    expectDType(x, 'X', ['float32', 'float16', 'int8', 'uint8']);
    const y = pooledType(x, attrs);
    return [y, { dtype: 'int64', shape: y.shape.slice() }];
  },
});
