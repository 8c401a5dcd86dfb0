/**
 * A small Prometheus client: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4). No global default registry: create one per server.
 */
export type Labels = Readonly<Record<string, string | number>>;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds; spans sub-millisecond cache hits to multi-second batch runs. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsError extends Error {
  override name = 'MetricsError';
}

interface MetricOptions {
  labelNames?: readonly string[];
}

abstract class Metric<S> {
  protected readonly series = new Map<string, { labels: string[]; state: S }>();
  readonly labelNames: readonly string[];

  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' | 'histogram', opts: MetricOptions) {
    if (!METRIC_NAME.test(name)) throw new MetricsError(`metric name '${name}' is not a valid Prometheus name`);
    this.labelNames = opts.labelNames ?? [];
    for (const l of this.labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'le') throw new MetricsError(`metric '${name}': label name '${l}' is not allowed`);
    }
  }

  protected abstract init(): S;

  protected state(labels: Labels): S {
    const values = this.labelNames.map((l) => {
      const v = labels[l];
      if (v === undefined) throw new MetricsError(`metric '${this.name}': missing label '${l}' (labels: ${this.labelNames.join(', ')})`);
      return String(v);
    });
    for (const k of Object.keys(labels)) {
      if (!this.labelNames.includes(k)) throw new MetricsError(`metric '${this.name}': unknown label '${k}' (labels: ${this.labelNames.join(', ') || 'none'})`);
    }
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) { s = { labels: values, state: this.init() }; this.series.set(key, s); }
    return s.state;
  }

  /** Forget every labelled series (for example when a model is unloaded). */
  reset(): void { this.series.clear(); }

  protected labelText(values: readonly string[], extra?: [string, string]): string {
    const pairs = this.labelNames.map((l, i) => `${l}="${escapeLabel(values[i])}"`);
    if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return pairs.length ? `{${pairs.join(',')}}` : '';
  }

  expose(): string {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, state } of this.series.values()) this.lines(labels, state, lines);
    return lines.join('\n') + '\n';
  }

  protected abstract lines(labels: readonly string[], state: S, out: string[]): void;
}

export class Counter extends Metric<{ v: number }> {
  constructor(name: string, help: string, opts: MetricOptions = {}) { super(name, help, 'counter', opts); }
  protected init() { return { v: 0 }; }
  inc(by = 1, labels: Labels = {}): void {
    if (!(by >= 0)) throw new MetricsError(`counter '${this.name}' can only increase (got ${by})`);
    this.state(labels).v += by;
  }
  get(labels: Labels = {}): number { return this.state(labels).v; }
  protected lines(labels: readonly string[], s: { v: number }, out: string[]) { out.push(`${this.name}${this.labelText(labels)} ${fmt(s.v)}`); }
}

export class Gauge extends Metric<{ v: number }> {
  constructor(name: string, help: string, opts: MetricOptions & { collect?: (g: Gauge) => void } = {}) {
    super(name, help, 'gauge', opts);
    this.collect = opts.collect;
  }
  private readonly collect?: (g: Gauge) => void;
  protected init() { return { v: 0 }; }
  set(value: number, labels: Labels = {}): void { this.state(labels).v = value; }
  inc(by = 1, labels: Labels = {}): void { this.state(labels).v += by; }
  dec(by = 1, labels: Labels = {}): void { this.state(labels).v -= by; }
  get(labels: Labels = {}): number { return this.state(labels).v; }
  override expose(): string { this.collect?.(this); return super.expose(); }
  protected lines(labels: readonly string[], s: { v: number }, out: string[]) { out.push(`${this.name}${this.labelText(labels)} ${fmt(s.v)}`); }
}

interface HistState { counts: number[]; sum: number; count: number }

export class Histogram extends Metric<HistState> {
  readonly buckets: readonly number[];
  constructor(name: string, help: string, opts: MetricOptions & { buckets?: readonly number[] } = {}) {
    super(name, help, 'histogram', opts);
    const b = opts.buckets ?? DEFAULT_SECONDS_BUCKETS;
    if (!b.length || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= b[i - 1]))) {
      throw new MetricsError(`histogram '${name}': buckets must be finite and strictly increasing, got [${b.join(', ')}]`);
    }
    this.buckets = b.slice();
  }
  protected init(): HistState { return { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 }; }

  observe(value: number, labels: Labels = {}): void {
    const s = this.state(labels);
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) { s.counts[i]++; break; }
    s.sum += value;
    s.count++;
  }

  /** Observations so far for one label set. */
  count(labels: Labels = {}): number { return this.state(labels).count; }
  sum(labels: Labels = {}): number { return this.state(labels).sum; }

  /**
   * The q-quantile estimated from the buckets the way PromQL's histogram_quantile does it
   * (linear within a bucket); NaN with no observations.
   */
  quantile(q: number, labels: Labels = {}): number {
    const s = this.state(labels);
    if (s.count === 0) return NaN;
    const rank = q * s.count;
    let cum = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      const prev = cum;
      cum += s.counts[i];
      if (cum >= rank) {
        const lo = i === 0 ? 0 : this.buckets[i - 1];
        return s.counts[i] === 0 ? lo : lo + (this.buckets[i] - lo) * ((rank - prev) / s.counts[i]);
      }
    }
    return this.buckets[this.buckets.length - 1]; // in the +Inf bucket: the highest finite bound
  }

  protected lines(labels: readonly string[], s: HistState, out: string[]) {
    let cum = 0;
    this.buckets.forEach((b, i) => {
      cum += s.counts[i];
      out.push(`${this.name}_bucket${this.labelText(labels, ['le', fmt(b)])} ${cum}`);
    });
    out.push(`${this.name}_bucket${this.labelText(labels, ['le', '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${this.labelText(labels)} ${fmt(s.sum)}`);
    out.push(`${this.name}_count${this.labelText(labels)} ${s.count}`);
  }
}

/** A set of metrics exposed together. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();

  counter(name: string, help: string, opts: MetricOptions = {}): Counter { return this.add(new Counter(name, help, opts)); }
  gauge(name: string, help: string, opts: MetricOptions & { collect?: (g: Gauge) => void } = {}): Gauge { return this.add(new Gauge(name, help, opts)); }
  histogram(name: string, help: string, opts: MetricOptions & { buckets?: readonly number[] } = {}): Histogram { return this.add(new Histogram(name, help, opts)); }

  get(name: string): Counter | Gauge | Histogram | undefined { return this.metrics.get(name); }

  /** The whole registry in Prometheus text format. */
  expose(): string { return [...this.metrics.values()].map((m) => m.expose()).join(''); }

  private add<M extends Counter | Gauge | Histogram>(m: M): M {
    if (this.metrics.has(m.name)) throw new MetricsError(`metric '${m.name}' is already registered`);
    this.metrics.set(m.name, m);
    return m;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
