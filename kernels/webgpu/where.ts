import type { WhereAttrs } from '../../src/ops/where.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type StorageType } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';
import { broadcastUniforms, operandIndices, planOperands, type BroadcastLayout } from './broadcast.js';

/** Where(condition, X, Y) with three-way numpy broadcasting; a pure select, any element type. */
export interface WhereSpec extends BroadcastLayout {
  t: StorageType;
}

export const whereProgram = defineProgram<WhereSpec>({
  name: 'where',
  bindings: () => ['read', 'read', 'read', 'read_write'],
  uniforms: (s) => broadcastUniforms(s),
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'C', 'u32', 'read')}
${storage(1, 'X', s.t, 'read')}
${storage(2, 'Y', s.t, 'read')}
${storage(3, 'O', s.t, 'read_write')}
${uniformBlock(4, broadcastUniforms(s))}
${main1d(`  if (gi >= u.total) { return; }
${operandIndices(s)}
  O[gi] = select(Y[i2], X[i1], C[i0] != 0u);`)}`;
  },
});

export const where = webgpuKernel<WhereAttrs>({
  lower(_attrs, inputs, outputs, env) {
    const y = outputs[0]!, total = sizeOf(y.shape);
    if (total === 0) return { dispatches: [] };
    const plan = planOperands(inputs.map((t) => t!.shape), y.shape);
    const spec: WhereSpec = { t: storageType(y.dtype, env.f16), rank: plan.rank, operands: plan.operands };
    return { dispatches: [{ program: whereProgram, spec, bindings: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }], uniforms: plan.uniforms, workgroups: grid1d(total, env.maxGroups) }] };
  },
});
