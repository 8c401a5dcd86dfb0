import type { ReshapeAttrs } from '../../src/ops/reshape.js';
import { cpuKernel } from '../types.js';
import { copyInput } from './identity.js';

/** Row-major data does not move: a reshape is a copy (or nothing, when the planner aliases). */
export const reshape = cpuKernel<ReshapeAttrs>({ run: copyInput });
