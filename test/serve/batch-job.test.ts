import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, appendFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from '../../src/index.js';
import { runBatchJob, parseShard, writeNpy, ProgressBar, formatDuration } from '../../src/serve/index.js';
import { dense, rows } from './models.js';

/** Batched and unbatched runs take different GEMM paths (summation order depends on M): equal to float32 rounding. */
function expectSameFloats(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want[i]))));
}


let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tessera-batch-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

interface OutLine { index: number; id: unknown; outputs: Record<string, { dtype: string; shape: number[]; data: number[] }> }
const readLines = async <T>(p: string): Promise<T[]> => (await readFile(p, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

/** n records of one row each (as a sample without the batch dim); every 7th is broken. */
async function writeInput(path: string, n: number, broken = true): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (broken && i % 7 === 3) lines.push(i % 2 ? '{"x": [1, 2' : JSON.stringify({ id: `r${i}`, inputs: { x: [1, 2, 3] } }));
    else lines.push(JSON.stringify({ id: `r${i}`, inputs: { x: rows(1, i).toArray() } }));
    if (i === 5) lines.push(''); // blank lines are skipped but keep line numbers
  }
  await writeFile(path, lines.join('\n') + '\n');
}

async function expected(n: number): Promise<Map<string, number[]>> {
  const s = await InferenceSession.create(dense());
  const m = new Map<string, number[]>();
  for (let i = 0; i < n; i++) m.set(`r${i}`, (await s.run({ x: rows(1, i) })).y.toArray());
  return m;
}

describe('tessera batch', () => {
  it('runs a JSONL file in batches, writes results and an errors file with reasons', async () => {
    const input = join(dir, 'a.jsonl'), output = join(dir, 'a.out.jsonl');
    await writeInput(input, 40);
    const r = await runBatchJob({ model: dense(), input, output, batchSize: 8, progress: false });
    const out = await readLines<OutLine>(output);
    const errs = await readLines<{ index: number; id: unknown; error: string }>(join(dir, 'a.out.errors.jsonl'));
    const want = await expected(40);
    expect(r).toMatchObject({ written: 34, failed: 6, skipped: 0, aborted: false });
    expect(out.length).toBe(34);
    for (const line of out) {
      expect(line.outputs.y.shape).toEqual([3]); // the sample had no batch dim, so neither does its result
      expectSameFloats(line.outputs.y.data as number[], want.get(line.id as string) as number[]);
    }
    expect(errs.map((e) => e.error).some((e) => /malformed JSON/.test(e))).toBe(true);
    expect(errs.map((e) => e.error).some((e) => /input 'x' must have shape FP32 \[-1, 4\], got \[1, 3\]/.test(e))).toBe(true);
    expect(new Set([...out.map((o) => o.index), ...errs.map((e) => e.index)]).size).toBe(40);
  });

  it('resumes after a job stopped part way and a torn last line: every record exactly once', async () => {
    const input = join(dir, 'b.jsonl'), output = join(dir, 'b.out.jsonl');
    await writeInput(input, 100);
    const abort = new AbortController();
    // Stop once three batches are written, as a kill would; then tear the file as a kill mid-write does.
    const first = await runBatchJob({
      model: dense(), input, output, batchSize: 10, signal: abort.signal, progress: false,
      onProgress: (p) => { if (p.written + p.failed >= 30) abort.abort(); },
    });
    expect(first.aborted).toBe(true);
    expect(first.written + first.failed).toBe(30);
    await appendFile(output, '{"index":99,"id":"r99","outputs":{"y":{"dtype":"float32","sha');
    const second = await runBatchJob({ model: dense(), input, output, batchSize: 10, progress: false });
    expect(second.skipped).toBe(first.written + first.failed);
    expect(second.aborted).toBe(false);
    const out = await readLines<OutLine>(output);
    const errs = await readLines<{ index: number }>(join(dir, 'b.out.errors.jsonl'));
    const indices = [...out.map((o) => o.index), ...errs.map((e) => e.index)].sort((a, b) => a - b);
    const lines = Array.from({ length: 101 }, (_, i) => i).filter((i) => i !== 6); // line 6 is blank
    expect(indices).toEqual(lines);
    const want = await expected(100);
    for (const line of out) expectSameFloats(line.outputs.y.data as number[], want.get(line.id as string) as number[]);
    // A third run finds nothing left to do.
    const third = await runBatchJob({ model: dense(), input, output, batchSize: 10, progress: false });
    expect(third).toMatchObject({ written: 0, failed: 0, skipped: 100 });
  });

  it('shards K/N split the records with no overlap and no gaps', async () => {
    const input = join(dir, 'c.jsonl');
    await writeInput(input, 30, false);
    const all: number[] = [];
    for (let k = 0; k < 3; k++) {
      const output = join(dir, `c.part-${k}.jsonl`);
      await runBatchJob({ model: dense(), input, output, batchSize: 4, shard: parseShard(`${k}/3`), progress: false });
      const idx = (await readLines<OutLine>(output)).map((o) => o.index);
      expect(idx.every((i) => i % 3 === k)).toBe(true);
      all.push(...idx);
    }
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i).filter((i) => i !== 6));
    expect(() => parseShard('3/3')).toThrow(/K must be in 0..N-1/);
    expect(() => parseShard('1-3')).toThrow(/--shard must be K\/N/);
  });

  it('reads a directory of .npy files', async () => {
    const npyDir = join(dir, 'npy');
    await mkdir(npyDir);
    for (let i = 0; i < 5; i++) await writeFile(join(npyDir, `s${i}.npy`), writeNpy(rows(2, i)));
    await writeFile(join(npyDir, 'bad.npy'), new Uint8Array([1, 2, 3]));
    const output = join(dir, 'npy.out.jsonl');
    const r = await runBatchJob({ model: dense(), input: npyDir, output, batchSize: 4, progress: false });
    expect(r).toMatchObject({ written: 5, failed: 1 });
    const s = await InferenceSession.create(dense());
    for (const line of await readLines<OutLine>(output)) {
      const i = Number(String(line.id).slice(1, -4));
      expect(line.outputs.y.shape).toEqual([2, 3]);
      expectSameFloats(line.outputs.y.data as number[], (await s.run({ x: rows(2, i) })).y.toArray());
    }
    const errs = await readLines<{ id: string; error: string }>(join(dir, 'npy.out.errors.jsonl'));
    expect(errs).toEqual([{ index: 0, id: 'bad.npy', error: expect.stringMatching(/not a .npy file/) }]);
  });

  it('draws a progress bar with rate and ETA', () => {
    const written: string[] = [];
    const bar = new ProgressBar(10, { write: (s: string) => written.push(s) }, true);
    bar.tick(5);
    expect(bar.render(10)).toMatch(/^\[#####\.\.\.\.\.\] 5\/10 50\.0% +[\d.]+ records\/s +ETA (\d+:\d\d|--:--)$/);
    bar.finish();
    expect(written.at(-1)).toBe('\n');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
});
