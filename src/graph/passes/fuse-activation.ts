import type { Node } from '../graph.js';
import { Tensor } from '../../tensor.js';
import { isFloat, toPublicData, type DType } from '../../dtype.js';
import type { Dim, RawAttrs, ValueType } from '../../ops/types.js';
import type { FusedActivationName } from '../../ops/fused.js';
import { other, valueTypes, type Pass, type Rewriter } from './pattern.js';

/** An activation found after a value: the nodes computing it and the value it produces. */
export interface ActivationMatch {
  name: FusedActivationName;
  params?: number[];
  nodes: Node[];
  out: string;
}

/**
 * The activation applied to `v`, when the nodes applying it are the only readers of `v`:
 * Relu, Clip with constant bounds (ReLU6), Sigmoid, Gelu (both forms), and SiLU written as
 * Mul(v, Sigmoid(v)).
 */
export function matchActivation(rw: Rewriter, v: string): ActivationMatch | undefined {
  if (rw.isGraphOutput(v)) return undefined;
  const cs = rw.consumers(v);
  if (cs.length === 2) {
    const s = cs.find((n) => n.op === 'Sigmoid'), m = cs.find((n) => n.op === 'Mul');
    if (!s || !m || !rw.onlyFeeds(s.outputs[0], m) || other(m, s.outputs[0]) !== v) return undefined;
    return { name: 'SiLU', nodes: [s, m], out: m.outputs[0] };
  }
  if (cs.length !== 1 || cs[0].inputs[0] !== v) return undefined;
  const c = cs[0], out = c.outputs[0];
  switch (c.op) {
    case 'Relu': return { name: 'Relu', nodes: [c], out };
    case 'Sigmoid': return { name: 'Sigmoid', nodes: [c], out };
    case 'Gelu': return { name: c.attrs.approximate === 'tanh' ? 'GeluTanh' : 'Gelu', nodes: [c], out };
    case 'Clip': {
      const bound = (k: number, attr: string, def: number): number | undefined => {
        if (c.inputs[k]) return rw.scalar(c.inputs[k]);
        return (c.attrs[attr] as number | undefined) ?? def;
      };
      const min = bound(1, 'min', -Infinity), max = bound(2, 'max', Infinity);
      if (min === undefined || max === undefined || !(min <= max)) return undefined;
      return { name: 'Clip', params: [min, max], nodes: [c], out };
    }
  }
  return undefined;
}

/**
 * Conv / Gemm / MatMul followed by a constant bias Add and/or an activation become one node
 * whose kernel applies both in its epilogue: Conv -> Conv (bias merged) or FusedConv, Gemm ->
 * Gemm (bias as C) or FusedGemm, MatMul -> FusedMatMul (bias [N], zero when there is none).
 * Each fused-away value must feed only the next node of the pattern and not be a graph output.
 */
export const fuseActivation: Pass = {
  name: 'fuse-activation',
  run(rw) {
    const types = valueTypes(rw.graph);
    for (const n of rw.nodes()) {
      if (!rw.isLive(n)) continue;
      if (n.op === 'Conv') fuseConv(rw, n, types);
      else if (n.op === 'Gemm') fuseGemm(rw, n, types);
      else if (n.op === 'MatMul') fuseMatMul(rw, n, types);
    }
  },
};

interface BiasAdd { add: Node; name: string; bias: Tensor; values: Float64Array }

/** Add(v, c) or Add(c, v) reading `v` alone, with c a float constant of v's dtype. */
function biasAdd(rw: Rewriter, v: string, dtype: DType): BiasAdd | undefined {
  const add = rw.soleConsumer(v, 'Add');
  const name = add && other(add, v), bias = name && name !== v ? rw.constant(name) : undefined;
  if (!add || !name || !bias || bias.dtype !== dtype) return undefined;
  return { add, name, bias, values: rw.floatValues(name)! };
}

/** The bias as one value per position of `axis` (of an output of rank `rank`), if it broadcasts only along that axis. */
function perAxis(b: BiasAdd, rank: number, axis: number, size: number): Float32Array | undefined {
  if (b.bias.rank > rank) return undefined;
  const padded = [...new Array<number>(rank - b.bias.rank).fill(1), ...b.bias.shape];
  if (!padded.every((d, i) => d === 1 || (i === axis && d === size))) return undefined;
  return b.values.length === size ? Float32Array.from(b.values) : new Float32Array(size).fill(b.values[0]);
}

