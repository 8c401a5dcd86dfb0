import type { Tensor } from '../tensor.js';
import { f16ToF32 } from '../dtype.js';

/**
 * Input drift by the Population Stability Index. A reference profile fixes, per input, bin
 * edges (quantiles of reference values) and the share of reference values in each bin; live
 * traffic fills the same bins; PSI = Σ (a − e)·ln(a / e). Rule of thumb: < 0.1 stable,
 * 0.1–0.25 moderate shift, > 0.25 significant shift.
 */
export interface DriftReference {
  /** Bin upper edges, increasing; bin i holds edges[i-1] < v <= edges[i], the last bin v > edges[last]. */
  edges: number[];
  /** Share of reference values per bin (edges.length + 1 numbers summing to 1). */
  expected: number[];
}

/** Per input name. Serializable as JSON (what `--drift-reference` reads). */
export type DriftProfile = Record<string, DriftReference>;

export interface DriftOptions {
  /** Bins per input when the profile is built from traffic. Default 10. */
  bins?: number;
  /** Requests collected to build the reference when no profile is given. Default 100. */
  referenceRequests?: number;
  /** Values sampled (evenly strided) from each input tensor. Default 4096. */
  maxValuesPerTensor?: number;
  /** Requests after which an observation's weight halves: a sliding window. Default 1000. */
  halfLifeRequests?: number;
  /** Smoothing floor for empty bins. Default 1e-4. */
  epsilon?: number;
}

/** PSI between observed and expected bin shares (both sum to 1); empty bins floored at epsilon. */
export function psi(actual: readonly number[], expected: readonly number[], epsilon = 1e-4): number {
  if (actual.length !== expected.length) throw new RangeError(`psi: ${actual.length} observed bins vs ${expected.length} expected`);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Math.max(actual[i], epsilon), e = Math.max(expected[i], epsilon);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

/** Quantile bins from reference values. */
export function buildReference(values: ArrayLike<number>, bins = 10): DriftReference {
  const sorted = Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort();
  if (!sorted.length) return { edges: [], expected: [1] };
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))];
    if (!edges.length || e > edges[edges.length - 1]) edges.push(e);
  }
  // The top edge equal to the maximum would leave the last bin empty; drop it.
  if (edges.length && edges[edges.length - 1] >= sorted[sorted.length - 1]) edges.pop();
  const counts = histogram(sorted, edges);
  return { edges, expected: counts.map((c) => c / sorted.length) };
}

/** Up to `max` values of a tensor as float64, evenly strided. */
export function sampleValues(t: Tensor, max = 4096): Float64Array {
  const n = t.size, step = Math.max(1, Math.ceil(n / max));
  const out = new Float64Array(Math.ceil(n / step));
  const d = t.data;
  for (let i = 0, j = 0; i < n; i += step, j++) {
    const v = d[i];
    out[j] = t.dtype === 'float16' ? f16ToF32(v as number) : Number(v);
  }
  return out;
}

function binOf(edges: readonly number[], v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (v <= edges[mid]) hi = mid; else lo = mid + 1; }
  return lo;
}

function histogram(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) counts[binOf(edges, values[i])]++;
  return counts;
}

/** Running per-input drift for one model. */
export class DriftMonitor {
  private reference?: DriftProfile;
  private readonly collected = new Map<string, number[]>();
  private collectedRequests = 0;
  private readonly live = new Map<string, { counts: number[]; total: number }>();
  private readonly opts: Required<DriftOptions>;
  private readonly decay: number;

  constructor(readonly inputs: readonly string[], options: DriftOptions = {}, profile?: DriftProfile) {
    this.opts = { bins: 10, referenceRequests: 100, maxValuesPerTensor: 4096, halfLifeRequests: 1000, epsilon: 1e-4, ...options };
    this.decay = this.opts.halfLifeRequests > 0 ? 0.5 ** (1 / this.opts.halfLifeRequests) : 1;
    if (profile) this.setReference(profile);
  }

  /** 'collecting' until the reference exists, then 'monitoring'. */
  get state(): 'collecting' | 'monitoring' { return this.reference ? 'monitoring' : 'collecting'; }

  setReference(profile: DriftProfile): void {
    for (const name of this.inputs) {
      const r = profile[name];
      if (!r) throw new RangeError(`drift profile has no entry for input '${name}' (it has ${Object.keys(profile).join(', ') || 'none'})`);
      if (!Array.isArray(r.edges) || !Array.isArray(r.expected) || r.expected.length !== r.edges.length + 1) {
        throw new RangeError(`drift profile for input '${name}' needs edges (n numbers) and expected (n + 1 shares)`);
      }
    }
    this.reference = profile;
    this.live.clear();
  }

  /** The reference in use (or undefined while still collecting). */
  profile(): DriftProfile | undefined { return this.reference; }

  observe(feeds: Readonly<Record<string, Tensor>>): void {
    if (!this.reference) {
      for (const name of this.inputs) {
        const t = feeds[name];
        if (!t) continue;
        let arr = this.collected.get(name);
        if (!arr) this.collected.set(name, (arr = []));
        for (const v of sampleValues(t, this.opts.maxValuesPerTensor)) arr.push(v);
      }
      if (++this.collectedRequests >= this.opts.referenceRequests) {
        const profile: DriftProfile = {};
        for (const name of this.inputs) profile[name] = buildReference(this.collected.get(name) ?? [], this.opts.bins);
        this.collected.clear();
        this.setReference(profile);
      }
      return;
    }
    for (const name of this.inputs) {
      const t = feeds[name], ref = this.reference[name];
      if (!t || !ref) continue;
      const values = sampleValues(t, this.opts.maxValuesPerTensor);
      const h = histogram(values, ref.edges);
      const n = h.reduce((a, b) => a + b, 0);
      if (n === 0) continue;
      let s = this.live.get(name);
      if (!s) this.live.set(name, (s = { counts: new Array(h.length).fill(0), total: 0 }));
      for (let i = 0; i < h.length; i++) s.counts[i] = s.counts[i] * this.decay + h[i] / n;
      s.total = s.total * this.decay + 1;
    }
  }

  /** PSI per input; NaN while collecting the reference or before any live traffic. */
  psi(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.inputs) {
      const s = this.live.get(name), ref = this.reference?.[name];
      out[name] = s && ref ? psi(s.counts.map((c) => c / s.total), ref.expected, this.opts.epsilon) : NaN;
    }
    return out;
  }
}
