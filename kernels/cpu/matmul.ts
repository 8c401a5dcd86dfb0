import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const matMul = cpuKernel<unknown>({ run() { throw new Error('matMul is not implemented yet'); } });
