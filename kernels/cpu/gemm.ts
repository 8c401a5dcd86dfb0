import { cpuKernel } from '../types.js';

// STUB: replaced by the real kernel.
export const gemm = cpuKernel<unknown>({ run() { throw new Error('gemm is not implemented yet'); } });
