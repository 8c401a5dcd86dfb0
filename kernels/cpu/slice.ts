import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const slice = cpuKernel<unknown>({ run() { throw new Error('slice is not implemented yet'); } });
