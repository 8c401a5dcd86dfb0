import type { UnaryAttrs } from '../../src/ops/unary.js';
import type { BinaryAttrs } from '../../src/ops/binary.js';
import type { ClipAttrs } from '../../src/ops/clip.js';
import type { GeluAttrs } from '../../src/ops/gelu.js';
import { webglKernel, type GlProgram, type Unsupported } from './types.js';
import { activate, checkFloat, erf, kernelSource, lit, size, unravel } from './source.js';

/** Each unary op as statements on `v`, matching kernels/cpu/unary.ts. */
function unaryLines(a: UnaryAttrs): string[] | undefined {
  switch (a.op) {
    case 'Relu': return ['v = Math.max(v, 0);'];
    case 'Sigmoid': return ['v = 1 / (1 + Math.exp(-v));'];
    case 'Tanh': return ['v = Math.tanh(v);'];
    case 'Erf': return [...erf('v', 'e'), 'v = e;'];
    case 'Sqrt': return ['v = Math.sqrt(v);'];
    case 'Exp': return ['v = Math.exp(v);'];
    case 'Log': return ['v = Math.log(v);'];
    case 'Neg': return ['v = -v;'];
    case 'Abs': return ['v = Math.abs(v);'];
    case 'Reciprocal': return ['v = 1 / v;'];
    case 'Floor': return ['v = Math.floor(v);'];
    case 'Ceil': return ['v = Math.ceil(v);'];
    // log(1 + e^v) = max(v, 0) + log(1 + e^-|v|): no overflow, and no log1p in GLSL.
    case 'Softplus': return ['if (v <= 20) { v = Math.max(v, 0) + Math.log(1 + Math.exp(-Math.abs(v))); }'];
    case 'HardSigmoid': return [`v = Math.max(0, Math.min(1, ${lit(a.alpha)} * v + ${lit(a.beta)}));`];
    case 'HardSwish': return ['v = v * Math.max(0, Math.min(1, v / 6 + 0.5));'];
    case 'LeakyRelu': return [`if (v < 0) { v = ${lit(a.alpha)} * v; }`];
    default: return undefined; // Not: bool
  }
}

function mapInput(lines: string[], n: number): GlProgram {
  return { source: kernelSource(['x'], ['let v = x[this.thread.x];', ...lines, 'return v;']), outputSize: n, inputs: [0] };
}

export const unary = webglKernel<UnaryAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const lines = unaryLines(attrs);
    return lines ? mapInput(lines, size(outputs[0].shape)) : { unsupported: `${attrs.op} has no WebGL kernel` };
  },
});

export const gelu = webglKernel<GeluAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    return bad ?? mapInput(activate('v', { kind: attrs.approximate === 'tanh' ? 'gelu_tanh' : 'gelu' }), size(outputs[0].shape));
  },
});

/** Clip with bounds known at plan time (constants); computed bounds stay on the CPU. */
export const clip = webglKernel<ClipAttrs>({
  lower(_attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const bound = (i: number): number | undefined | Unsupported => {
      const t = inputs[i];
      if (!t) return undefined;
      return t.data ? t.data[0] : { unsupported: 'Clip bounds computed at run time' };
    };
    const lo = bound(1), hi = bound(2);
    if (typeof lo === 'object') return lo;
    if (typeof hi === 'object') return hi;
    // min > max gives max everywhere (ONNX): max(v, lo) then min(., hi) does exactly that.
    return mapInput(activate('v', { kind: 'clip', min: lo, max: hi }), size(outputs[0].shape));
  },
});

const BINARY: Partial<Record<BinaryAttrs['op'], string>> = {
  Add: 'p + q', Sub: 'p - q', Mul: 'p * q', Div: 'p / q',
  // NaN propagates from the first operand, as on the CPU.
  Max: '(p >= q || p != p) ? p : q', Min: '(p <= q || p != p) ? p : q',
};

/** Binary arithmetic with numpy broadcasting: each operand's flat index from the output's. */
export const binary = webglKernel<BinaryAttrs>({
  lower(attrs, inputs, outputs) {
    const bad = checkFloat(inputs, outputs);
    if (bad) return bad;
    const expr = BINARY[attrs.op];
    if (!expr) return { unsupported: `${attrs.op} has no WebGL kernel${attrs.op === 'Pow' ? ' (GLSL pow is undefined for negative bases)' : ''}` };
    const out = outputs[0].shape, r = out.length;
    const index = (s: readonly number[]): string => {
      if (size(s) === size(out)) return 'this.thread.x';
      if (size(s) === 1) return '0';
      const terms: string[] = [];
      let stride = 1;
      for (let d = r - 1; d >= 0; d--) {
        const k = d - (r - s.length), dim = k >= 0 ? s[k] : 1;
        if (dim !== 1) terms.push(`o${d} * ${stride}`);
        stride *= dim;
      }
      return terms.join(' + ');
    };
    const ia = index(inputs[0]!.shape), ib = index(inputs[1]!.shape);
    const needs = ia.includes('o') || ib.includes('o');
    const body = [...(needs ? unravel('this.thread.x', out, 'o') : []), `let p = a[${ia}];`, `let q = b[${ib}];`, `return ${expr};`];
    return { source: kernelSource(['a', 'b'], body), outputSize: size(out), inputs: [0, 1] };
  },
});
