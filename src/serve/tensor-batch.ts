import { Tensor } from '../tensor.js';
import { publicArrayType } from '../dtype.js';

/**
 * Concatenate tensors along dimension 0; the other dimensions and the dtype must agree.
 * `padTo` rows, when more than the parts hold, are filled by repeating the last row.
 */
export function stackRows(parts: readonly Tensor[], padTo = 0): Tensor {
  const first = parts[0];
  const rest = first.shape.slice(1);
  let rows = 0, size = 0;
  for (const t of parts) {
    if (t.dtype !== first.dtype || t.rank !== first.rank || t.shape.some((d, i) => i > 0 && d !== rest[i - 1])) {
      throw new RangeError(`stackRows: cannot stack ${t} onto ${first} (dtype and every dimension but the first must match)`);
    }
    rows += t.shape[0];
    size += t.size;
  }
  const rowSize = rest.reduce((a, b) => a * b, 1);
  const total = Math.max(rows, padTo);
  const out = new (publicArrayType(first.dtype))(total * rowSize) as Float32Array;
  let offset = 0;
  for (const t of parts) { out.set(t.data as Float32Array, offset); offset += t.size; }
  // Padding repeats a real row rather than zeros: zeros can be out of a model's domain (log, division).
  if (rows > 0) for (; offset < out.length; offset += rowSize) out.copyWithin(offset, (rows - 1) * rowSize, rows * rowSize);
  return new Tensor(first.dtype, [total, ...rest], out as never);
}

/** Split along dimension 0 into pieces of the given row counts (copies, so each piece owns its storage). */
export function splitRows(t: Tensor, rows: readonly number[]): Tensor[] {
  const total = rows.reduce((a, b) => a + b, 0);
  if (t.rank === 0 || t.shape[0] !== total) throw new RangeError(`splitRows: ${t} does not have ${total} rows to split as [${rows.join(', ')}]`);
  const rowSize = total === 0 ? 0 : t.size / total;
  const out: Tensor[] = [];
  let offset = 0;
  for (const r of rows) {
    const data = (t.data as Float32Array).slice(offset * rowSize, (offset + r) * rowSize);
    out.push(new Tensor(t.dtype, [r, ...t.shape.slice(1)], data as never));
    offset += r;
  }
  return out;
}
