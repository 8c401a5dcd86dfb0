import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const range = cpuKernel<unknown>({ run() { throw new Error('range is not implemented yet'); } });
