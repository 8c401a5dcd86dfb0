import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const globalAveragePool = cpuKernel<unknown>({ run() { throw new Error('globalAveragePool is not implemented yet'); } });
export const globalMaxPool = cpuKernel<unknown>({ run() { throw new Error('globalMaxPool is not implemented yet'); } });
export const averagePool = cpuKernel<unknown>({ run() { throw new Error('averagePool is not implemented yet'); } });
export const maxPool = cpuKernel<unknown>({ run() { throw new Error('maxPool is not implemented yet'); } });
