import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { calibrateBatchNorm } from './calibrate.js';
import { NetBuilder, checkBatch, checkPositiveInt, makeDivisible } from './layers.js';

export interface MobileNetV2Options {
  /** Width multiplier (channels scaled, rounded to multiples of 8). Default 1.0. */
  width?: number;
  /** Input height and width. Default 224. */
  resolution?: number;
  classes?: number;
  seed?: number;
  /** Batch dimension: a number, or a symbol name. Default 'N'. */
  batch?: number | string;
}

/** torchvision's inverted residual setting: expansion t, channels c, repeats n, first stride s. */
const SETTING: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/**
 * MobileNetV2 as torchvision builds it and PyTorch exports it (before BN folding): input
 * 'input' float32 [N, 3, res, res], output 'logits' [N, classes]. Initializers carry
 * torchvision's state_dict names. At width 1.0 / 1000 classes it has torchvision's 3,504,872
 * learnable parameters (plus 34,112 BatchNormalization running statistics).
 */
export function mobilenetV2(opts: MobileNetV2Options = {}): Graph {
  const M = 'mobilenetV2';
  const width = opts.width ?? 1.0, res = checkPositiveInt(M, 'resolution', opts.resolution ?? 224);
  const classes = checkPositiveInt(M, 'classes', opts.classes ?? 1000), seed = opts.seed ?? 1;
  if (!(typeof width === 'number' && width > 0 && Number.isFinite(width))) throw new RangeError(`${M}: option 'width' must be a positive number, got ${String(width)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`${M}: option 'seed' must be an integer, got ${String(seed)}`);

  const b = new GraphBuilder(`mobilenet_v2_${width}_${res}`);
  const net = new NetBuilder(b, seed);
  let x: Value = b.input('input', 'float32', [checkBatch(M, opts.batch, 'N'), 3, res, res]);
  let inC = makeDivisible(32 * width);
  x = net.convBnAct(x, 'features.0', { inChannels: 3, outChannels: inC, kernel: 3, stride: 2 }, 'relu6');
  let f = 1;
  for (const [t, c, n, s] of SETTING) {
    const outC = makeDivisible(c * width);
    for (let i = 0; i < n; i++, f++) {
      x = invertedResidual(net, x, `features.${f}.conv`, inC, outC, i === 0 ? s : 1, t);
      inC = outC;
    }
  }
  const last = makeDivisible(1280 * Math.max(1, width));
  x = net.convBnAct(x, `features.${f}`, { inChannels: inC, outChannels: last, kernel: 1 }, 'relu6');
  b.output(net.classifierHead(x, 'classifier.1', last, classes), 'logits');
  const g = b.build();
  calibrateBatchNorm(g, seed);
  return g;
}

function invertedResidual(net: NetBuilder, x: Value, p: string, inC: number, outC: number, stride: number, t: number): Value {
  const hidden = Math.round(inC * t);
  let y = x, k = 0;
  if (t !== 1) y = net.convBnAct(y, `${p}.${k++}`, { inChannels: inC, outChannels: hidden, kernel: 1 }, 'relu6');
  y = net.convBnAct(y, `${p}.${k++}`, { inChannels: hidden, outChannels: hidden, kernel: 3, stride, group: hidden }, 'relu6');
  const residual = stride === 1 && inC === outC;
  y = net.conv(y, { name: `${p}.${k++}`, inChannels: hidden, outChannels: outC, kernel: 1 });
  // A residual branch's last BN is scaled down so the trunk does not grow block after block.
  y = net.batchNorm(y, `${p}.${k}`, outC, residual ? 0.5 : 1);
  return residual ? net.b.op('Add', [x, y], {}, `${p}.add`) : y;
}
