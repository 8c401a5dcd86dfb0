import type { FlattenAttrs } from '../../src/ops/flatten.js';
import { cpuKernel } from '../types.js';
import { copyInput } from './identity.js';

/** Row-major data does not move: a copy (or nothing, when the planner aliases). */
export const flatten = cpuKernel<FlattenAttrs>({ run: copyInput });
