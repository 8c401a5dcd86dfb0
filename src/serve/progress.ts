/** A one-line progress bar (count, percent, rate, ETA) redrawn in place on a TTY. */
export class ProgressBar {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;

  /** `total` may be unknown; `out` is written only when `enabled`. */
  constructor(private total: number | undefined, private readonly out: { write(s: string): unknown }, private readonly enabled: boolean, private readonly label = 'records') {}

  setTotal(total: number): void { this.total = total; this.draw(true); }

  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  /** Items per second since the bar started. */
  get rate(): number {
    const s = (performance.now() - this.start) / 1000;
    return s > 0 ? this.done / s : 0;
  }

  /** The bar as text (also used for tests and logs). */
  render(width = 24): string {
    const rate = this.rate;
    const rateText = `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} ${this.label}/s`;
    if (this.total === undefined) return `${this.done} ${this.label}  ${rateText}`;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(frac * width);
    const eta = rate > 0 ? (this.total - this.done) / rate : NaN;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${(frac * 100).toFixed(1)}%  ${rateText}  ETA ${formatDuration(eta)}`;
  }

  /** Final draw and a newline. */
  finish(): void {
    if (!this.enabled) return;
    this.draw(true);
    this.out.write('\n');
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[K${this.render()}`);
  }
}

/** Seconds as h:mm:ss or m:ss; '--:--' when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}
