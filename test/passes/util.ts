import { expect } from 'vitest';
import { Graph, InferenceSession, Tensor } from '../../src/index.js';
import { optimize, type OptimizeOptions } from '../../src/graph/passes/index.js';
import { evaluateOnCpu } from '../../src/runtime/cpu/evaluate.js';
import { expectClose, randomFloats } from '../util/numerics.js';

/** The ops of a graph in node order: what a pass test asserts before and after. */
export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

/** optimize() with the CPU evaluator, checking the input graph is left as it was. */
export function run(g: Graph, passes?: OptimizeOptions['passes']): Graph {
  const before = JSON.stringify(g.nodes), inits = [...g.initializers.keys()];
  const out = optimize(g, { evaluate: evaluateOnCpu, ...(passes ? { passes } : {}) });
  expect(JSON.stringify(g.nodes)).toBe(before);
  expect([...g.initializers.keys()]).toEqual(inits);
  return out;
}

/** A float32 tensor of uniform values in [lo, hi). */
export function rand(shape: number[], seed: number, lo = -1, hi = 1): Tensor<'float32'> {
  return new Tensor('float32', shape, randomFloats(shape.reduce((a, b) => a * b, 1), seed, lo, hi));
}

/**
 * Runs both graphs unoptimized on the same feeds and checks every output agrees (float32
 * tolerance: 1e-5 absolute + 1e-5 relative; a fold or fusion only reorders rounding).
 */
export async function expectSameOutputs(before: Graph, after: Graph, feeds: Record<string, Tensor>, tol = { atol: 1e-5, rtol: 1e-5 }): Promise<void> {
  const a = await InferenceSession.create(before, { optimize: false });
  const b = await InferenceSession.create(after, { optimize: false });
  expect(b.outputNames).toEqual(a.outputNames);
  const ra = await a.run(feeds), rb = await b.run(feeds);
  for (const name of a.outputNames) {
    expect(rb[name].dtype).toBe(ra[name].dtype);
    expect(rb[name].shape).toEqual(ra[name].shape);
    expectClose(rb[name].toArray(), ra[name].toArray(), { output: name }, tol);
  }
}
