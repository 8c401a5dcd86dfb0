import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const reduceMean = cpuKernel<unknown>({ run() { throw new Error('reduceMean is not implemented yet'); } });
export const reduceSum = cpuKernel<unknown>({ run() { throw new Error('reduceSum is not implemented yet'); } });
export const reduceMax = cpuKernel<unknown>({ run() { throw new Error('reduceMax is not implemented yet'); } });
