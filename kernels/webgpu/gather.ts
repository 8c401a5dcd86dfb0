import type { GatherAttrs } from '../../src/ops/gather.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type StorageType } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Gather along one axis: data viewed as [outer, d, inner], one thread per output element.
 * Negative indices count from the end. Indices fed from a graph input are range-checked on the
 * host before a run starts; computed ones cannot be, so they are clamped into range here rather
 * than read out of bounds.
 */
export interface GatherSpec { t: StorageType }

const FIELDS = ['total', 'n', 'd', 'inner'].map((name) => ({ name, type: 'u32' as const }));

export const gatherProgram = defineProgram<GatherSpec>({
  name: 'gather',
  bindings: () => ['read', 'read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'X', s.t, 'read')}
${storage(1, 'I', 'i32', 'read')}
${storage(2, 'Y', s.t, 'read_write')}
${uniformBlock(3, FIELDS)}
${main1d(`  if (gi >= u.total) { return; }
  let e = gi % u.inner; let r = gi / u.inner;
  let j = r % u.n; let b = r / u.n;
  var k = I[j];
  if (k < 0) { k += i32(u.d); }
  let kk = u32(clamp(k, 0, i32(u.d) - 1));
  Y[gi] = X[(b * u.d + kk) * u.inner + e];`)}`;
  },
});

export const gather = webgpuKernel<GatherAttrs>({
  lower(attrs, inputs, outputs, env) {
    const x = inputs[0]!, ind = inputs[1]!, y = outputs[0]!;
    const total = sizeOf(y.shape);
    if (total === 0) return { dispatches: [] };
    const r = x.shape.length, axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
    const inner = sizeOf(x.shape.slice(axis + 1));
    const spec: GatherSpec = { t: storageType(x.dtype, env.f16) };
    return {
      dispatches: [{
        program: gatherProgram, spec, bindings: [{ input: 0 }, { input: 1 }, { output: 0 }],
        uniforms: { total, n: sizeOf(ind.shape), d: x.shape[axis], inner }, workgroups: grid1d(total, env.maxGroups),
      }],
    };
  },
});
