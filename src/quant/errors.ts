/** A quantization request that cannot be honoured: bad options, bad weights, an already-quantized graph. */
export class QuantizeError extends Error {
  override name = 'QuantizeError';
}
