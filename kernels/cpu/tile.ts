import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const tile = cpuKernel<unknown>({ run() { throw new Error('tile is not implemented yet'); } });
