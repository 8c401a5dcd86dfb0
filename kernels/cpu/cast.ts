import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const cast = cpuKernel<unknown>({ run() { throw new Error('cast is not implemented yet'); } });
