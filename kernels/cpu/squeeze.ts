import type { SqueezeAttrs } from '../../src/ops/squeeze.js';
import { cpuKernel } from '../types.js';
import { copyInput } from './identity.js';

/** Dropping size-1 dims does not move row-major data: a copy (or nothing, when aliased). */
export const squeeze = cpuKernel<SqueezeAttrs>({ run: copyInput });
