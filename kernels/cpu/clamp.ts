/**
 * clamp(v, lo, hi) without a data-dependent branch. Math.max / Math.min and ternaries compile to
 * compare-and-jump on x64, and with activations of random sign (ReLU, ReLU6 after a conv) the
 * jump mispredicts on about half of all outputs (MobileNetV2's depthwise convs took 40 ms with
 * a ternary clamp, 21 ms with this one; bench/profile.ts). Here each bound is a ReLU, relu(d) = (d + |d|) / 2 (andpd, no jump):
 *
 *   t = v + relu(lo - v)     exact when v >= lo; when v < lo, lo up to the rounding of lo - v
 *   y = t - relu(t - hi)     exact when t <= hi; when t > hi, hi up to the rounding of t - hi
 *
 * ReLU (lo = 0) is exact for every finite v (up to the sign of a zero); ReLU6 for every finite
 * v below 2^53; other bounds within 2^-52 (|v| + |lo| + |hi|). A missing bound is passed as
 * ±Number.MAX_VALUE (NO_LO / NO_HI), which leaves v as it is.
 * Infinite or NaN inputs, or infinite bounds, make y NaN; the (never mispredicted) check then
 * takes Math.min/Math.max, so NaN stays NaN and ±Infinity clamps as it should.
 */
export function clamp(v: number, lo: number, hi: number): number {
  let d = lo - v;
  const t = v + (d + Math.abs(d)) * 0.5;
  d = t - hi;
  const y = t - (d + Math.abs(d)) * 0.5;
  return y === y ? y : Math.min(Math.max(v, lo), hi);
}

/** The bounds that clamp nothing. */
export const NO_LO = -Number.MAX_VALUE;
export const NO_HI = Number.MAX_VALUE;
