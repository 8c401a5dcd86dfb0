import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const clip = cpuKernel<unknown>({ run() { throw new Error('clip is not implemented yet'); } });
