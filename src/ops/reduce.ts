import type { DType } from '../dtype.js';
import { defineOp, OpError, type OpSchema, type ValueType } from './types.js';
import type { Dim } from './types.js';
import { expectDType, input, knownInts, normAxis, showShape } from './dims.js';
import { int, ints } from './attrs.js';

export type ReduceOpName = 'ReduceMean' | 'ReduceSum' | 'ReduceMax';

export interface ReduceAttrs {
  op: ReduceOpName;
  /** From the `axes` attribute (opset < 18 style); the `axes` input (opset 13+ ReduceSum, 18+ all) is read at plan time. */
  axes?: number[];
  keepdims: boolean;
  /** With no axes: true = identity, false = reduce over every dim. */
  noopWithEmptyAxes: boolean;
}

const DTYPES: Record<ReduceOpName, readonly DType[]> = {
  ReduceMean: ['float32', 'float16', 'int32', 'int64'],
  ReduceSum: ['float32', 'float16', 'int32', 'int64'],
  ReduceMax: ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8'],
};

function flag(v: number, name: string): boolean {
  if (v !== 0 && v !== 1) throw new OpError(`attribute '${name}' must be 0 or 1, got ${v}`);
  return v === 1;
}

/**
 * The reduced axes, normalised and sorted: [] means none (identity or all, see noopWithEmptyAxes);
 * undefined means an axes input whose value is not known at plan time.
 */
function reduceAxes(attrs: ReduceAttrs, axesInput: ValueType | undefined, rank: number): number[] | undefined {
  let raw = attrs.axes;
  if (axesInput) {
    if (raw) throw new OpError("axes are given both as the 'axes' attribute and as input 1; give one");
    expectDType(axesInput, 'axes', ['int64', 'int32']);
    if (axesInput.shape.length !== 1) throw new OpError(`input axes must be 1-D, got shape ${showShape(axesInput.shape)}`);
    raw = knownInts(axesInput);
    if (!raw && axesInput.shape[0] !== 0) return undefined;
    raw ??= [];
  }
  const axes = (raw ?? []).map((a) => normAxis(a, rank, 'axes entry'));
  if (new Set(axes).size !== axes.length) throw new OpError(`axes [${raw}] name the same axis twice (rank ${rank})`);
  return axes.sort((a, b) => a - b);
}

function reduce(op: ReduceOpName): OpSchema<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    name: op,
    inputs: [1, 2],
    outputs: [1, 1],
    attributes: { axes: { type: 'ints' }, keepdims: { type: 'int' }, noop_with_empty_axes: { type: 'int' } },
    parse(raw) {
      const axes = ints(raw, 'axes');
      return {
        op,
        ...(axes ? { axes: axes.slice() } : {}),
        keepdims: flag(int(raw, 'keepdims', 1), 'keepdims'),
        noopWithEmptyAxes: flag(int(raw, 'noop_with_empty_axes', 0), 'noop_with_empty_axes'),
      };
    },
    infer(inputs, attrs) {
      const x = input(inputs, 0, 'data');
      expectDType(x, 'data', DTYPES[op]);
      const rank = x.shape.length;
      const axes = reduceAxes(attrs, inputs[1], rank);
      if (!axes) {
        // Axes known only at run time: the rank survives with keepdims, nothing else does.
        if (attrs.keepdims) return [{ dtype: x.dtype, shape: x.shape.map((d) => (d === 1 ? 1 : '?')) }];
        const n = inputs[1]!.shape[0];
        if (typeof n !== 'number') throw new OpError('with keepdims=0 the axes input must be a constant or at least have a known length');
        return [{ dtype: x.dtype, shape: new Array<Dim>(Math.max(0, rank - n)).fill('?') }];
      }
      if (axes.length === 0 && attrs.noopWithEmptyAxes) return [{ dtype: x.dtype, shape: x.shape.slice() }];
      const all = axes.length === 0, shape: Dim[] = [];
      x.shape.forEach((d, i) => {
        if (!all && !axes.includes(i)) shape.push(d);
        else if (attrs.keepdims) shape.push(1);
      });
      return [{ dtype: x.dtype, shape }];
    },
  });
}

export const ReduceMean = reduce('ReduceMean');
export const ReduceSum = reduce('ReduceSum');
export const ReduceMax = reduce('ReduceMax');
