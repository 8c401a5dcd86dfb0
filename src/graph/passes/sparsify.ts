import { sparsifyNodes } from '../../sparse/convert.js';
import type { Pass } from './pattern.js';

/**
 * Runs layers whose constant weights hold many exact zeros (a pruned model, or a sparse ONNX
 * initializer densified on load) on sparse kernels: MatMul / Gemm / pointwise Conv, fused or
 * not, become SparseMatMul / SparseConv with CSR or BSR weights where the calibrated cost model
 * (src/sparse/cost.ts) prices the sparse kernel below the dense one. Runs after the fusions so
 * the sparse ops inherit their bias and activation epilogues; dense models are left unchanged.
 */
export const sparsify: Pass = {
  name: 'sparsify',
  run(rw) { sparsifyNodes(rw); },
};
