import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const unsqueeze = cpuKernel<unknown>({ run() { throw new Error('unsqueeze is not implemented yet'); } });
