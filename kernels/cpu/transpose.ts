import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const transpose = cpuKernel<unknown>({ run() { throw new Error('transpose is not implemented yet'); } });
