import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { calibrateBatchNorm } from './calibrate.js';
import { NetBuilder, checkBatch, checkPositiveInt, makeDivisible } from './layers.js';

export interface EfficientNetB0Options {
  classes?: number;
  resolution?: number;
  seed?: number;
  batch?: number | string;
}

/** torchvision's B0 stages: expansion, kernel, first stride, input channels, output channels, repeats. */
const STAGES: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1],
];

/**
 * EfficientNet-B0 as torchvision builds it and PyTorch exports it: stem conv 3x3/2 -> BN ->
 * SiLU, MBConv blocks (expand 1x1 -> BN -> SiLU, depthwise kxk -> BN -> SiLU,
 * squeeze-excitation GlobalAveragePool -> conv 1x1 -> SiLU -> conv 1x1 -> Sigmoid -> Mul,
 * project 1x1 -> BN, residual Add when shapes allow), head conv 1x1 to 1280 -> BN -> SiLU,
 * GlobalAveragePool -> Flatten -> Gemm. SiLU is x * Sigmoid(x). Input 'input' [N, 3, res, res],
 * output 'logits' [N, classes]. At 1000 classes: torchvision's 5,288,548 learnable parameters.
 */
export function efficientnetB0(opts: EfficientNetB0Options = {}): Graph {
  const M = 'efficientnetB0';
  const res = checkPositiveInt(M, 'resolution', opts.resolution ?? 224);
  const classes = checkPositiveInt(M, 'classes', opts.classes ?? 1000), seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`${M}: option 'seed' must be an integer, got ${String(seed)}`);

  const b = new GraphBuilder(`efficientnet_b0_${res}`);
  const net = new NetBuilder(b, seed);
  let x: Value = b.input('input', 'float32', [checkBatch(M, opts.batch, 'N'), 3, res, res]);
  x = net.convBnAct(x, 'features.0', { inChannels: 3, outChannels: 32, kernel: 3, stride: 2 }, 'silu');
  STAGES.forEach(([t, k, s, cin, cout, n], stage) => {
    for (let i = 0; i < n; i++) {
      const inC = makeDivisible(i === 0 ? cin : cout), outC = makeDivisible(cout);
      x = mbconv(net, x, `features.${stage + 1}.${i}.block`, inC, outC, k, i === 0 ? s : 1, t);
    }
  });
  x = net.convBnAct(x, 'features.8', { inChannels: 320, outChannels: 1280, kernel: 1 }, 'silu');
  b.output(net.classifierHead(x, 'classifier.1', 1280, classes), 'logits');
  const g = b.build();
  calibrateBatchNorm(g, seed);
  return g;
}

function mbconv(net: NetBuilder, x: Value, p: string, inC: number, outC: number, k: number, stride: number, t: number): Value {
  const b = net.b, hidden = makeDivisible(inC * t), squeeze = Math.max(1, Math.floor(inC / 4));
  let y = x, j = 0;
  if (t !== 1) y = net.convBnAct(y, `${p}.${j++}`, { inChannels: inC, outChannels: hidden, kernel: 1 }, 'silu');
  y = net.convBnAct(y, `${p}.${j++}`, { inChannels: hidden, outChannels: hidden, kernel: k, stride, group: hidden }, 'silu');
  const se = `${p}.${j++}`;
  let g = b.op('GlobalAveragePool', [y], {}, `${se}.avgpool`);
  g = net.activate(net.conv(g, { name: `${se}.fc1`, inChannels: hidden, outChannels: squeeze, kernel: 1, bias: true, act: 'silu' }), 'silu', `${se}.fc1`);
  g = net.activate(net.conv(g, { name: `${se}.fc2`, inChannels: squeeze, outChannels: hidden, kernel: 1, bias: true }), 'sigmoid', `${se}.fc2`);
  y = b.op('Mul', [y, g], {}, `${se}.scale`);
  const residual = stride === 1 && inC === outC;
  y = net.convBnAct(y, `${p}.${j}`, { inChannels: hidden, outChannels: outC, kernel: 1 }, 'none', residual ? 0.5 : 1);
  return residual ? b.op('Add', [x, y], {}, `${p}.add`) : y;
}
