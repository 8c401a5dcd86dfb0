import * as ort from 'onnxruntime-node';
import { Graph, type Node, type ValueInfo, type Initializer } from '../../src/graph/graph.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';

/** Runs bytes in onnxruntime-node; outputs as plain number arrays by name. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>, options: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, { dims: readonly number[]; data: number[] }>> {
  const s = await ort.InferenceSession.create(bytes, options);
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) f[k] = new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.shape as number[]);
    const out = await s.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dims: v.dims, data: Array.from(v.data as ArrayLike<number | bigint>, Number) }]));
  } finally {
    await s.release();
  }
}

export async function runTessera(g: Graph | Uint8Array, feeds: Record<string, Tensor>, optimize = true): Promise<Record<string, Tensor>> {
  const s = await InferenceSession.create(g, { optimize });
  try { return await s.run(feeds); } finally { s.dispose(); }
}

/** A one-node (or few-node) model; its bytes go to both runtimes (Tessera through loadOnnx). */
export function oneNode(nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[], inits: Record<string, Initializer> = {}, opset = 17): Uint8Array {
  return saveOnnx(new Graph({ name: 'q', inputs, outputs, nodes, initializers: new Map(Object.entries(inits)), opset }));
}

export { loadOnnx, saveOnnx };
