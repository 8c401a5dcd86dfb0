import type { KMeta } from '../types.js';
import type { Unsupported } from './types.js';

/**
 * Helpers that write gpu.js kernel source. gpu.js compiles a JavaScript subset to GLSL: numbers
 * are float32, loops need literal bounds, and there are no helper closures, so everything is
 * emitted inline with the shape numbers as literals.
 */

/** Flat indices are computed in float32: exact below 2^24, so larger tensors stay on the CPU. */
export const MAX_ELEMENTS = 1 << 24;

/** A float literal gpu.js parses (always with a decimal point or exponent, never NaN/Infinity). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`webgl: cannot write ${x} as a shader literal`);
  const s = String(Math.fround(x) === x ? x : Math.fround(x));
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * q = floor(i / n), r = i - q * n for an integer-valued float i < 2^24. Float division may land
 * one off near a multiple of n; the remainder check puts it right, so the result is exact.
 */
export function divmod(i: string, n: number, q: string, r: string): string[] {
  if (n === 1) return [`let ${q} = ${i};`, `let ${r} = 0;`];
  return [
    `let ${q} = Math.floor((${i} + 0.5) / ${lit(n)});`,
    `let ${r} = ${i} - ${q} * ${lit(n)};`,
    `if (${r} < 0) { ${q} = ${q} - 1; ${r} = ${r} + ${lit(n)}; }`,
    `if (${r} >= ${lit(n)}) { ${q} = ${q} + 1; ${r} = ${r} - ${lit(n)}; }`,
  ];
}

/** Multi-index of flat `i` over `shape` (row-major): variables `${p}0..${p}{r-1}`. */
export function unravel(i: string, shape: readonly number[], p: string): string[] {
  const lines: string[] = [];
  let rest = i;
  for (let d = 0; d < shape.length; d++) {
    const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    if (d === shape.length - 1) { lines.push(`let ${p}${d} = ${rest};`); break; }
    lines.push(...divmod(rest, inner, `${p}${d}`, `${p}r${d}`));
    rest = `${p}r${d}`;
  }
  return lines;
}

/** An activation applied to variable `v` in place (the fused epilogues and unary ops share it). */
export interface GlActivation { kind: 'relu' | 'relu6' | 'clip' | 'sigmoid' | 'silu' | 'gelu' | 'gelu_tanh'; min?: number; max?: number }

export function activate(v: string, a: GlActivation | undefined): string[] {
  if (!a) return [];
  switch (a.kind) {
    case 'relu': return [`${v} = Math.max(${v}, 0);`];
    case 'relu6': return [`${v} = Math.min(Math.max(${v}, 0), 6.0);`];
    case 'clip': return [
      ...(a.min !== undefined && Number.isFinite(a.min) ? [`${v} = Math.max(${v}, ${lit(a.min)});`] : []),
      ...(a.max !== undefined && Number.isFinite(a.max) ? [`${v} = Math.min(${v}, ${lit(a.max)});`] : []),
    ];
    case 'sigmoid': return [`${v} = 1 / (1 + Math.exp(-${v}));`];
    case 'silu': return [`${v} = ${v} / (1 + Math.exp(-${v}));`];
    case 'gelu': return [...erf(`${v} * ${lit(Math.SQRT1_2)}`, `${v}_erf`), `${v} = 0.5 * ${v} * (1 + ${v}_erf);`];
    case 'gelu_tanh': return [`${v} = 0.5 * ${v} * (1 + Math.tanh(${lit(Math.sqrt(2 / Math.PI))} * (${v} + 0.044715 * ${v} * ${v} * ${v})));`];
  }
}

/**
 * `out = erf(x)`, the CPU kernel's formula (kernels/cpu/erf.ts): a Taylor series below 0.5,
 * Numerical Recipes' erfc form above, saturated past 6.
 */
export function erf(x: string, out: string): string[] {
  const a = `${out}_a`, t = `${out}_t`, x2 = `${out}_x2`;
  return [
    `let ${a} = Math.abs(${x});`,
    `let ${out} = 1;`,
    `if (${a} < 0.5) {`,
    `  let ${x2} = ${a} * ${a};`,
    `  ${out} = 1.1283791670955126 * ${a} * (1 - ${x2} / 3 * (1 - ${x2} / 10 * 3 * (1 - ${x2} / 21 * 5 * (1 - ${x2} / 36 * 7 * (1 - ${x2} / 55 * 9)))));`,
    `} else if (${a} <= 6) {`,
    `  let ${t} = 1 / (1 + 0.5 * ${a});`,
    `  ${out} = 1 - ${t} * Math.exp(-${a} * ${a} - 1.26551223 + ${t} * (1.00002368 + ${t} * (0.37409196 + ${t} * (0.09678418 + ${t} * (-0.18628806 + ${t} * (0.27886807 + ${t} * (-1.13520398 + ${t} * (1.48851587 + ${t} * (-0.82215223 + ${t} * 0.17087277)))))))));`,
    `}`,
    `if (${x} < 0) { ${out} = -${out}; }`,
  ];
}

export function kernelSource(args: readonly string[], body: readonly string[]): string {
  return `function (${args.join(', ')}) {\n  ${body.join('\n  ')}\n}`;
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** The common reasons a node stays on the CPU, checked before any lowering. */
export function checkFloat(inputs: readonly (KMeta | undefined)[], outputs: readonly KMeta[]): Unsupported | undefined {
  for (const t of [...inputs, ...outputs]) {
    if (!t) continue;
    if (t.packed) return { unsupported: `packed (${t.packed.format}) weights have no WebGL kernel` };
    if (t.dtype !== 'float32') return { unsupported: `${t.dtype} tensors have no WebGL kernel (float32 only)` };
    const n = size(t.shape);
    if (n === 0) return { unsupported: 'empty tensor' };
    if (n >= MAX_ELEMENTS) return { unsupported: `${n} elements: past the 2^24 that float32 indexing addresses exactly` };
  }
  return undefined;
}
