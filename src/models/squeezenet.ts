import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { NetBuilder, checkBatch, checkPositiveInt } from './layers.js';

export interface SqueezeNetOptions {
  classes?: number;
  /** Input height and width (at least 25, so the third 3x3 pool still sees a whole window). Default 224. */
  resolution?: number;
  seed?: number;
  batch?: number | string;
}

/** Fire modules after each layer index of torchvision's features: (squeeze, expand1x1, expand3x3). */
const FIRES: ReadonlyMap<number, readonly [number, number, number]> = new Map([
  [3, [16, 64, 64]], [4, [16, 64, 64]], [6, [32, 128, 128]], [7, [32, 128, 128]],
  [9, [48, 192, 192]], [10, [48, 192, 192]], [11, [64, 256, 256]], [12, [64, 256, 256]],
]);

/**
 * SqueezeNet 1.1 as torchvision builds it: conv 3x3/2 -> ReLU -> MaxPool(3, 2, ceil_mode), fire
 * modules (squeeze 1x1 -> ReLU, then expand 1x1 and expand 3x3, each -> ReLU, concatenated on
 * channels) with two more ceil-mode pools, then Dropout -> conv 1x1 classifier -> ReLU ->
 * GlobalAveragePool -> Flatten. Input 'input' [N, 3, res, res], output 'logits' [N, classes].
 * At 1000 classes it has torchvision's 1,235,496 parameters.
 */
export function squeezenet(opts: SqueezeNetOptions = {}): Graph {
  const M = 'squeezenet';
  const res = checkPositiveInt(M, 'resolution', opts.resolution ?? 224);
  const classes = checkPositiveInt(M, 'classes', opts.classes ?? 1000), seed = opts.seed ?? 1;
  if (res < 25) throw new RangeError(`${M}: option 'resolution' must be at least 25 (the third 3x3 max pool needs a whole window), got ${res}`);
  if (!Number.isInteger(seed)) throw new RangeError(`${M}: option 'seed' must be an integer, got ${String(seed)}`);

  const b = new GraphBuilder(`squeezenet1_1_${res}`);
  const net = new NetBuilder(b, seed);
  const pool = (v: Value, i: number) => b.op('MaxPool', [v], { ceil_mode: 1, kernel_shape: [3, 3], pads: [0, 0, 0, 0], strides: [2, 2] }, `features.${i}`);
  let x: Value = b.input('input', 'float32', [checkBatch(M, opts.batch, 'N'), 3, res, res]);
  // Every SqueezeNet conv has a bias and a ReLU after it.
  const convRelu = (v: Value, name: string, inC: number, outC: number, kernel: number, stride = 1, pad = (kernel - 1) >> 1) =>
    net.activate(net.conv(v, { name, inChannels: inC, outChannels: outC, kernel, stride, pad, bias: true, act: 'relu' }), 'relu', name);
  x = convRelu(x, 'features.0', 3, 64, 3, 2, 0);
  let c = 64;
  for (let i = 2; i <= 12; i++) {
    const fire = FIRES.get(i);
    if (!fire) { x = pool(x, i); continue; }
    const [sq, e1, e3] = fire, p = `features.${i}`;
    const s = convRelu(x, `${p}.squeeze`, c, sq, 1);
    x = b.op('Concat', [convRelu(s, `${p}.expand1x1`, sq, e1, 1), convRelu(s, `${p}.expand3x3`, sq, e3, 3)], { axis: 1 }, `${p}.cat`);
    c = e1 + e3;
  }
  x = b.op('Dropout', [x], {}, 'classifier.0');
  x = convRelu(x, 'classifier.1', c, classes, 1);
  x = b.op('Flatten', [b.op('GlobalAveragePool', [x], {}, 'classifier.3')], { axis: 1 }, 'flatten');
  b.output(x, 'logits');
  return b.build();
}
