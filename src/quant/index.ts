/**
 * Quantization: quantize() and the packed weight formats it produces (documented in
 * ./formats), the quality report, and the rewrite saveOnnx uses to write quantized graphs
 * with standard ONNX ops.
 */
export { quantize, quantizeWithReport, type QuantizeOptions, type QuantizeResult, type QuantizedLayer } from './quantize.js';
export { QuantizeError } from './errors.js';
export { Int8Weight, quantizeInt8Weight } from './formats/int8.js';
export { Int4Weight, quantizeInt4Weight, INT4_GROUP_SIZES, type Int4GroupSize } from './formats/int4.js';
