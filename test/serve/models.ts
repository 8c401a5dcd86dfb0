import { GraphBuilder, InferenceSession, Tensor, type Graph } from '../../src/index.js';

/** Small graphs the serving tests run: elementwise and a dense layer, batchable along 'N'. */
export function addRelu(): Graph {
  const b = new GraphBuilder('add-relu');
  const x = b.input('x', 'float32', ['N', 4]);
  const y = b.input('y', 'float32', ['N', 4]);
  b.output(b.relu(b.add(x, y)), 'out');
  return b.build();
}

/** y = relu(x·W + b) with x [N, 4], W [4, 3]: rows are independent. */
export function dense(): Graph {
  const b = new GraphBuilder('dense');
  const x = b.input('x', 'float32', ['N', 4]);
  const w = b.float([0.5, -1, 2, 1, 0.25, -0.5, -2, 1, 0.75, 0.1, 0.2, 0.3], [4, 3], 'w');
  const bias = b.float([0.1, -0.2, 0.3], [3], 'b');
  b.output(b.relu(b.add(b.matmul(x, w), bias)), 'y');
  return b.build();
}

/** relu(x + y) over [N, L]: requests batch only when their L agrees. */
export function addReluSeq(): Graph {
  const b = new GraphBuilder('add-relu-seq');
  const x = b.input('x', 'float32', ['N', 'L']);
  const y = b.input('y', 'float32', ['N', 'L']);
  b.output(b.relu(b.add(x, y)), 'out');
  return b.build();
}

/** int64 ids [N, 2] -> float32. */
export function castIds(): Graph {
  const b = new GraphBuilder('cast-ids');
  const x = b.input('ids', 'int64', ['N', 2]);
  b.output(b.cast(x, 'float32'), 'f');
  return b.build();
}

/** A fixed leading dimension: never batched. */
export function fixedMul(): Graph {
  const b = new GraphBuilder('fixed-mul');
  const x = b.input('x', 'float32', [1, 3]);
  b.output(b.mul(x, b.float([2, 3, 4], [3])), 'z');
  return b.build();
}

/** A session whose runs take at least `ms` (to fill queues deterministically); records each run's first input shape. */
export async function slowSession(graph: Graph, ms: number): Promise<InferenceSession & { runs: string[] }> {
  const s = await InferenceSession.create(graph) as InferenceSession & { runs: string[] };
  const run = s.run.bind(s);
  s.runs = [];
  s.run = async (feeds: Record<string, Tensor>) => {
    s.runs.push(Object.values(feeds)[0].shape.join('x'));
    await new Promise((r) => setTimeout(r, ms));
    return run(feeds);
  };
  return s;
}

export function rows(n: number, seed: number, width = 4): Tensor<'float32'> {
  const data = new Float32Array(n * width);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.sin(seed * 7.3 + i * 1.7) * 100) / 10;
  return new Tensor('float32', [n, width], data);
}
