import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const identity = cpuKernel<unknown>({ run() { throw new Error('identity is not implemented yet'); } });
