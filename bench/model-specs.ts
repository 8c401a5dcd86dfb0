import { seededFloats, seededIds } from './data.js';
import type { Feed } from './peers.js';

/** The whole-model benchmarks and their seeded feeds (no Tessera import: peers' processes load this). */
export type ModelId = 'mobilenetv2' | 'distilbert';

export const MODEL_LABELS: Record<ModelId, string> = {
  mobilenetv2: 'MobileNetV2 1.0/224',
  distilbert: 'DistilBERT-base S=128',
};

export const SEQ = 128;
export const VOCAB = 30522;

export function modelFeeds(id: ModelId, batch: number): Feed[] {
  if (id === 'mobilenetv2') {
    const shape = [batch, 3, 224, 224];
    return [{ name: 'input', dtype: 'float32', shape, data: seededFloats(batch * 3 * 224 * 224, 7, -2, 2) }];
  }
  const shape = [batch, SEQ], mask = new BigInt64Array(batch * SEQ).fill(1n);
  return [
    { name: 'input_ids', dtype: 'int64', shape, data: seededIds(batch * SEQ, 7, 0, VOCAB) },
    { name: 'attention_mask', dtype: 'int64', shape, data: mask },
  ];
}
