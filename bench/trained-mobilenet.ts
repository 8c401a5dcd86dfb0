/**
 * A TRAINED MobileNetV2 1.0/224 for quantization checks: the one the npm package nsfwjs@4.4.0
 * (MIT; a pinned devDependency, never imported by src/) ships as a tfjs layers model. Keras'
 * MobileNetV2 backbone (ImageNet weights, frozen up to block_10, then fine-tuned) with a
 * Dense 256 -> Dense 128 -> Dense 5 head, so top-1 is over 5 classes, not ImageNet's 1000.
 * Classes are referred to by index only. Its weights are stored uint8 per tensor (min + q *
 * scale), which the converter dequantizes exactly as tfjs does: the FP32 model is those values.
 *
 * The inputs are synthetic "natural-ish" images (1/f noise, sky/ground scenes with shapes,
 * periodic textures, the repo's test card) with honest augmentations (random crops, flips,
 * brightness/contrast, blur, pixel noise, blends of two images): no photo ships with the repo.
 *
 *   npm run build && node dist/bench/trained-mobilenet.js [--inputs 128]
 */
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InferenceSession, Tensor, type Graph } from '../src/index.js';
import { kerasMobilenetV2FromTfjs, type TfjsLayersModel } from '../src/models/keras-mobilenet-v2.js';
import { preprocessImage } from '../src/models/preprocess.js';
import { testImage } from '../src/cli/demo.js';
import { cosine } from '../src/quant/report.js';

export const NSFWJS_VERSION = '4.4.0';

/** The model files from node_modules/nsfwjs, or why they are not there. */
export function loadNsfwMobilenetV2(): { model: TfjsLayersModel; weightData: Uint8Array } | { missing: string } {
  const req = createRequire(import.meta.url);
  let root: string;
  try { root = join(dirname(req.resolve('nsfwjs')), '..', '..'); } catch { return { missing: `nsfwjs is not installed (npm i: it is a devDependency, ${NSFWJS_VERSION})` }; }
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (version !== NSFWJS_VERSION) return { missing: `nsfwjs ${version} is installed, the figures are for ${NSFWJS_VERSION}` };
  const dir = join(root, 'dist', 'models', 'mobilenet_v2');
  // The package wraps model.json and each base64 weight shard in a UMD module; dist/models has
  // its own package.json marking them CommonJS, so require() returns the object / string.
  const model = req(join(dir, 'model.min.js')) as TfjsLayersModel;
  const shards = readdirSync(dir).filter((f) => /^group\d+-shard\d+of\d+\.min\.js$/.test(f)).sort();
  const weightData = Buffer.concat(shards.map((f) => Buffer.from(req(join(dir, f)) as string, 'base64')));
  return { model, weightData: new Uint8Array(weightData.buffer, weightData.byteOffset, weightData.byteLength) };
}

/** The converted graph: input 'input' [batch, 3, 224, 224] in [0, 1] (pixels / 255, as nsfwjs feeds it), output 'logits' [batch, 5]. */
export function trainedMobilenetV2(opts: { batch?: number | string; softmax?: boolean } = {}): Graph | { missing: string } {
  const files = loadNsfwMobilenetV2();
  return 'missing' in files ? files : kerasMobilenetV2FromTfjs(files.model, files.weightData, opts);
}

/** mulberry32: small, seeded, local state. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIZE = 256;

/** Value noise with a 1/f amplitude spectrum (octaves 2..64 cells), about what natural images have. */
function fractal(r: () => number, octaves = 6): Float32Array {
  const out = new Float32Array(SIZE * SIZE);
  for (let o = 0, cells = 2, amp = 1; o < octaves; o++, cells *= 2, amp /= 2) {
    const g = Float32Array.from({ length: (cells + 1) * (cells + 1) }, () => r() * 2 - 1), step = SIZE / cells;
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
      const gx = x / step, gy = y / step, ix = Math.floor(gx), iy = Math.floor(gy), fx = gx - ix, fy = gy - iy;
      const at = (i: number, j: number) => g[j * (cells + 1) + i];
      const top = at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx, bot = at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx;
      out[y * SIZE + x] += amp * (top * (1 - fy) + bot * fy);
    }
  }
  return out;
}

const color = (r: () => number): number[] => [r() * 255, r() * 255, r() * 255];

