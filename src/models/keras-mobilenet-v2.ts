import { GraphBuilder, type Value } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { Tensor } from '../tensor.js';
import { checkBatch } from './layers.js';

/**
 * A Keras model saved in the tfjs "layers-model" format (model.json: topology plus weights
 * manifest), converted to a Tessera Graph. It covers the layer set of Keras' MobileNetV2
 * (keras.applications) with a Dense head: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D,
 * BatchNormalization, ReLU (max_value 6 -> Clip), Add, AveragePooling2D, GlobalAveragePooling2D,
 * Flatten, Dense, Dropout; any other layer is refused by name rather than guessed at.
 *
 * Layout: Keras is NHWC with HWIO kernels; the Graph is NCHW like Tessera's other convnets
 * (input 'input' float32 [N, C, H, W], the values Keras would see, e.g. pixels / 255 for
 * nsfwjs), kernels OIHW, depthwise [H, W, C, 1] -> [C, 1, H, W]. BatchNormalization stays an
 * explicit node (Keras' epsilon, 1e-3 for MobileNetV2) for the optimizer to fold, as in
 * exported PyTorch graphs. Padding is TensorFlow's: 'same' puts the odd pixel at the bottom /
 * right, and a ZeroPadding2D is merged into the next conv's pads.
 */

/** One entry of a tfjs weights manifest. Quantized entries store uint8/uint16 q: value = min + q * scale. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface TfjsLayersModel {
  modelTopology: { model_config?: KerasModelConfig } & Partial<KerasModelConfig>;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

interface KerasModelConfig { class_name: string; config: { layers: KerasLayer[]; input_layers: unknown[][]; output_layers: unknown[][] } }
interface KerasLayer { name: string; class_name: string; config: Record<string, any>; inbound_nodes: unknown[][][] }

export interface KerasConvertOptions {
  /** Batch dimension: a number or a symbol. Default 'N'. */
  batch?: number | string;
  /**
   * Keep a final softmax activation. Default false: the output is 'logits' (the last Dense
   * before its softmax), which is what output cosine is measured on; top-1 is the same.
   */
  softmax?: boolean;
}

/** Dequantizes every tensor of the manifest from the concatenated shards, in manifest order. */
export function decodeTfjsWeights(specs: readonly TfjsWeightSpec[], data: Uint8Array): Map<string, Tensor<'float32'>> {
  const out = new Map<string, Tensor<'float32'>>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1), v = new Float32Array(n), q = s.quantization;
    if (s.dtype !== 'float32') throw new Error(`tfjs weights: ${s.name} has dtype ${s.dtype}; only float32 weights are converted`);
    if (q && q.dtype !== 'uint8' && q.dtype !== 'uint16') throw new Error(`tfjs weights: ${s.name} is quantized as ${q.dtype}; only uint8/uint16 (min + q * scale) are read`);
    const bytes = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
    if (at + n * bytes > data.byteLength) throw new Error(`tfjs weights: ${s.name} runs past the ${data.byteLength} bytes of weight data`);
    // tfjs io computes q * scale + min in doubles, then stores float32: the same here.
    if (!q) for (let i = 0; i < n; i++) v[i] = view.getFloat32(at + 4 * i, true);
    else if (q.dtype === 'uint8') for (let i = 0; i < n; i++) v[i] = data[at + i] * q.scale! + q.min!;
    else for (let i = 0; i < n; i++) v[i] = view.getUint16(at + 2 * i, true) * q.scale! + q.min!;
    at += n * bytes;
    out.set(s.name, new Tensor('float32', s.shape, v));
  }
  if (at !== data.byteLength) throw new Error(`tfjs weights: the manifest reads ${at} bytes, the data has ${data.byteLength}`);
  return out;
}

