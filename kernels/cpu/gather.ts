import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const gather = cpuKernel<unknown>({ run() { throw new Error('gather is not implemented yet'); } });
