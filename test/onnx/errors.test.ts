import { describe, expect, it } from 'vitest';
import { loadOnnx, OnnxError } from '../../src/onnx/index.js';
import { Writer } from '../../src/onnx/protobuf.js';
import { attribute, DOUBLE, FLOAT, graph, model, node, tensorProto, valueInfo } from './fixtures.js';

/** The OnnxError loadOnnx throws (fails the test if it returns or throws something else). */
function onnxError(bytes: Uint8Array): OnnxError {
  try {
    loadOnnx(bytes);
  } catch (e) {
    if (e instanceof OnnxError) return e;
    throw new Error(`expected an OnnxError, got ${String(e)}`);
  }
  throw new Error('expected an OnnxError, but the model loaded');
}

const relu = (): Writer => graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', FLOAT, [2])], outputs: [valueInfo('y', FLOAT, [2])] });

/** A model whose graph holds one initializer built from the given fields. */
function withTensor(t: Writer): Uint8Array {
  return model(graph({ nodes: [node('Identity', ['w'], ['y'])], initializers: [t], outputs: [valueInfo('y', FLOAT, [1])] }));
}

describe('loadOnnx rejects malformed bytes with OnnxError (offset and field named)', () => {
  it('truncated file', () => {
    const bytes = model(relu());
    const e = onnxError(bytes.subarray(0, bytes.length - 20));
    expect(e.message).toMatch(/ModelProto: graph \(field 7\) claims \d+ bytes but only \d+ remain in its message \(truncated\?\) \(at byte \d+\)/);
    expect(e.offset).toBeGreaterThan(0);
    expect(e.offset).toBeLessThan(bytes.length);
  });

  it('truncated inside a varint', () => {
    const w = new Writer();
    w.raw([0x08, 0x80]); // ir_version, then a varint that never ends
    const e = onnxError(w.finish());
    expect(e.message).toMatch(/ModelProto: varint runs past the end of its message/);
    expect(e.offset).toBe(2);
  });

  it('wrong wire type', () => {
    const w = new Writer();
    w.tag(7, 0); // graph as a varint
    w.varint(5);
    const e = onnxError(w.finish());
    expect(e.message).toMatch(/ModelProto: graph \(field 7\) has wire type varint, expected length-delimited \(at byte 0\)/);
    expect(e.offset).toBe(0);
  });

  it('a wire type ONNX never uses (groups)', () => {
    expect(onnxError(Uint8Array.of(0x0b)).message).toMatch(/field 1 has wire type group start, which ONNX never uses/);
  });

  it('bad length', () => {
    const w = new Writer();
    w.int64(1, 8);
    w.tag(7, 2);
    w.varint(1000);
    w.raw([1, 2, 3]);
    const e = onnxError(w.finish());
    expect(e.message).toMatch(/ModelProto: graph \(field 7\) claims 1000 bytes but only 3 remain/);
    expect(e.offset).toBe(3);
  });

  it('varint over 10 bytes', () => {
    const e = onnxError(Uint8Array.of(0x08, ...new Array(11).fill(0xff), 0x01));
    expect(e.message).toMatch(/varint longer than 10 bytes/);
    expect(e.offset).toBe(10);
    expect(onnxError(Uint8Array.of(0x08, ...new Array(9).fill(0xff), 0x02)).message).toMatch(/varint overflows 64 bits/);
  });

  it('huge dims', () => {
    const e = onnxError(withTensor(tensorProto({ name: 'w', dims: [65536, 65536], dataType: FLOAT, raw: new Uint8Array(4) })));
    expect(e.message).toMatch(/initializer 'w': dims \[65536, 65536\] hold over 2\^31 - 1 elements/);
  });

  it('a dim over 2^31 and a negative dim', () => {
    expect(onnxError(withTensor(tensorProto({ name: 'w', dims: [2 ** 40], dataType: FLOAT }))).message).toMatch(/dims\[0\] is 1099511627776, over 2\^31 - 1/);
    const neg = new Writer();
    neg.int64(1, -1);
    neg.tag(2, 0); neg.varint(FLOAT);
    expect(onnxError(withTensor(neg)).message).toMatch(/graph\.initializer\[0\]: dims\[0\] is negative \(-1\)/);
  });

  it('raw_data that does not match the dims', () => {
    const e = onnxError(withTensor(tensorProto({ name: 'w', dims: [3], dataType: FLOAT, raw: new Uint8Array(8) })));
    expect(e.message).toMatch(/initializer 'w': raw_data is 8 bytes but float32 \[3\] needs 12/);
  });

  it('typed data that does not match the dims', () => {
    const e = onnxError(withTensor(tensorProto({ name: 'w', dims: [3], dataType: FLOAT, floatData: [1, 2] })));
    expect(e.message).toMatch(/initializer 'w': float_data has 2 values but float32 \[3\] needs 3/);
  });

  it('unknown and unsupported data types', () => {
    expect(onnxError(withTensor(tensorProto({ name: 'w', dims: [1], dataType: 99, raw: new Uint8Array(4) }))).message)
      .toMatch(/initializer 'w': unknown data type 99; Tessera supports FLOAT \(float32\)/);
    expect(onnxError(withTensor(tensorProto({ name: 'w', dims: [1], dataType: DOUBLE, raw: new Uint8Array(8) }))).message)
      .toMatch(/initializer 'w': data type 11 \(DOUBLE\) is not supported/);
    const input = model(graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', 8, [2])], outputs: [valueInfo('y', FLOAT, [2])] }));
    expect(onnxError(input).message).toMatch(/graph input 'x': data type 8 \(STRING\) is not supported/);
  });

  it('opset 9 is too old, and the message lists what is supported', () => {
    const e = onnxError(model(relu(), { opset: 9 }));
    expect(e.message).toMatch(/ai\.onnx opset 9, which is too old; .* supported opsets are 13 to 21/);
    expect(onnxError(model(relu(), { opset: null })).message).toMatch(/no opset_import for the default domain/);
  });

  it('subgraph attributes are not supported', () => {
    const bytes = model(graph({
      nodes: [node('If', ['c'], ['y'], { name: 'branch', attrs: [attribute({ name: 'then_branch', type: 5, g: relu() })] })],
      inputs: [valueInfo('c', 9, [])], outputs: [valueInfo('y', FLOAT, [2])],
    }));
    expect(onnxError(bytes).message).toMatch(/graph\.node\[0\] 'branch' \(If\) attribute 'then_branch' is a GRAPH attribute: subgraphs \(If, Loop, Scan\) are not supported/);
  });

  it('a node without op_type, an input without a shape, an initializer given twice', () => {
    const noOp = new Writer();
    noOp.string(1, 'x');
    expect(onnxError(model(graph({ nodes: [noOp], outputs: [valueInfo('x', FLOAT, [1])] }))).message).toMatch(/graph\.node\[0\]: node without an op_type/);
    const noShape = model(graph({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', FLOAT, null)], outputs: [valueInfo('y', FLOAT, [2])] }));
    expect(onnxError(noShape).message).toMatch(/graph input 'x' has no shape/);
    const w = () => tensorProto({ name: 'w', dims: [1], dataType: FLOAT, floatData: [1] });
    expect(onnxError(model(graph({ initializers: [w(), w()], outputs: [valueInfo('w', FLOAT, [1])] }))).message).toMatch(/initializer 'w' appears twice/);
  });

  it('empty input and non-protobuf text', () => {
    expect(onnxError(new Uint8Array()).message).toMatch(/the input is empty/);
    expect(onnxError(new TextEncoder().encode('{"not": "onnx"}'))).toBeInstanceOf(OnnxError);
  });
});