/** One 256x256 RGBA base image of kind `kind` (0..3). */
function baseImage(kind: number, seed: number): Uint8ClampedArray {
  if (kind === 0) return testImage(SIZE, SIZE);
  const r = rng(seed), px = new Uint8ClampedArray(SIZE * SIZE * 4).fill(255);
  const set = (i: number, c: number[]) => { px[4 * i] = c[0]; px[4 * i + 1] = c[1]; px[4 * i + 2] = c[2]; };
  if (kind === 1) {
    // Colored 1/f noise: a luminance field and two weaker chroma fields.
    const l = fractal(r), u = fractal(r, 4), v = fractal(r, 4), base = color(r), gain = 60 + r() * 80;
    for (let i = 0; i < SIZE * SIZE; i++) set(i, [base[0] + gain * (l[i] + 0.5 * u[i]), base[1] + gain * (l[i] - 0.3 * u[i] - 0.3 * v[i]), base[2] + gain * (l[i] + 0.5 * v[i])]);
  } else if (kind === 2) {
    // Sky over textured ground, with a few shaded ellipses and boxes in front.
    const horizon = SIZE * (0.3 + 0.4 * r()), sky = color(r), ground = color(r), tex = fractal(r);
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x, t = y / SIZE;
      set(i, y < horizon ? sky.map((c) => c * (0.7 + 0.5 * t)) : ground.map((c) => c * (0.8 + 0.3 * tex[i])));
    }
    for (let k = 0, n = 1 + Math.floor(r() * 5); k < n; k++) {
      const cx = r() * SIZE, cy = r() * SIZE, rx = 10 + r() * 70, ry = 10 + r() * 70, c = color(r), box = r() < 0.4;
      for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(SIZE, cy + ry); y++) for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(SIZE, cx + rx); x++) {
        const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        if (box || d < 1) set(y * SIZE + x, c.map((v) => v * (1 - 0.4 * (box ? (y - cy + ry) / (2 * ry) : d))));
      }
    }
  } else {
    // A periodic texture (stripes or checks) at a random angle and period, two colors.
    const a = r() * Math.PI, f = (2 * Math.PI) / (6 + r() * 40), c0 = color(r), c1 = color(r), checks = r() < 0.5;
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
      const u = Math.sin(f * (x * Math.cos(a) + y * Math.sin(a))), v = Math.sin(f * (-x * Math.sin(a) + y * Math.cos(a)));
      const t = checks ? (u * v > 0 ? 1 : 0) : 0.5 + 0.5 * u;
      set(y * SIZE + x, c0.map((c, j) => c * t + c1[j] * (1 - t)));
    }
  }
  return px;
}

/**
 * `count` inputs [1, 3, 224, 224] in [0, 1]: base image i picked by seed, then a random crop
 * (60-100% of the side), a flip, brightness / contrast, a box blur, pixel noise and, for a
 * quarter of them, a blend with a second base image. Same seed, same images.
 */
export function naturalishInputs(count: number, seed = 1): Tensor<'float32'>[] {
  const out: Tensor<'float32'>[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng(seed * 100003 + i);
    let px = baseImage(Math.floor(r() * 4), Math.floor(r() * 1e9));
    if (r() < 0.25) {
      const other = baseImage(1 + Math.floor(r() * 3), Math.floor(r() * 1e9)), a = 0.2 + 0.3 * r();
      px = px.map((v, j) => v * (1 - a) + other[j] * a);
    }
    const side = Math.floor(SIZE * (0.6 + 0.4 * r())), left = Math.floor(r() * (SIZE - side + 1)), top = Math.floor(r() * (SIZE - side + 1));
    const flip = r() < 0.5, gain = 0.6 + 0.8 * r(), bias = (r() - 0.5) * 80, noise = r() * 12, blur = Math.floor(r() * 3);
    let crop = new Float32Array(side * side * 3);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
      const sx = flip ? left + side - 1 - x : left + x;
      crop[(y * side + x) * 3 + c] = px[((top + y) * SIZE + sx) * 4 + c];
    }
    if (blur) crop = boxBlur(crop, side, blur);
    const mean = [0, 1, 2].map((c) => crop.reduce((s, v, j) => (j % 3 === c ? s + v : s), 0) / (side * side));
    const u8 = new Uint8ClampedArray(crop.length);
    for (let j = 0; j < crop.length; j++) {
      // Box-Muller for the pixel noise; contrast about each channel's mean, then brightness.
      const n = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      u8[j] = (crop[j] - mean[j % 3]) * gain + mean[j % 3] + bias + noise * n;
    }
    out.push(preprocessImage(u8, side, side, { channels: 3, resize: { width: 224, height: 224 }, mean: [0, 0, 0], std: [1, 1, 1] }));
  }
  return out;
}

function boxBlur(src: Float32Array, side: number, radius: number): Float32Array<ArrayBuffer> {
  const pass = (a: Float32Array, dx: number, dy: number) => {
    const b: Float32Array<ArrayBuffer> = new Float32Array(a.length);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
      let s = 0, n = 0;
      for (let k = -radius; k <= radius; k++) {
        const xx = x + k * dx, yy = y + k * dy;
        if (xx >= 0 && xx < side && yy >= 0 && yy < side) { s += a[(yy * side + xx) * 3 + c]; n++; }
      }
      b[(y * side + x) * 3 + c] = s / n;
    }
    return b;
  };
  return pass(pass(src, 1, 0), 0, 1);
}

