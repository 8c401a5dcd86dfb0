import { Tensor } from '../tensor.js';

/**
 * Image preprocessing for ImageNet-style classifiers: interleaved 8-bit RGB(A) pixels ->
 * resize (shorter side, bilinear) -> center crop -> scale, normalise -> float32 NCHW.
 *
 * Resizing matches torchvision `Resize(n, antialias=False)` / PyTorch
 * `interpolate(mode='bilinear', align_corners=False)`: half-pixel centers, source
 * coordinates clamped at the edges, no antialiasing filter when shrinking. It is computed
 * in float and not rounded back to 8 bits between resize and normalisation.
 */

export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

export interface PreprocessOptions {
  /** Interleaved channels in `pixels`: 3 (RGB) or 4 (RGBA, alpha ignored). Default 4 when the length says so, else 3. */
  channels?: 3 | 4;
  /** Shorter side -> this many pixels keeping the aspect ratio, or an exact size. Default: no resize. */
  resize?: number | { width: number; height: number };
  /** Center crop to a square of this side, or an exact size. Default: no crop. */
  crop?: number | { width: number; height: number };
  /** Per-channel mean subtracted after scaling. Default ImageNet's. */
  mean?: readonly number[];
  /** Per-channel std divided by after subtracting the mean. Default ImageNet's. */
  std?: readonly number[];
  /** Multiplies raw 0–255 values first. Default 1/255. */
  scale?: number;
}

