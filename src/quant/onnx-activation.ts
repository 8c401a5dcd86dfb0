import type { Node } from '../graph/graph.js';
import { Tensor } from '../tensor.js';

/** Adds nodes and constants to a graph being lowered to standard ONNX; names are fresh. */
export interface Emitter {
  node(op: string, inputs: string[], attrs?: Node['attrs'], domain?: string): string;
  /** A node with `count` outputs. */
  multi(op: string, inputs: string[], count: number): string[];
  constant(stem: string, t: Tensor): string;
  opset: number;
}

/**
 * The epilogue activation of a fused or quantized node (its `activation` / `activation_params`
 * attributes) as standard ONNX nodes after `x`; returns the activated value. GELU is the Gelu op
 * from opset 20, else its erf (or tanh) formula.
 */
export function emitActivation(e: Emitter, x: string, name: string | undefined, params: number[] | undefined): string {
  if (name === undefined) return x;
  const f = (v: number) => e.constant('c', new Tensor('float32', [], [v]));
  switch (name) {
    case 'Relu': return e.node('Relu', [x]);
    case 'Sigmoid': return e.node('Sigmoid', [x]);
    case 'Clip': return e.node('Clip', [x, f(params![0]), f(params![1])]);
    case 'SiLU': return e.node('Mul', [x, e.node('Sigmoid', [x])]);
    case 'Gelu':
      if (e.opset >= 20) return e.node('Gelu', [x]);
      return e.node('Mul', [e.node('Mul', [x, e.node('Add', [e.node('Erf', [e.node('Div', [x, f(Math.SQRT2)])]), f(1)])]), f(0.5)]);
    case 'GeluTanh': {
      if (e.opset >= 20) return e.node('Gelu', [x], { approximate: 'tanh' });
      const cube = e.node('Mul', [e.node('Mul', [x, x]), x]);
      const inner = e.node('Mul', [e.node('Add', [x, e.node('Mul', [cube, f(0.044715)])]), f(Math.sqrt(2 / Math.PI))]);
      return e.node('Mul', [e.node('Mul', [x, e.node('Add', [e.node('Tanh', [inner]), f(1)])]), f(0.5)]);
    }
    default: throw new Error(`cannot write activation '${name}' as standard ONNX`);
  }
}

/** Attributes of a fused/quantized node without the epilogue and Tessera-only ones. */
export function baseAttrs(n: Node): Node['attrs'] {
  const { activation: _a, activation_params: _p, input_quant: _q, ...rest } = n.attrs;
  return rest;
}

export function activationOf(n: Node): [string | undefined, number[] | undefined] {
  return [n.attrs.activation as string | undefined, n.attrs.activation_params as number[] | undefined];
}

/**
 * FusedConv / FusedGemm / FusedMatMul (domain 'tessera') as the standard op plus its bias and
 * activation nodes. Returns the value the fused node produced, now computed by standard ops.
 */
export function emitFused(e: Emitter, n: Node): string {
  const [act, params] = activationOf(n);
  let y: string;
  if (n.op === 'FusedConv') y = e.node('Conv', n.inputs.filter((v, i) => i < 2 || v), baseAttrs(n));
  else if (n.op === 'FusedGemm') y = e.node('Gemm', n.inputs.filter((v, i) => i < 2 || v), baseAttrs(n));
  else y = e.node('Add', [e.node('MatMul', [n.inputs[0], n.inputs[1]]), n.inputs[2]]);
  return emitActivation(e, y, act, params);
}
