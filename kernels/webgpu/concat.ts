import type { ConcatAttrs } from '../../src/ops/concat.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type Dispatch, type StorageType } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Concat: one dispatch per input, each copying its [outer, n, inner] block into its slice of
 * the output's concat axis (disjoint writes, so the dispatches need no ordering between them).
 */
export interface ConcatPartSpec { t: StorageType }

const FIELDS = ['total', 'n', 'inner', 'outAxis', 'offset'].map((name) => ({ name, type: 'u32' as const }));

export const concatPartProgram = defineProgram<ConcatPartSpec>({
  name: 'concat-part',
  bindings: () => ['read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'Y', s.t, 'read_write')}
${uniformBlock(2, FIELDS)}
${main1d(`  if (gi >= u.total) { return; }
  let e = gi % u.inner; let r = gi / u.inner;
  let j = r % u.n; let o = r / u.n;
  Y[(o * u.outAxis + u.offset + j) * u.inner + e] = X[gi];`)}`;
  },
});

export const concat = webgpuKernel<ConcatAttrs>({
  lower(attrs, inputs, outputs, env) {
    const y = outputs[0]!, r = y.shape.length, axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    const inner = sizeOf(y.shape.slice(axis + 1)), spec: ConcatPartSpec = { t: storageType(y.dtype, env.f16) };
    const dispatches: Dispatch[] = [];
    let offset = 0;
    inputs.forEach((x, i) => {
      const n = x!.shape[axis], total = sizeOf(x!.shape);
      if (total > 0) {
        dispatches.push({
          program: concatPartProgram, spec, bindings: [{ input: i }, { output: 0 }], workgroups: grid1d(total, env.maxGroups),
          uniforms: { total, n, inner, outAxis: y.shape[axis], offset },
        });
      }
      offset += n;
    });
    return { dispatches };
  },
});