/** Converts a tfjs layers model (parsed model.json plus its shards' bytes, concatenated in manifest order) to a Graph. */
export function kerasMobilenetV2FromTfjs(model: TfjsLayersModel, weightData: Uint8Array, opts: KerasConvertOptions = {}): Graph {
  const mc = model.modelTopology.model_config ?? (model.modelTopology as KerasModelConfig);
  if (!mc?.config?.layers) throw new Error('keras model: modelTopology has no model_config.layers');
  const weights = decodeTfjsWeights(model.weightsManifest.flatMap((g) => g.weights), weightData);
  const take = (name: string): Tensor<'float32'> => {
    const t = weights.get(name);
    if (!t) throw new Error(`keras model: weight ${name} is missing from the manifest`);
    weights.delete(name);
    return t;
  };

  const b = new GraphBuilder(`keras_${(mc.config as { name?: string }).name ?? 'model'}`);
  // What each Keras layer's output is in the Graph: its value, NCHW dims [C, H, W] (or [F]
  // after Flatten/Dense), and pads a ZeroPadding2D left for the next conv to take.
  interface Out { v: Value; dims: number[]; pads?: [number, number, number, number] }
  const outs = new Map<string, Out>();
  const inputOf = (l: KerasLayer, i = 0): Out => {
    const ref = l.inbound_nodes[0]?.[i]?.[0] as string | undefined, o = ref === undefined ? undefined : outs.get(ref);
    if (!o) throw new Error(`keras model: layer ${l.name} reads ${String(ref)}, which is not (yet) defined`);
    return o;
  };
  const pending = (o: Out, l: KerasLayer) => {
    if (o.pads && !/Conv2D$/.test(l.class_name)) throw new Error(`keras model: ZeroPadding2D before ${l.class_name} ${l.name} is not supported`);
  };
  let logits: Value | undefined;

  for (const l of mc.config.layers) {
    const c = l.config;
    if (l.class_name === 'InputLayer') {
      const [, h, w, ch] = c.batch_input_shape as number[];
      if (!(h > 0 && w > 0 && ch > 0)) throw new Error(`keras model: input ${l.name} needs a fixed [H, W, C], got ${JSON.stringify(c.batch_input_shape)}`);
      outs.set(l.name, { v: b.input('input', 'float32', [checkBatch('keras model', opts.batch, 'N'), ch, h, w]), dims: [ch, h, w] });
      continue;
    }
    const x = inputOf(l);
    pending(x, l);
    if (c.data_format && c.data_format !== 'channels_last') throw new Error(`keras model: ${l.name} has data_format ${c.data_format}`);
    let o: Out;
    switch (l.class_name) {
      case 'ZeroPadding2D': {
        const [[t, bo], [le, r]] = c.padding as number[][];
        const [ch, h, w] = x.dims;
        o = { v: x.v, dims: [ch, h + t + bo, w + le + r], pads: [t, le, bo, r] };
        break;
      }
      case 'Conv2D': case 'DepthwiseConv2D': {
        const depthwise = l.class_name === 'DepthwiseConv2D';
        const k = take(`${l.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
        const [kh, kw, cin, cout] = k.shape, [ch, h, w] = x.dims;
        if (cin !== ch) throw new Error(`keras model: ${l.name} kernel expects ${cin} channels, gets ${ch}`);
        if (depthwise && cout !== 1) throw new Error(`keras model: ${l.name} depth_multiplier ${cout} is not supported`);
        const dil = c.dilation_rate as number[] | undefined;
        if (dil && (dil[0] !== 1 || dil[1] !== 1)) throw new Error(`keras model: ${l.name} dilation is not supported`);
        const [sh, sw] = c.strides as number[];
        const pads = x.pads ?? (c.padding === 'same' ? samePads(h, w, kh, kw, sh, sw) : [0, 0, 0, 0]);
        if (x.pads && c.padding !== 'valid') throw new Error(`keras model: ${l.name} follows a ZeroPadding2D but pads '${c.padding}'`);
        // HWIO -> OIHW; depthwise HW C 1 -> C 1 H W (one group per channel).
        const outC = depthwise ? cin : cout;
        const oihw = new Float32Array(k.size);
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) {
          const src = ((i * kw + j) * cin + ci) * cout + co;
          oihw[depthwise ? (ci * kh + i) * kw + j : ((co * cin + ci) * kh + i) * kw + j] = k.data[src];
        }
        const wv = b.constant(new Tensor('float32', depthwise ? [cin, 1, kh, kw] : [cout, cin, kh, kw], oihw), `${l.name}.weight`);
        const bias = c.use_bias ? b.constant(take(`${l.name}/bias`), `${l.name}.bias`) : undefined;
        const v = b.conv(x.v, wv, bias, { dilations: [1, 1], group: depthwise ? cin : 1, kernel_shape: [kh, kw], pads, strides: [sh, sw] });
        o = activation(b, { v, dims: [outC, outDim(h, kh, sh, pads[0] + pads[2]), outDim(w, kw, sw, pads[1] + pads[3])] }, c.activation, l.name);
        break;
      }
      case 'BatchNormalization': {
        if (c.axis !== -1 && c.axis !== 3 && !(Array.isArray(c.axis) && c.axis.length === 1 && (c.axis[0] === -1 || c.axis[0] === 3))) throw new Error(`keras model: ${l.name} normalizes axis ${JSON.stringify(c.axis)}, not channels`);
        const ch = x.dims[0], ones = () => new Tensor('float32', [ch], new Float32Array(ch).fill(1)), zeros = () => new Tensor('float32', [ch], new Float32Array(ch));
        const gamma = c.scale === false ? ones() : take(`${l.name}/gamma`), beta = c.center === false ? zeros() : take(`${l.name}/beta`);
        const [mean, variance] = [take(`${l.name}/moving_mean`), take(`${l.name}/moving_variance`)];
        const k = (t: Tensor<'float32'>, s: string) => b.constant(t, `${l.name}.${s}`);
        o = { v: b.batchNorm(x.v, k(gamma, 'weight'), k(beta, 'bias'), k(mean, 'running_mean'), k(variance, 'running_var'), { epsilon: c.epsilon }), dims: x.dims };
        break;
      }
      case 'ReLU': {
        if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) throw new Error(`keras model: ${l.name} is a leaky / thresholded ReLU`);
        o = { v: c.max_value == null ? b.relu(x.v) : b.clip(x.v, 0, c.max_value), dims: x.dims };
        break;
      }
      case 'Add': {
        const ins = l.inbound_nodes[0].map((_, i) => inputOf(l, i));
        o = { v: ins.slice(1).reduce((a, y) => b.add(a, y.v), ins[0].v), dims: x.dims };
        break;
      }
      case 'AveragePooling2D': case 'GlobalAveragePooling2D': {
        const [ch, h, w] = x.dims, [ph, pw] = l.class_name === 'GlobalAveragePooling2D' ? [h, w] : c.pool_size as number[];
        const [sh, sw] = (c.strides as number[] | null) ?? [ph, pw];
        if (ph === h && pw === w && c.padding !== 'same') o = { v: b.globalAveragePool(x.v), dims: [ch, 1, 1] };
        else if (c.padding === 'valid') o = { v: b.averagePool(x.v, { kernel_shape: [ph, pw], strides: [sh, sw] }), dims: [ch, outDim(h, ph, sh, 0), outDim(w, pw, sw, 0)] };
        else throw new Error(`keras model: ${l.name} 'same' average pooling is not supported`);
        if (l.class_name === 'GlobalAveragePooling2D') o = { v: b.flatten(o.v, 1), dims: [ch] };
        break;
      }
      case 'Flatten': {
        // Keras flattens H, W, C in that order; the same as NCHW only once the spatial dims are 1.
        if (x.dims.length === 3 && (x.dims[1] !== 1 || x.dims[2] !== 1)) throw new Error(`keras model: ${l.name} flattens a ${x.dims[1]}x${x.dims[2]} map (channel order differs from NCHW)`);
        o = { v: b.flatten(x.v, 1), dims: [x.dims[0]] };
        break;
      }
      case 'Dense': {
        if (x.dims.length !== 1) throw new Error(`keras model: ${l.name} needs a flat input`);
        const kernel = take(`${l.name}/kernel`), units = kernel.shape[1];
        const bias = c.use_bias ? take(`${l.name}/bias`) : new Tensor('float32', [units], new Float32Array(units));
        // Keras kernels are [in, out]: Gemm without transB.
        const v = b.gemm(x.v, b.constant(kernel, `${l.name}.weight`), b.constant(bias, `${l.name}.bias`), { alpha: 1, beta: 1, transB: 0 });
        if (c.activation === 'softmax') {
          logits = v;
          o = { v: opts.softmax ? b.softmax(v, -1) : v, dims: [units] };
        } else o = activation(b, { v, dims: [units] }, c.activation, l.name);
        break;
      }
      case 'Dropout': o = x; break;
      default: throw new Error(`keras model: layer ${l.name} of class ${l.class_name} is not supported`);
    }
    outs.set(l.name, o);
  }
  if (weights.size) throw new Error(`keras model: ${weights.size} weights were not used (${[...weights.keys()].slice(0, 3).join(', ')}...)`);
  const outputs = mc.config.output_layers;
  if (outputs.length !== 1) throw new Error(`keras model: ${outputs.length} outputs; one is supported`);
  const last = outs.get(outputs[0][0] as string)!;
  b.output(last.v, logits === undefined ? 'output' : opts.softmax ? 'probabilities' : 'logits');
  return b.build();
}

function activation(b: GraphBuilder, o: { v: Value; dims: number[] }, act: string | undefined, name: string): { v: Value; dims: number[] } {
  if (!act || act === 'linear') return o;
  if (act === 'relu') return { v: b.relu(o.v), dims: o.dims };
  if (act === 'relu6') return { v: b.clip(o.v, 0, 6), dims: o.dims };
  throw new Error(`keras model: ${name} activation ${act} is not supported`);
}

/** TensorFlow 'SAME': total pad so that out = ceil(in / stride), the odd pixel at the end. ONNX order [top, left, bottom, right]. */
function samePads(h: number, w: number, kh: number, kw: number, sh: number, sw: number): [number, number, number, number] {
  const total = (n: number, k: number, s: number) => Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  const th = total(h, kh, sh), tw = total(w, kw, sw);
  return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
}

function outDim(n: number, k: number, s: number, pad: number): number { return Math.floor((n + pad - k) / s) + 1; }
