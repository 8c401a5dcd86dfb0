/**
 * Quantized GEMM modes (the cores of q-gemm-i8.ts and q-gemm-i4.ts), apart from jobs.ts so the
 * kernels that name a mode do not pull the split jobs (thread code, loaded lazily) into a page's startup.
 */
export const QMode = { I8F: 0, I4F: 1, I8I8: 2, I4I8: 3 } as const;
