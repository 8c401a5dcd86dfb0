import type { QGatherAttrs } from '../../src/ops/q-gather.js';
import { quantView } from '../cpu/q-weights.js';
import { dequantFns, quantArrays, QUANT_UNIFORMS, scaleType } from './q-weights.js';
import { defineProgram, sizeOf, webgpuKernel } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * QGather: rows of an embedding table packed by quantize() (int8 or int4 per row, read as laid
 * out: q-weights.ts), dequantized as they are copied out; one thread per output element. Indices from
 * a graph input are range-checked on the host (as for Gather); computed ones are clamped.
 */
export interface QGatherSpec { t: 'f32' | 'f16'; format: 'int8' | 'int4' }

const FIELDS = [...['total', 'V', 'H'].map((name) => ({ name, type: 'u32' as const })), ...QUANT_UNIFORMS];

export const qGatherProgram = defineProgram<QGatherSpec>({
  name: 'q-gather',
  bindings: () => ['read', 'read', 'read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    return `${header([s.t])}${storage(0, 'Wq', 'u32', 'read')}
${storage(1, 'S', scaleType(s.format), 'read')}
${storage(2, 'I', 'i32', 'read')}
${storage(3, 'Y', s.t, 'read_write')}
${uniformBlock(4, FIELDS)}
${dequantFns(s.format)}
${main1d(`  if (gi >= u.total) { return; }
  let h = gi % u.H; let j = gi / u.H;
  var k = I[j];
  if (k < 0) { k += i32(u.V); }
  let row = u32(clamp(k, 0, i32(u.V) - 1));
  Y[gi] = ${s.t}(dequant(row, h) * rowScale(row));`)}`;
  },
});

export const qGather = webgpuKernel<QGatherAttrs>({
  lower(_attrs, inputs, outputs, env) {
    let v;
    try {
      v = quantView(inputs[0]!.packed, 'QGather', 0);
    } catch (e) {
      return { unsupported: (e as Error).message };
    }
    const [V, H] = inputs[0]!.shape, total = sizeOf(outputs[0]!.shape);
    if (total === 0) return { dispatches: [] };
    const q = quantArrays(v);
    return {
      dispatches: [{
        program: qGatherProgram, spec: { t: env.f16 ? 'f16' : 'f32', format: v.format } satisfies QGatherSpec,
        bindings: [{ data: q.quants }, { data: q.scales }, { input: 1 }, { output: 0 }], workgroups: grid1d(total, env.maxGroups),
        uniforms: { total, V, H, ...q.uniforms },
      }],
    };
  },
});
