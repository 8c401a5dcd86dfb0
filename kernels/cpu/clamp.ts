/**
 * clamp(v, lo, hi) without a data-dependent branch. Math.max / Math.min and ternaries compile to
 * compare-and-jump on x64, and with activations of random sign (ReLU, ReLU6 after a conv) the
 * jump mispredicts on about half of all outputs (MobileNetV2's depthwise convs took 40 ms with
 * a ternary clamp, 21 ms with this one; a K = 16 pointwise conv with ReLU6 twice the time of the
 * bare product). Here each bound is a ReLU, relu(d) = (d + |d|) / 2 (andpd, no jump):
 *
 *   t = v + relu(lo - v)     exact when v >= lo; when v < lo, lo up to the rounding of lo - v
 *   y = t - relu(t - hi)     exact when t <= hi; when t > hi, hi up to the rounding of t - hi
 *
 * v is first bounded to [lo - SPAN, hi + SPAN]: a jump too, but one that only absurd values
 * (beyond 2^24 past a bound, or infinities) take, so it never mispredicts. That keeps lo - v and
 * t - hi small enough to round by at most 2^-29 when a bound applies: ReLU (lo = 0) is exact
 * for every v (up to the sign of a zero), ReLU6 gives exactly 6 in float32, and any bound comes
 * out within 2^-29 + 2^-52 |bound|. Bounds must lie in [NO_LO, NO_HI] (NO_LO / NO_HI: no
 * bound). NaN stays NaN; ±Infinity comes out as the bound or as ±BOUND, which a Float32Array
 * stores as ±Infinity.
 */
export function clamp(v: number, lo: number, hi: number): number {
  v = Math.min(Math.max(v, lo - SPAN), hi + SPAN);
  let d = lo - v;
  v += (d + Math.abs(d)) * 0.5;
  d = v - hi;
  return v - (d + Math.abs(d)) * 0.5;
}

/** Above float32's range (so it stores as Infinity), and small enough that no difference overflows. */
export const BOUND = Number.MAX_VALUE / 4;
/** How far past a bound v may be before it is first bounded (see above). */
export const SPAN = 2 ** 24;
/** The bounds that clamp nothing. */
export const NO_LO = -BOUND;
export const NO_HI = BOUND;
