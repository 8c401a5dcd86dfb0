/**
 * What dynamic batching can gain at most: a model's time per sample at batch 1, 8 and 16 in
 * InferenceSession.run, no server in between. Serving throughput with batching cannot beat
 * unbatched by more than the batch-1 / batch-16 ratio printed here.
 *
 *   npm run build && node dist/bench/batch-scaling.js [--threads N] [--runs R]
 */
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from '../src/index.js';
import { models } from '../src/models/index.js';
import { seededFloats } from './data.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, runs: { type: 'string', default: '3' } } });
const threads = Number(values.threads), runs = Number(values.runs);
const session = await InferenceSession.create(models.mobilenetV2({ batch: 'N' }), { threads });
const perSample: number[] = [];
for (const batch of [1, 8, 16]) {
  const x = new Tensor('float32', [batch, 3, 224, 224], seededFloats(batch * 3 * 224 * 224, 7, -2, 2));
  const feeds = { [session.inputNames[0]]: x };
  await session.run(feeds); // plan for this batch size, warm-up
  const times: number[] = [];
  for (let r = 0; r < (batch === 1 ? 3 * runs : runs); r++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  const median = times.sort((a, b) => a - b)[times.length >> 1];
  perSample.push(median / batch);
  console.log(`MobileNetV2 1.0/224, ${threads} thread${threads > 1 ? 's' : ''}, batch ${String(batch).padStart(2)}: ${median.toFixed(0)} ms, ${(median / batch).toFixed(1)} ms per sample`);
}
console.log(`batch 16 is ${(perSample[0] / perSample[2]).toFixed(2)}x cheaper per sample than batch 1`);
session.dispose();
