import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { calibrateBatchNorm } from './calibrate.js';
import { NetBuilder, checkBatch, checkPositiveInt } from './layers.js';

export interface MobileNetV1Options {
  /** Width multiplier alpha: channels are floor(c * width) as in Keras. Default 1.0. */
  width?: number;
  resolution?: number;
  classes?: number;
  seed?: number;
  batch?: number | string;
}

/** Depthwise-separable blocks: (pointwise output channels, depthwise stride). */
const BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/**
 * MobileNetV1 (Howard et al. 2017): a 3x3 stride-2 conv, then 13 depthwise-separable blocks
 * (depthwise 3x3 -> BN -> ReLU -> pointwise 1x1 -> BN -> ReLU), GlobalAveragePool, Flatten,
 * Gemm. Input 'input' float32 [N, 3, res, res], output 'logits' [N, classes]. At width 1.0 /
 * 1000 classes it has Keras MobileNet's 4,253,864 weights (running statistics included).
 */
export function mobilenetV1(opts: MobileNetV1Options = {}): Graph {
  const M = 'mobilenetV1';
  const width = opts.width ?? 1.0, res = checkPositiveInt(M, 'resolution', opts.resolution ?? 224);
  const classes = checkPositiveInt(M, 'classes', opts.classes ?? 1000), seed = opts.seed ?? 1;
  if (!(typeof width === 'number' && width > 0 && Number.isFinite(width))) throw new RangeError(`${M}: option 'width' must be a positive number, got ${String(width)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`${M}: option 'seed' must be an integer, got ${String(seed)}`);
  const ch = (c: number) => Math.max(1, Math.floor(c * width));

  const b = new GraphBuilder(`mobilenet_v1_${width}_${res}`);
  const net = new NetBuilder(b, seed);
  let x: Value = b.input('input', 'float32', [checkBatch(M, opts.batch, 'N'), 3, res, res]);
  let inC = ch(32);
  x = net.convBnAct(x, 'features.0', { inChannels: 3, outChannels: inC, kernel: 3, stride: 2 }, 'relu');
  BLOCKS.forEach(([c, stride], i) => {
    const outC = ch(c), p = `features.${i + 1}`;
    x = net.convBnAct(x, `${p}.dw`, { inChannels: inC, outChannels: inC, kernel: 3, stride, group: inC }, 'relu');
    x = net.convBnAct(x, `${p}.pw`, { inChannels: inC, outChannels: outC, kernel: 1 }, 'relu');
    inC = outC;
  });
  b.output(net.classifierHead(x, 'classifier', inC, classes), 'logits');
  const g = b.build();
  calibrateBatchNorm(g, seed);
  return g;
}
