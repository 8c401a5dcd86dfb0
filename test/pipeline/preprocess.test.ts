import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, preprocessImage, preprocessImages, roundHalfEven } from '../../src/models/preprocess.js';
import { expectClose, randomInts } from '../util/numerics.js';

const RAW = { mean: [0, 0, 0], std: [1, 1, 1], scale: 1 };

/** RGB image from per-channel row-major planes. */
function rgb(w: number, h: number, r: number[], g: number[], b: number[]): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) { px[i * 3] = r[i]; px[i * 3 + 1] = g[i]; px[i * 3 + 2] = b[i]; }
  return px;
}
const plane = (t: { data: Float32Array; shape: readonly number[] }, c: number) => {
  const n = t.shape[2] * t.shape[3];
  return Array.from(t.data.subarray(c * n, (c + 1) * n));
};

describe('preprocessImage', () => {
  it('constant colour maps to ((v / 255) - mean) / std in every pixel, through resize and crop', () => {
    const [r, g, b] = [200, 100, 30];
    const w = 7, h = 5;
    const px = rgb(w, h, Array(w * h).fill(r), Array(w * h).fill(g), Array(w * h).fill(b));
    const t = preprocessImage(px, w, h, { resize: 4, crop: 4 });
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([1, 3, 4, 4]);
    [r, g, b].forEach((v, c) => {
      const expected = (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
      expectClose(plane(t, c), Array(16).fill(expected), { channel: c }, { atol: 1e-6, rtol: 1e-6 });
    });
  });

  it('2x2 -> 4x4 bilinear with half-pixel centers matches the hand computation', () => {
    // R = [[0, 100], [200, 40]]; sample positions per axis: 0, 0.25, 0.75, 1 (clamped from 1.25).
    const px = rgb(2, 2, [0, 100, 200, 40], [0, 50, 100, 20], [10, 10, 10, 10]);
    const t = preprocessImage(px, 2, 2, { ...RAW, resize: 4 });
    expect(t.shape).toEqual([1, 3, 4, 4]);
    const r = [
      0, 25, 75, 100,
      50, 58.75, 76.25, 85,
      150, 126.25, 78.75, 55,
      200, 160, 80, 40,
    ];
    expectClose(plane(t, 0), r, 'R', { atol: 1e-5 });
    expectClose(plane(t, 1), r.map((v) => v / 2), 'G', { atol: 1e-5 });
    expectClose(plane(t, 2), Array(16).fill(10), 'B', { atol: 1e-5 });
  });

  it('4x4 -> 2x2 without antialiasing averages the two middle taps of each 2x2 block', () => {
    const v = Array.from({ length: 16 }, (_, i) => i * 10);
    const t = preprocessImage(rgb(4, 4, v, v, v), 4, 4, { ...RAW, resize: 2 });
    // Sample points land at 0.5 and 2.5: means of pixels (0,1) and (2,3) on each axis.
    expectClose(plane(t, 0), [25, 45, 105, 125], 'R');
  });

  it('resize keeps the aspect ratio, truncating the long side like torchvision', () => {
    const px = new Uint8Array(6 * 4 * 3);
    expect(preprocessImage(px, 6, 4, { resize: 2 }).shape).toEqual([1, 3, 2, 3]);
    expect(preprocessImage(new Uint8Array(5 * 3 * 3), 5, 3, { resize: 2 }).shape).toEqual([1, 3, 2, 3]);
    expect(preprocessImage(new Uint8Array(3 * 5 * 3), 3, 5, { resize: 2 }).shape).toEqual([1, 3, 3, 2]);
    expect(preprocessImage(px, 6, 4, { resize: { width: 5, height: 7 } }).shape).toEqual([1, 3, 7, 5]);
  });

  it('center crop offsets use round-half-to-even like torchvision', () => {
    expect([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(2.5), roundHalfEven(1), roundHalfEven(1.25)]).toEqual([0, 2, 2, 1, 1]);
    // 5x5 image, R = x + 10y. Crop 2: offset round(1.5) = 2 on both axes.
    const v = Array.from({ length: 25 }, (_, i) => (i % 5) + 10 * Math.floor(i / 5));
    const t = preprocessImage(rgb(5, 5, v, v, v), 5, 5, { ...RAW, crop: 2 });
    expect(plane(t, 0)).toEqual([22, 23, 32, 33]);
    // Crop 3x1 out of 5x5: left round(1) = 1, top round(2) = 2.
    expect(plane(preprocessImage(rgb(5, 5, v, v, v), 5, 5, { ...RAW, crop: { width: 3, height: 1 } }), 0)).toEqual([21, 22, 23]);
    // 7 wide, crop 2: round(2.5) = 2 (not 3).
    const v7 = Array.from({ length: 7 }, (_, i) => i);
    expect(plane(preprocessImage(rgb(7, 1, v7, v7, v7), 7, 1, { ...RAW, crop: { width: 2, height: 1 } }), 0)).toEqual([2, 3]);
  });

  it('RGBA drops alpha: identical to the RGB image', () => {
    const w = 9, h = 6;
    const rgbPx = Uint8Array.from(randomInts(w * h * 3, 3, 0, 255));
    const alpha = randomInts(w * h, 4, 0, 255);
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) { rgba.set(rgbPx.subarray(i * 3, i * 3 + 3), i * 4); rgba[i * 4 + 3] = alpha[i]; }
    const a = preprocessImage(rgbPx, w, h, { resize: 5, crop: 4 });
    const b = preprocessImage(rgba, w, h, { channels: 4, resize: 5, crop: 4 });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    // Channel count is inferred from the length when not given.
    expect(Array.from(preprocessImage(rgba, w, h, { resize: 5, crop: 4 }).data)).toEqual(Array.from(a.data));
  });

  it('without resize or crop it is a per-pixel affine map, laid out NCHW', () => {
    const w = 3, h = 2;
    const px = Uint8Array.from(randomInts(w * h * 3, 9, 0, 255));
    const t = preprocessImage(px, w, h);
    const expected: number[] = [];
    for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) expected.push((px[i * 3 + c] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]);
    expectClose(t.data, expected, 'identity', { atol: 1e-6, rtol: 1e-6 });
  });

  it('rejects bad input with what is wrong', () => {
    const px = new Uint8Array(4 * 3);
    expect(() => preprocessImage(px, 2, 3)).toThrow(/pixels has 12 values but a 2x3 image needs 18 \(RGB\) or 24 \(RGBA\)/);
    expect(() => preprocessImage(px, 2, 2, { channels: 4 })).toThrow(/pixels has 12 values but 2x2x4 needs 16/);
    expect(() => preprocessImage(px, 0, 2)).toThrow(/width and height must be positive integers/);
    expect(() => preprocessImage(px, 2.5, 2)).toThrow(/width and height must be positive integers/);
    expect(() => preprocessImage(px, 2, 2, { channels: 2 as 3 })).toThrow(/channels must be 3 or 4/);
    expect(() => preprocessImage(px, 2, 2, { crop: 3 })).toThrow(/crop 3x3 is larger than the 2x2 image/);
    expect(() => preprocessImage(px, 2, 2, { resize: 0 })).toThrow(/resize must be a positive integer/);
    expect(() => preprocessImage(px, 2, 2, { std: [1, 0, 1] })).toThrow(/std values must be finite and non-zero/);
    expect(() => preprocessImage(px, 2, 2, { mean: [0.5] })).toThrow(/mean and std need 3 values/);
    expect(() => preprocessImage([1, 2, 3] as unknown as Uint8Array, 1, 1)).toThrow(/Uint8Array or Uint8ClampedArray/);
  });
});

