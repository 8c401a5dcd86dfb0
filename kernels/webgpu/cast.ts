import type { CastAttrs } from '../../src/ops/cast.js';
import type { DType } from '../../src/dtype.js';
import { defineProgram, sizeOf, storageType, webgpuKernel, type StorageType } from './types.js';
import { grid1d, header, main1d, storage, uniformBlock } from './snippets.js';

/**
 * Cast between the conversions that are exact or well defined the same way in WGSL and on the
 * CPU: integers and bools to float (exact below 2^24), anything to bool (x != 0), between the
 * integer types held as i32 (int32/int64), and float to float. float -> integer (WGSL saturates
 * where the CPU wraps) and the float16 rounding fall back to the CPU kernel.
 */
export interface CastSpec { from: StorageType; to: StorageType; toBool: boolean }

const FIELDS = [{ name: 'total', type: 'u32' as const }];

export const castProgram = defineProgram<CastSpec>({
  name: 'cast',
  bindings: () => ['read', 'read_write'],
  uniforms: () => FIELDS,
  wgsl(s) {
    const zero = s.from === 'f32' || s.from === 'f16' ? '0.0' : s.from === 'i32' ? '0' : '0u';
    const value = s.toBool ? `select(0u, 1u, X[gi] != ${s.from === 'f16' ? 'f16(0.0)' : zero})` : `${s.to}(X[gi])`;
    return `${header([s.from, s.to])}${storage(0, 'X', s.from, 'read')}
${storage(1, 'Y', s.to, 'read_write')}
${uniformBlock(2, FIELDS)}
${main1d(`  if (gi >= u.total) { return; }
  Y[gi] = ${value};`)}`;
  },
});

const isF = (d: DType) => d === 'float32' || d === 'float16';
const INTS: readonly DType[] = ['int32', 'int64'];

export const cast = webgpuKernel<CastAttrs>({
  lower(attrs, inputs, outputs, env) {
    const from = inputs[0]!.dtype, to = attrs.to;
    const ok = to === 'bool' || (to === 'float32' && !isF(from)) || (to === from) || (isF(from) && to === 'float32')
      || (INTS.includes(from) && INTS.includes(to)) || (from === 'bool' && (INTS.includes(to) || to === 'uint8'));
    if (!ok) return { unsupported: `Cast ${from} -> ${to} (float to integer and float16 rounding stay on the CPU)` };
    const total = sizeOf(outputs[0]!.shape);
    if (total === 0) return { dispatches: [] };
    const spec: CastSpec = { from: storageType(from, env.f16), to: storageType(to, env.f16), toBool: to === 'bool' && from !== 'bool' };
    return { dispatches: [{ program: castProgram, spec, bindings: [{ input: 0 }, { output: 0 }], uniforms: { total }, workgroups: grid1d(total, env.maxGroups) }] };
  },
});
