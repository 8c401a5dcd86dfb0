import type { UnsqueezeAttrs } from '../../src/ops/unsqueeze.js';
import { cpuKernel } from '../types.js';
import { copyInput } from './identity.js';

/** New size-1 dims do not move row-major data: a copy (or nothing, when the planner aliases). */
export const unsqueeze = cpuKernel<UnsqueezeAttrs>({ run: copyInput });