describe('preprocessImages', () => {
  it('stacks images of different sizes into [N, 3, H, W] when crop fixes the size', () => {
    const a = { pixels: Uint8Array.from(randomInts(8 * 6 * 3, 1, 0, 255)), width: 8, height: 6 };
    const b = { pixels: Uint8Array.from(randomInts(5 * 9 * 3, 2, 0, 255)), width: 5, height: 9 };
    const opts = { resize: 5, crop: 4 };
    const t = preprocessImages([a, b], opts);
    expect(t.shape).toEqual([2, 3, 4, 4]);
    const one = preprocessImage(a.pixels, a.width, a.height, opts), two = preprocessImage(b.pixels, b.width, b.height, opts);
    expect(Array.from(t.data)).toEqual([...one.data, ...two.data]);
  });
  it('rejects an empty batch, mismatched sizes and bad images by index', () => {
    expect(() => preprocessImages([])).toThrow(/non-empty array/);
    const a = { pixels: new Uint8Array(2 * 2 * 3), width: 2, height: 2 };
    const b = { pixels: new Uint8Array(3 * 2 * 3), width: 3, height: 2 };
    expect(() => preprocessImages([a, b])).toThrow(/image 1 comes out 3x2 but image 0 comes out 2x2/);
    expect(() => preprocessImages([a, { ...b, width: 4 }])).toThrow(/image 1: preprocessImage: pixels has 18 values/);
  });
});
