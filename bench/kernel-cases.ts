import { GraphBuilder, Tensor, type Graph } from '../src/index.js';
import { seededFloats } from './data.js';
import type { Feed } from './peers.js';

/**
 * The kernel suites: each case is a one-op (or one-block) graph with constant weights, so all
 * three runtimes run the same op on the same shapes and weights. `work` is FLOPs (GFLOP/s
 * reported) or bytes moved (GB/s) per run.
 */
export interface KernelCase {
  suite: 'gemm' | 'conv' | 'depthwise' | 'pointwise' | 'norm' | 'attention';
  name: string;
  quick: boolean;
  unit: 'GFLOP/s' | 'GB/s';
  work: number;
  build(): { graph: Graph; feeds: Feed[] };
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], seed: number, scale = 1) => new Tensor('float32', shape, seededFloats(size(shape), seed, -scale, scale));
const feed = (name: string, shape: number[], seed: number): Feed => ({ name, dtype: 'float32', shape, data: seededFloats(size(shape), seed) });

function gemmCase(M: number, N: number, K: number, quick: boolean): KernelCase {
  return {
    suite: 'gemm', name: `gemm ${M}x${N}x${K}`, quick, unit: 'GFLOP/s', work: 2 * M * N * K,
    build() {
      const b = new GraphBuilder(`gemm_${M}x${N}x${K}`);
      const x = b.input('x', 'float32', [M, K]);
      b.output(b.matmul(x, b.constant(f32([K, N], 2, 1 / Math.sqrt(K)), 'w')), 'y');
      return { graph: b.build(), feeds: [feed('x', [M, K], 1)] };
    },
  };
}

/** Conv + bias on a 1 x C x H x W input (MobileNetV2 layer shapes at 224x224). */
function convCase(suite: KernelCase['suite'], C: number, M: number, HW: number, k: number, stride: number, group: number, quick: boolean): KernelCase {
  const pad = (k - 1) >> 1, out = Math.floor((HW + 2 * pad - k) / stride) + 1, Cg = C / group;
  const label = suite === 'depthwise' ? `dw${k}x${k} ${C}@${HW}² s${stride}` : `${suite === 'pointwise' ? '1x1' : `${k}x${k}`} ${C}->${M}@${HW}²${stride > 1 ? ` s${stride}` : ''}`;
  return {
    suite, name: `conv ${label}`, quick, unit: 'GFLOP/s', work: 2 * M * out * out * Cg * k * k,
    build() {
      const b = new GraphBuilder(`conv_${C}_${M}_${HW}_${k}_${stride}_${group}`);
      const x = b.input('x', 'float32', [1, C, HW, HW]);
      const w = b.constant(f32([M, Cg, k, k], 2, 1 / Math.sqrt(Cg * k * k)), 'w'), bias = b.constant(f32([M], 3, 0.1), 'b');
      b.output(b.conv(x, w, bias, { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], group }), 'y');
      return { graph: b.build(), feeds: [feed('x', [1, C, HW, HW], 1)] };
    },
  };
}

function normCase(kind: 'softmax' | 'layernorm' | 'gelu', shape: number[], quick: boolean): KernelCase {
  const n = size(shape);
  return {
    suite: 'norm', name: `${kind} [${shape.join(',')}]`, quick, unit: 'GB/s', work: 2 * 4 * n, // one read, one write
    build() {
      const b = new GraphBuilder(`${kind}_${shape.join('x')}`);
      const x = b.input('x', 'float32', shape);
      let y;
      if (kind === 'softmax') y = b.softmax(x, -1);
      else if (kind === 'layernorm') {
        const d = shape[shape.length - 1];
        y = b.layerNorm(x, b.constant(f32([d], 2), 'gamma'), b.constant(f32([d], 3), 'beta'), { axis: -1, epsilon: 1e-12 });
      } else {
        // erf GELU as exporters write it; both Tessera and onnxruntime fuse it into one op.
        const half = b.mul(x, b.float(0.5)), inner = b.erf(b.div(x, b.float(Math.SQRT2)));
        y = b.mul(half, b.add(inner, b.float(1)));
      }
      b.output(y, 'y');
      return { graph: b.build(), feeds: [feed('x', shape, 1)] };
    },
  };
}

/** Scaled dot-product attention of one DistilBERT layer: softmax(Q K^T / 8) V, 12 heads. */
function attentionCase(batch: number, S: number, heads: number, dh: number, quick: boolean): KernelCase {
  return {
    suite: 'attention', name: `attention b${batch} S=${S} h=${heads}x${dh}`, quick, unit: 'GFLOP/s', work: 2 * 2 * batch * heads * S * S * dh,
    build() {
      const b = new GraphBuilder(`attention_${S}`);
      const shape = [batch, heads, S, dh];
      const q = b.input('q', 'float32', shape), k = b.input('k', 'float32', shape), v = b.input('v', 'float32', shape);
      const scores = b.div(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), b.float(Math.sqrt(dh)));
      b.output(b.matmul(b.softmax(scores, -1), v), 'y');
      return { graph: b.build(), feeds: [feed('q', shape, 1), feed('k', shape, 2), feed('v', shape, 3)] };
    },
  };
}

export function kernelCases(): KernelCase[] {
  return [
    gemmCase(512, 512, 512, true), gemmCase(128, 3072, 768, true), gemmCase(128, 768, 3072, true),
    gemmCase(1, 768, 768, true), gemmCase(8, 768, 768, false), gemmCase(128, 128, 64, false), gemmCase(1024, 16, 768, false),
    convCase('conv', 3, 32, 224, 3, 2, 1, true), convCase('conv', 64, 64, 56, 3, 1, 1, false),
    convCase('pointwise', 32, 16, 112, 1, 1, 1, true), convCase('pointwise', 16, 96, 112, 1, 1, 1, false),
    convCase('pointwise', 144, 24, 56, 1, 1, 1, true), convCase('pointwise', 192, 32, 28, 1, 1, 1, false),
    convCase('pointwise', 384, 64, 14, 1, 1, 1, true), convCase('pointwise', 576, 96, 14, 1, 1, 1, false),
    convCase('pointwise', 960, 160, 7, 1, 1, 1, false), convCase('pointwise', 320, 1280, 7, 1, 1, 1, true),
    convCase('depthwise', 32, 32, 112, 3, 1, 32, true), convCase('depthwise', 96, 96, 112, 3, 2, 96, false),
    convCase('depthwise', 144, 144, 56, 3, 1, 144, true), convCase('depthwise', 144, 144, 56, 3, 2, 144, false),
    convCase('depthwise', 384, 384, 14, 3, 1, 384, false), convCase('depthwise', 576, 576, 14, 3, 2, 576, true),
    convCase('depthwise', 960, 960, 7, 3, 1, 960, false),
    normCase('softmax', [1, 12, 128, 128], true), normCase('layernorm', [1, 128, 768], true), normCase('gelu', [1, 128, 3072], true),
    attentionCase(1, 128, 12, 64, true),
  ];
}
