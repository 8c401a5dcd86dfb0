import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const conv = cpuKernel<unknown>({ run() { throw new Error('conv is not implemented yet'); } });