export interface ImageInput {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

interface Plan { outW: number; outH: number; resizedW: number; resizedH: number; left: number; top: number; channels: number }

/** One image -> float32 [1, 3, H, W]. */
export function preprocessImage(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, opts: PreprocessOptions = {}): Tensor<'float32'> {
  const plan = planImage(pixels, width, height, opts);
  const out = new Float32Array(3 * plan.outW * plan.outH);
  fill(out, 0, pixels, width, height, plan, opts);
  return new Tensor('float32', [1, 3, plan.outH, plan.outW], out);
}

/** Several images -> float32 [N, 3, H, W]; every image must come out the same size (use crop or an exact resize). */
export function preprocessImages(images: readonly ImageInput[], opts: PreprocessOptions = {}): Tensor<'float32'> {
  if (!Array.isArray(images) || images.length === 0) throw new PreprocessError('preprocessImages: expected a non-empty array of { pixels, width, height }');
  const plans = images.map((im, i) => {
    try { return planImage(im.pixels, im.width, im.height, opts); } catch (e) { throw new PreprocessError(`image ${i}: ${(e as Error).message}`); }
  });
  const { outW, outH } = plans[0];
  plans.forEach((p, i) => {
    if (p.outW !== outW || p.outH !== outH) throw new PreprocessError(`preprocessImages: image ${i} comes out ${p.outW}x${p.outH} but image 0 comes out ${outW}x${outH}; set crop or an exact resize`);
  });
  const per = 3 * outW * outH;
  const out = new Float32Array(images.length * per);
  images.forEach((im, i) => fill(out, i * per, im.pixels, im.width, im.height, plans[i], opts));
  return new Tensor('float32', [images.length, 3, outH, outW], out);
}

function size2(v: number | { width: number; height: number }, what: string): { width: number; height: number } {
  const s = typeof v === 'number' ? { width: v, height: v } : v;
  if (typeof s !== 'object' || s === null || !Number.isInteger(s.width) || !Number.isInteger(s.height) || s.width < 1 || s.height < 1) {
    throw new PreprocessError(`preprocessImage: ${what} must be a positive integer or { width, height } of positive integers, got ${JSON.stringify(v)}`);
  }
  return s;
}

function planImage(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, opts: PreprocessOptions): Plan {
  if (!(pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray)) throw new PreprocessError('preprocessImage: pixels must be a Uint8Array or Uint8ClampedArray');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new PreprocessError(`preprocessImage: width and height must be positive integers, got ${width}x${height}`);
  const channels = opts.channels ?? (pixels.length === width * height * 4 ? 4 : 3);
  if (channels !== 3 && channels !== 4) throw new PreprocessError(`preprocessImage: channels must be 3 or 4, got ${channels}`);
  if (pixels.length !== width * height * channels) {
    if (opts.channels === undefined) throw new PreprocessError(`preprocessImage: pixels has ${pixels.length} values but a ${width}x${height} image needs ${width * height * 3} (RGB) or ${width * height * 4} (RGBA)`);
    throw new PreprocessError(`preprocessImage: pixels has ${pixels.length} values but ${width}x${height}x${channels} needs ${width * height * channels}`);
  }
  const mean = opts.mean ?? IMAGENET_MEAN, std = opts.std ?? IMAGENET_STD;
  if (mean.length !== 3 || std.length !== 3) throw new PreprocessError(`preprocessImage: mean and std need 3 values each, got ${mean.length} and ${std.length}`);
  if (std.some((s) => !(Number.isFinite(s) && s !== 0))) throw new PreprocessError(`preprocessImage: std values must be finite and non-zero, got ${JSON.stringify(std)}`);
  let resizedW = width, resizedH = height;
  if (opts.resize !== undefined) {
    if (typeof opts.resize === 'number') {
      const n = size2(opts.resize, 'resize').width;
      // torchvision: the long side is int(n * long / short), truncated.
      if (width <= height) { resizedW = n; resizedH = Math.floor((n * height) / width); }
      else { resizedH = n; resizedW = Math.floor((n * width) / height); }
    } else ({ width: resizedW, height: resizedH } = size2(opts.resize, 'resize'));
  }
  let outW = resizedW, outH = resizedH, left = 0, top = 0;
  if (opts.crop !== undefined) {
    ({ width: outW, height: outH } = size2(opts.crop, 'crop'));
    if (outW > resizedW || outH > resizedH) throw new PreprocessError(`preprocessImage: crop ${outW}x${outH} is larger than the ${resizedW}x${resizedH} image it crops`);
    // torchvision CenterCrop: int(round((size - crop) / 2)) with Python's round-half-to-even.
    left = roundHalfEven((resizedW - outW) / 2);
    top = roundHalfEven((resizedH - outH) / 2);
  }
  return { outW, outH, resizedW, resizedH, left, top, channels };
}

export function roundHalfEven(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** Source index pairs and weights for one axis, half-pixel centers, clamped at the edges. */
function axisTaps(outLen: number, inLen: number, resizedLen: number, offset: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outLen), i1 = new Int32Array(outLen), w = new Float32Array(outLen);
  const scale = inLen / resizedLen;
  for (let o = 0; o < outLen; o++) {
    const src = Math.max(0, (o + offset + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inLen - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inLen - 1);
    w[o] = src - lo;
  }
  return { i0, i1, w };
}

function fill(out: Float32Array, base: number, pixels: ArrayLike<number>, width: number, height: number, plan: Plan, opts: PreprocessOptions): void {
  const { outW, outH, channels } = plan;
  const mean = opts.mean ?? IMAGENET_MEAN, std = opts.std ?? IMAGENET_STD, scale = opts.scale ?? 1 / 255;
  const xs = axisTaps(outW, width, plan.resizedW, plan.left);
  const ys = axisTaps(outH, height, plan.resizedH, plan.top);
  const plane = outW * outH;
  for (let c = 0; c < 3; c++) {
    const mul = scale / std[c], add = -mean[c] / std[c];
    for (let y = 0; y < outH; y++) {
      const r0 = ys.i0[y] * width, r1 = ys.i1[y] * width, wy = ys.w[y];
      for (let x = 0; x < outW; x++) {
        const a = xs.i0[x], b = xs.i1[x], wx = xs.w[x];
        const top = pixels[(r0 + a) * channels + c] * (1 - wx) + pixels[(r0 + b) * channels + c] * wx;
        const bot = pixels[(r1 + a) * channels + c] * (1 - wx) + pixels[(r1 + b) * channels + c] * wx;
        out[base + c * plane + y * outW + x] = (top * (1 - wy) + bot * wy) * mul + add;
      }
    }
  }
}