function activationAttrs(act: ActivationMatch | undefined): RawAttrs {
  if (!act) return {};
  return { activation: act.name, ...(act.params ? { activation_params: act.params } : {}) };
}

function fuseConv(rw: Rewriter, conv: Node, types: Map<string, ValueType>): void {
  const y = types.get(conv.outputs[0]), w = types.get(conv.inputs[1]);
  if (!y || !w || typeof w.shape[0] !== 'number') return;
  const M = w.shape[0];
  const found = biasAdd(rw, conv.outputs[0], y.dtype);
  const add = found && perAxis(found, y.shape.length, 1, M);
  const old = conv.inputs[2] ? rw.floatValues(conv.inputs[2]) : new Float64Array(M);
  let inputs = conv.inputs;
  if (found && add && old) {
    const merged = Float32Array.from(old, (b, m) => b + add[m]);
    inputs = [conv.inputs[0], conv.inputs[1], rw.addInitializer(`${conv.name}_bias`, tensor(y.dtype, [M], merged))];
  }
  const last = found && add && old ? found.add : conv;
  let act = matchActivation(rw, last.outputs[0]);
  if (act?.name === 'GeluTanh') act = undefined; // no such conv epilogue
  if (last === conv && !act) return;
  const out = act ? act.out : last.outputs[0];
  const fused: Node = act
    ? { name: conv.name, op: 'FusedConv', domain: 'tessera', inputs, outputs: [out], attrs: { ...conv.attrs, ...activationAttrs(act) } }
    : { ...conv, inputs, outputs: [out], attrs: { ...conv.attrs } };
  rw.replace([conv, ...(last !== conv ? [last] : []), ...(act?.nodes ?? [])], [fused]);
}

function fuseGemm(rw: Rewriter, gemm: Node, types: Map<string, ValueType>): void {
  const y = types.get(gemm.outputs[0]);
  if (!y) return;
  const found = gemm.inputs[2] ? undefined : biasAdd(rw, gemm.outputs[0], y.dtype);
  const fits = found && found.bias.rank <= 2 && found.bias.shape.every((d, i) => d === 1 || d === y.shape[y.shape.length - found.bias.rank + i]);
  const last = found && fits ? found.add : gemm;
  const act = matchActivation(rw, last.outputs[0]);
  if (last === gemm && !act) return;
  const inputs = last === gemm ? gemm.inputs : [gemm.inputs[0], gemm.inputs[1], found!.name];
  const attrs: RawAttrs = { ...gemm.attrs, ...(last === gemm ? {} : { beta: 1 }), ...activationAttrs(act) };
  const out = act ? act.out : last.outputs[0];
  const fused: Node = act
    ? { name: gemm.name, op: 'FusedGemm', domain: 'tessera', inputs, outputs: [out], attrs }
    : { ...gemm, inputs, outputs: [out], attrs };
  rw.replace([gemm, ...(last !== gemm ? [last] : []), ...(act?.nodes ?? [])], [fused]);
}

function fuseMatMul(rw: Rewriter, mm: Node, types: Map<string, ValueType>): void {
  const y = types.get(mm.outputs[0]), b = types.get(mm.inputs[1]);
  if (!y || !b || !isFloat(y.dtype) || y.shape.length < 2 || b.shape.length < 2) return;
  const N: Dim = y.shape[y.shape.length - 1];
  if (typeof N !== 'number') return;
  const found = biasAdd(rw, mm.outputs[0], y.dtype);
  const vals = found && perAxis(found, y.shape.length, y.shape.length - 1, N);
  const last = found && vals ? found.add : mm;
  const act = matchActivation(rw, last.outputs[0]);
  if (last === mm && !act) return;
  let bias: string;
  if (found && vals) {
    bias = found.bias.rank === 1 && found.bias.size === N ? found.name : rw.addInitializer(`${mm.name}_bias`, tensor(y.dtype, [N], vals));
  } else bias = rw.addInitializer(`${mm.name}_bias`, tensor(y.dtype, [N], new Float32Array(N)));
  const out = act ? act.out : last.outputs[0];
  rw.replace([mm, ...(last !== mm ? [last] : []), ...(act?.nodes ?? [])], [
    { name: mm.name, op: 'FusedMatMul', domain: 'tessera', inputs: [mm.inputs[0], mm.inputs[1], bias], outputs: [out], attrs: activationAttrs(act) },
  ]);
}

function tensor(dtype: DType, shape: number[], data: Float32Array): Tensor {
  return new Tensor(dtype, shape, toPublicData(dtype, data) as never);
}
