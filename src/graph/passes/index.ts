import { GraphError, type Graph } from '../graph.js';
import type { Evaluate } from '../infer.js';
import { Rewriter, type Pass } from './pattern.js';
import { constantFold } from './constant-fold.js';
import { dce } from './dce.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { fuseLayerNorm } from './fuse-layernorm.js';
import { fuseGelu } from './fuse-gelu.js';
import { fuseActivation } from './fuse-activation.js';
import { sparsify } from './sparsify.js';

/**
 * The passes in the order optimize() runs them. Folding first turns Constant nodes and shape
 * arithmetic into initializers the matchers can read; BatchNorm folds into Conv before the
 * activation fusion looks at what follows the Conv; LayerNorm and GELU are recognised before
 * activation fusion so a recognised Gelu can join a MatMul's epilogue; sparsify comes after the
 * fusions so sparse layers keep their bias and activation epilogues; DCE last drops what the
 * rewrites left unread.
 */
export const PASSES: readonly Pass[] = [constantFold, dce, foldBatchNorm, fuseLayerNorm, fuseGelu, fuseActivation, sparsify, dce];

export const PASS_NAMES = [...new Set(PASSES.map((p) => p.name))];

export interface OptimizeOptions {
  /** Runs a node on constant inputs (e.g. evaluateOnCpu); without it constant folding covers only Constant nodes and shapes. */
  evaluate?: Evaluate;
  /** Pass names to run, in this order; or the default pipeline minus `disable`. */
  passes?: readonly string[] | { disable?: readonly string[] };
}

/** Graph optimizations run by InferenceSession.create. Returns a new graph; the input is not changed. */
export function optimize(graph: Graph, opts: OptimizeOptions = {}): Graph {
  const byName = new Map(PASSES.map((p) => [p.name, p]));
  const check = (names: readonly string[]) => {
    const bad = names.filter((n) => !byName.has(n));
    if (bad.length) throw new GraphError(`unknown optimization pass${bad.length > 1 ? 'es' : ''} ${bad.map((n) => `'${n}'`).join(', ')}; the passes are ${PASS_NAMES.join(', ')}`);
  };
  let passes: readonly Pass[] = PASSES;
  if (Array.isArray(opts.passes)) {
    check(opts.passes);
    passes = opts.passes.map((n) => byName.get(n)!);
  } else if (opts.passes) {
    const disable = (opts.passes as { disable?: readonly string[] }).disable ?? [];
    check(disable);
    passes = PASSES.filter((p) => !disable.includes(p.name));
  }
  const rw = new Rewriter(graph.clone());
  for (const p of passes) p.run(rw, { evaluate: opts.evaluate });
  return rw.graph;
}

export type { Pass, PassContext } from './pattern.js';
