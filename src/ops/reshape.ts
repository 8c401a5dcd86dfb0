import { defineOp, OpError, type Dim } from './types.js';
import { expectDType, expectRank, input, knownInts, showShape } from './dims.js';
import { int } from './attrs.js';

export interface ReshapeAttrs { allowzero: boolean }

export const Reshape = defineOp<ReshapeAttrs>({
  name: 'Reshape',
  inputs: [2, 2],
  outputs: [1, 1],
  attributes: { allowzero: { type: 'int' } },
  parse(raw) {
    const a = int(raw, 'allowzero', 0);
    if (a !== 0 && a !== 1) throw new OpError(`attribute 'allowzero' must be 0 or 1, got ${a}`);
    return { allowzero: a === 1 };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'data'), s = input(inputs, 1, 'shape');
    expectDType(s, 'shape', ['int64', 'int32']);
    expectRank(s, 'shape', 1);
    const target = knownInts(s);
    let shape: Dim[];
    if (target) shape = reshapeDims(x.shape, target, attrs.allowzero);
    else if (typeof s.shape[0] === 'number') shape = new Array<Dim>(s.shape[0]).fill('?');
    else throw new OpError(`the length of the shape input (${s.shape[0]}) is unknown, so the output rank is too`);
    return [{ dtype: x.dtype, shape }];
  },
});

/**
 * ONNX Reshape's target -> output dims: 0 copies the input dim (unless allowzero), one -1 is
 * inferred. Symbolic input dims that the target copies cancel out, so [batch, 12, 64] -> [0, -1]
 * still gives [batch, 768]; when they do not, the inferred dim is '?'.
 */
export function reshapeDims(inShape: readonly Dim[], target: readonly number[], allowzero: boolean): Dim[] {
  const show = `${showShape(inShape)} into ${showShape(target)}`;
  const out: Dim[] = [], copied = new Set<number>();
  let minus = -1;
  target.forEach((t, i) => {
    if (t === -1) {
      if (minus >= 0) throw new OpError(`cannot reshape ${show}: more than one -1`);
      minus = i;
      out.push(-1);
    } else if (t < -1) {
      throw new OpError(`cannot reshape ${show}: dimension ${t} at position ${i} is negative`);
    } else if (t === 0 && !allowzero) {
      if (i >= inShape.length) throw new OpError(`cannot reshape ${show}: 0 at position ${i} copies an input dimension, but the input has rank ${inShape.length}`);
      out.push(inShape[i]);
      copied.add(i);
    } else out.push(t);
  });
  if (allowzero && minus >= 0 && target.includes(0)) throw new OpError(`cannot reshape ${show}: with allowzero=1 the shape cannot hold both 0 and -1`);

  // Copied dims and symbols on both sides cancel; what is left decides whether sizes are checkable.
  const inSyms: string[] = [], outSyms: string[] = [];
  let inN = 1, outN = 1;
  inShape.forEach((d, i) => { if (!copied.has(i)) typeof d === 'number' ? (inN *= d) : inSyms.push(d); });
  out.forEach((d, i) => { if (i !== minus && !copied.has(i)) typeof d === 'number' ? (outN *= d) : outSyms.push(d); });
  for (let i = outSyms.length - 1; i >= 0; i--) {
    const k = outSyms[i] === '?' ? -1 : inSyms.indexOf(outSyms[i]);
    if (k >= 0) { inSyms.splice(k, 1); outSyms.splice(i, 1); }
  }
  if (inSyms.length === 0 && outSyms.length === 0) {
    if (minus < 0) {
      // A copied 0 makes both sides empty whatever the rest says.
      const copiedN = [...copied].reduce((n, i) => n * (typeof inShape[i] === 'number' ? (inShape[i] as number) : 1), 1);
      if (copiedN !== 0 && inN !== outN) throw new OpError(`cannot reshape ${show}: ${inN * copiedN} elements vs ${outN * copiedN}`);
    } else {
      if (outN === 0 || inN % outN !== 0) throw new OpError(`cannot reshape ${show}: ${inN} elements cannot be split into ${showShape(out.map((d, i) => (i === minus ? -1 : d)))}`);
      out[minus] = inN / outN;
    }
  } else if (minus >= 0) {
    out[minus] = outSyms.length === 0 && inSyms.length === 1 && inN === outN && inSyms[0] !== '?' ? inSyms[0] : '?';
  }
  return out;
}
