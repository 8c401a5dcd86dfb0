/**
 * ONNX import and export: `loadOnnx(bytes)` -> Graph, `saveOnnx(graph)` -> bytes. The protobuf
 * wire format is read and written here, without dependencies.
 */
export { loadOnnx, type LoadOptions } from './load.js';
export { saveOnnx } from './save.js';
export { OnnxError } from './errors.js';
export { MIN_OPSET, MAX_OPSET } from './onnx-proto.js';
