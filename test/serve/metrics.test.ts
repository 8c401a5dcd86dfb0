import { describe, expect, it } from 'vitest';
import { MetricsRegistry, MetricsError } from '../../src/serve/index.js';

describe('Prometheus metrics', () => {
  it('renders counters and gauges with escaped labels', () => {
    const r = new MetricsRegistry();
    const c = r.counter('app_requests_total', 'Requests', { labelNames: ['model', 'status'] });
    c.inc(1, { model: 'a', status: 200 });
    c.inc(2, { model: 'a', status: 200 });
    c.inc(1, { model: 'we"ird\\name\n', status: 500 });
    const g = r.gauge('app_rss_bytes', 'RSS', { collect: (x) => x.set(1234) });
    expect(g.get()).toBe(0);
    expect(r.expose()).toBe([
      '# HELP app_requests_total Requests',
      '# TYPE app_requests_total counter',
      'app_requests_total{model="a",status="200"} 3',
      'app_requests_total{model="we\\"ird\\\\name\\n",status="500"} 1',
      '# HELP app_rss_bytes RSS',
      '# TYPE app_rss_bytes gauge',
      'app_rss_bytes 1234',
      '',
    ].join('\n'));
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('lat_seconds', 'Latency', { buckets: [0.1, 1], labelNames: ['m'] });
    for (const v of [0.05, 0.5, 0.7, 3]) h.observe(v, { m: 'x' });
    expect(r.expose()).toBe([
      '# HELP lat_seconds Latency',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{m="x",le="0.1"} 1',
      'lat_seconds_bucket{m="x",le="1"} 3',
      'lat_seconds_bucket{m="x",le="+Inf"} 4',
      'lat_seconds_sum{m="x"} 4.25',
      'lat_seconds_count{m="x"} 4',
      '',
    ].join('\n'));
  });

  it('estimates quantiles the way histogram_quantile does', () => {
    const h = new MetricsRegistry().histogram('d', 'd', { buckets: [1, 2, 3, 4] });
    expect(h.quantile(0.5)).toBeNaN();
    for (let i = 0; i < 100; i++) h.observe(i < 50 ? 0.5 : i < 90 ? 1.5 : 3.5);
    expect(h.quantile(0.5)).toBe(1);        // rank 50 ends the first bucket
    expect(h.quantile(0.7)).toBe(1.5);      // rank 70: half way through (1, 2]
    expect(h.quantile(0.95)).toBe(3.5);     // rank 95: half way through (3, 4]
  });

  it('refuses bad names, labels, duplicates and decreasing counters', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('1bad', 'x')).toThrow(MetricsError);
    expect(() => r.counter('ok', 'x', { labelNames: ['le'] })).toThrow(/label name 'le' is not allowed/);
    const c = r.counter('c_total', 'x', { labelNames: ['a'] });
    expect(() => r.gauge('c_total', 'x')).toThrow(/already registered/);
    expect(() => c.inc(1, {})).toThrow(/missing label 'a'/);
    expect(() => c.inc(1, { a: '1', b: '2' })).toThrow(/unknown label 'b'/);
    expect(() => c.inc(-1, { a: '1' })).toThrow(/can only increase/);
    expect(() => r.histogram('h', 'x', { buckets: [2, 1] })).toThrow(/strictly increasing/);
  });
});