/** Each input's logits (one run per input, batch 1). */
export async function logitsOf(g: Graph, inputs: readonly Tensor<'float32'>[]): Promise<Float32Array[]> {
  const s = await InferenceSession.create(g), name = s.outputNames[0], out: Float32Array[] = [];
  try {
    for (const x of inputs) out.push(Float32Array.from((await s.run({ input: x }))[name].data as Float32Array));
  } finally { s.dispose(); }
  return out;
}

export function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

/** FP32 top1 - top2 logit gap per input. */
export function margins(logits: readonly Float32Array[]): number[] {
  return logits.map((l) => {
    const s = [...l].sort((a, b) => b - a);
    return s[0] - s[1];
  });
}

export interface Agreement { cosineMean: number; cosineMin: number; top1Agreement: number; disagreements: number }

export function agreement(ref: readonly Float32Array[], q: readonly Float32Array[]): Agreement {
  let sum = 0, min = Infinity, agree = 0;
  ref.forEach((r, i) => {
    const c = cosine(r, q[i]);
    sum += c;
    min = Math.min(min, c);
    if (argmax(r) === argmax(q[i])) agree++;
  });
  return { cosineMean: sum / ref.length, cosineMin: min, top1Agreement: agree / ref.length, disagreements: ref.length - agree };
}

async function main(): Promise<void> {
  const { quantize } = await import('../src/quant/index.js');
  const argv = process.argv.slice(2), n = Number(argv[argv.indexOf('--inputs') + 1] || 128) || 128;
  const g = trainedMobilenetV2({ batch: 1 });
  if ('missing' in g) { console.log(`skipped: ${g.missing}`); return; }
  const inputs = naturalishInputs(n, 1);
  let t = performance.now();
  const ref = await logitsOf(g, inputs);
  console.log(`FP32: ${n} inputs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const hist = new Array(ref[0].length).fill(0);
  for (const l of ref) hist[argmax(l)]++;
  const m = margins(ref).sort((a, b) => a - b), q = (p: number) => m[Math.min(m.length - 1, Math.floor(p * m.length))].toFixed(3);
  console.log(`FP32 top-1 histogram by class index: ${hist.map((c, i) => `#${i}: ${c}`).join(', ')}`);
  console.log(`FP32 top1-top2 logit margin: min ${q(0)}, 5% ${q(0.05)}, 10% ${q(0.1)}, median ${q(0.5)}, max ${m[m.length - 1].toFixed(3)}; inputs under 0.1: ${m.filter((x) => x < 0.1).length}`);
  // Calibration images come from another seed than the evaluation inputs (seed 1).
  const calibration = { feeds: naturalishInputs(8, 2).map((x) => ({ input: x })) };
  const m0 = margins(ref);
  const cases: [string, Parameters<typeof quantize>[1]][] = [
    ['int8, int8-dynamic activations', { weights: 'int8', activations: 'int8-dynamic' }],
    ['int8 (default activations)', { weights: 'int8' }],
    ['int8, int8-dynamic + biasCorrection + keepFirstLayers 6 (random calibration)', { weights: 'int8', activations: 'int8-dynamic', biasCorrection: true, keepFirstLayers: 6 }],
    ['int8, int8-dynamic + biasCorrection + keepFirstLayers 6 (8 image calibration)', { weights: 'int8', activations: 'int8-dynamic', biasCorrection: true, keepFirstLayers: 6, calibration }],
    ['int8, int8-dynamic + keepFirstLayers 12', { weights: 'int8', activations: 'int8-dynamic', keepFirstLayers: 12 }],
    ['int8, int8-dynamic + biasCorrection + keepFirstLayers 12 (random calibration)', { weights: 'int8', activations: 'int8-dynamic', biasCorrection: true, keepFirstLayers: 12 }],
    ['int8, int8-dynamic + biasCorrection + keepFirstLayers 12 (8 image calibration; the test)', { weights: 'int8', activations: 'int8-dynamic', biasCorrection: true, keepFirstLayers: 12, calibration }],
  ];
  for (const [label, o] of cases) {
    t = performance.now();
    const qg = quantize(g, o), ql = await logitsOf(qg, inputs), a = agreement(ref, ql);
    const off = ref.flatMap((r, i) => (argmax(r) === argmax(ql[i]) ? [] : [m0[i].toFixed(3)]));
    console.log(`${label}: cosine mean ${a.cosineMean.toFixed(5)} min ${a.cosineMin.toFixed(5)}, top-1 ${(a.top1Agreement * 100).toFixed(1)}% (${a.disagreements} of ${n} differ${off.length ? `, FP32 margins ${off.join(', ')}` : ''}); weight bytes ${(qg.weightBytes / g.weightBytes).toFixed(3)}x; ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main().catch((e) => { console.error(e); process.exit(1); });
