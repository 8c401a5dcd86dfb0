/**
 * A model file that cannot be read: malformed or truncated protobuf, an ONNX feature Tessera
 * does not support, or values that make no sense (negative dims, data that does not match its
 * shape). `offset` is the byte offset in the input where the problem was found.
 */
export class OnnxError extends Error {
  override name = 'OnnxError';
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
  }
}
