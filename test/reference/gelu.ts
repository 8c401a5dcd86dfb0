import type { RefTensor } from './tensor.js';
import { activationRef } from './gemm.js';

export function geluRef(x: RefTensor, approximate: 'none' | 'tanh'): RefTensor {
  const kind = approximate === 'tanh' ? 'gelu_tanh' : 'gelu';
  return { shape: x.shape.slice(), data: x.data.map((v) => activationRef(v, { kind })) };
}
