import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const constant = cpuKernel<unknown>({ run() { throw new Error('constant is not implemented yet'); } });
