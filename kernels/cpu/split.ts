import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const split = cpuKernel<unknown>({ run() { throw new Error('split is not implemented yet'); } });
