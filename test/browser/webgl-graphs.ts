import { GraphBuilder, Tensor, type Graph } from '../../src/index.js';

/**
 * Graphs that exercise every WebGL kernel (and a CPU fallback between them), shared by the
 * Node test (gpu.js 'cpu' mode: the same kernel sources run as JavaScript) and the Chromium test
 * (real WebGL2). Each comes with its feeds; results are compared with the CPU backend.
 */
export interface Case { name: string; graph: Graph; feeds: Record<string, Tensor>; tol: number }

export function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; return (s / 2 ** 32 - 0.5) * 2 * scale; });
}

const f32 = (shape: number[], seed: number, scale = 1) => new Tensor('float32', shape, seeded(shape.reduce((a, b) => a * b, 1), seed, scale));

export function webglCases(): Case[] {
  const cases: Case[] = [];
  {
    // Conv (stride, pads, dilation), grouped, depthwise with ReLU6, pointwise: fused by the passes.
    const b = new GraphBuilder('convs');
    const x = b.input('x', 'float32', [2, 6, 11, 9]);
    let y = b.relu(b.conv(x, b.constant(f32([8, 6, 3, 3], 1, 0.3)), b.constant(f32([8], 2)), { pads: [1, 2, 1, 0], strides: [2, 1], dilations: [1, 2] }));
    y = b.conv(y, b.constant(f32([8, 4, 1, 3], 3, 0.3)), undefined, { group: 2, pads: [0, 1, 0, 1] });
    y = b.clip(b.conv(y, b.constant(f32([8, 1, 3, 3], 4, 0.5)), b.constant(f32([8], 5)), { group: 8, pads: [1, 1, 1, 1], strides: [2, 2] }), 0, 6);
    y = b.conv(y, b.constant(f32([5, 8, 1, 1], 6, 0.3)));
    b.output(b.sigmoid(y), 'y');
    cases.push({ name: 'conv family', graph: b.build(), feeds: { x: f32([2, 6, 11, 9], 7) }, tol: 2e-5 });
  }
  {
    // MatMul with broadcast batch dims, fused bias + GELU, Gemm with transposes and C, softmax on the CPU.
    const b = new GraphBuilder('matmuls');
    const a = b.input('a', 'float32', [3, 1, 5, 7]);
    const m = b.matmul(a, b.constant(f32([4, 7, 6], 8, 0.5)));          // [3, 4, 5, 6]
    const g = b.gelu(b.add(m, b.constant(f32([6], 9))));                  // FusedMatMul + bias + GELU
    const s = b.softmax(g, -1);                                           // CPU fallback in between
    const flat = b.reshape(s, [60, 6]);
    const ge = b.gemm(b.constant(f32([6, 60], 10, 0.5)), flat, b.constant(f32([1, 6], 11)), { transA: 0, transB: 0, alpha: 0.5, beta: 2 });
    const gt = b.gemm(ge, b.constant(f32([3, 6], 12)), b.constant(f32([3], 13)), { transA: 1, transB: 1 }); // [6, 3]
    b.output(b.tanh(gt), 'y');
    b.output(b.matmul(b.input('v', 'float32', [7]), b.constant(f32([7, 2], 14))), 'v2');  // 1-D A
    cases.push({ name: 'matmul family', graph: b.build(), feeds: { a: f32([3, 1, 5, 7], 15), v: f32([7], 16) }, tol: 2e-5 });
  }
  {
    // Elementwise: broadcasting binaries and the unary ops.
    const b = new GraphBuilder('elementwise');
    const x = b.input('x', 'float32', [2, 3, 4]);
    const z = b.input('z', 'float32', [3, 1]);
    let y = b.op('Max', [b.sub(b.mul(x, z), b.constant(f32([4], 17))), b.constant(f32([1], 18))]);
    y = b.op('Min', [b.div(y, b.add(b.op('Abs', [z]), b.float(0.5))), x]);
    const pos = b.add(b.op('Abs', [y]), b.float(0.1));
    const parts = [
      b.op('Exp', [y]), b.op('Log', [pos]), b.sqrt(pos), b.neg(y), b.op('Reciprocal', [pos]), b.op('Floor', [y]), b.op('Ceil', [y]),
      b.op('Softplus', [y]), b.op('HardSigmoid', [y], { alpha: 0.3, beta: 0.4 }), b.op('HardSwish', [y]), b.op('LeakyRelu', [y], { alpha: 0.2 }),
      b.erf(y), b.gelu(y, 'tanh'), b.gelu(y), b.clip(y, -0.5, 0.25), b.relu(y),
    ];
    b.output(b.concat(parts, 0), 'y');
    cases.push({ name: 'elementwise', graph: b.build(), feeds: { x: f32([2, 3, 4], 19, 3), z: f32([3, 1], 20) }, tol: 2e-6 });
  }
  return cases;
}

/** Largest |a - b| / (1 + |b|) over two float32 outputs. */
export function worstError(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let worst = x.length === y.length ? 0 : Infinity;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])) || (x[i] === y[i] ? 0 : Infinity));
  return worst;
}
