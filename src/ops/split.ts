import { defineOp, OpError, type Dim, type ValueType } from './types.js';
import { expectDType, expectRank, input, knownInts, normAxis, showShape } from './dims.js';
import { int, ints } from './attrs.js';

/**
 * split: sizes from the attribute (opset < 13); from opset 13 they come as optional input 1.
 * numOutputs: opset 18's num_outputs. Shape inference does not see how many outputs a node
 * names, so a Split with neither sizes nor num_outputs (legal in opset 13-17: "split equally
 * into as many outputs as there are") needs its importer to fill num_outputs from the node.
 */
export interface SplitAttrs { axis: number; split: number[] | undefined; numOutputs: number | undefined }

export const Split = defineOp<SplitAttrs>({
  name: 'Split',
  inputs: [1, 2],
  outputs: [1, Infinity],
  attributes: { axis: { type: 'int' }, split: { type: 'ints' }, num_outputs: { type: 'int' } },
  parse(raw) {
    const numOutputs = raw.num_outputs as number | undefined, sizes = ints(raw, 'split')?.slice();
    if (numOutputs !== undefined && numOutputs < 1) throw new OpError(`attribute 'num_outputs' must be >= 1, got ${numOutputs}`);
    if (numOutputs !== undefined && sizes) throw new OpError(`attributes 'split' and 'num_outputs' cannot both be given`);
    return { axis: int(raw, 'axis', 0), split: sizes, numOutputs };
  },
  infer(inputs, attrs) {
    const x = input(inputs, 0, 'input'), s = inputs[1];
    const axis = normAxis(attrs.axis, x.shape.length, `attribute 'axis'`), d = x.shape[axis];
    if (s) {
      expectDType(s, 'split', ['int64', 'int32']);
      expectRank(s, 'split', 1);
      if (attrs.split || attrs.numOutputs !== undefined) throw new OpError(`split sizes come either from input 1 or from the attributes, not both`);
    }
    let sizes: Dim[] | undefined = s ? knownInts(s) : attrs.split;
    if (sizes) {
      if (sizes.some((n) => (n as number) < 0)) throw new OpError(`split sizes ${showShape(sizes)} must be >= 0`);
      const sum = (sizes as number[]).reduce((a, b) => a + b, 0);
      if (typeof d === 'number' && sum !== d) throw new OpError(`split sizes ${showShape(sizes)} add up to ${sum}, but axis ${axis} of ${showShape(x.shape)} has size ${d}`);
    } else if (s) {
      const n = s.shape[0];
      if (typeof n !== 'number') throw new OpError(`the length of the split input (${n}) is unknown, so the number of outputs is too`);
      sizes = new Array<Dim>(n).fill('?');
    } else if (attrs.numOutputs !== undefined) {
      sizes = typeof d === 'number' ? equalChunks(d, attrs.numOutputs) : attrs.numOutputs === 1 ? [d] : new Array<Dim>(attrs.numOutputs).fill('?');
    } else {
      throw new OpError(`give the split sizes (input 1) or the num_outputs attribute: shape inference cannot see how many outputs the node has`);
    }
    const outs: ValueType[] = sizes.map((n) => ({ dtype: x.dtype, shape: x.shape.map((e, i) => (i === axis ? n : e)) }));
    return outs;
  },
});

/** Opset 18: chunks of ceil(d / n), the last one smaller. */
function equalChunks(d: number, n: number): number[] {
  const c = Math.ceil(d / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(c, d - i * c)));
}
