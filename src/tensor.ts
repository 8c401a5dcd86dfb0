import { type DType, type DataFor, type TensorData, isDType, publicArrayType } from './dtype.js';

/**
 * A dense, contiguous, row-major tensor. `data` is the typed array of its dtype
 * (int64: BigInt64Array, float16: Uint16Array of half bits, bool: Uint8Array of 0/1).
 */
export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataFor<D>;

  /**
   * @param dtype element type
   * @param shape dimensions (non-negative integers)
   * @param data typed array of the dtype, a plain array of numbers (or bigints for int64),
   *   or omitted for zeros
   */
  constructor(dtype: D, shape: readonly number[], data?: DataFor<D> | TensorData | ArrayLike<number> | readonly bigint[]) {
    if (!isDType(dtype)) throw new TypeError(`Tensor: unknown dtype ${JSON.stringify(dtype)}; expected one of float32, float16, int32, int64, int8, uint8, bool`);
    if (!Array.isArray(shape)) throw new TypeError(`Tensor: shape must be an array of dimensions, got ${describe(shape)}`);
    shape.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0) throw new TypeError(`Tensor: shape[${i}] is ${describe(d)}; dimensions must be non-negative integers (shape ${JSON.stringify(shape)})`);
    });
    const size = shape.reduce((a, b) => a * b, 1);
    const Ctor = publicArrayType(dtype);
    let arr: TensorData;
    if (data === undefined) arr = new Ctor(size);
    else if (ArrayBuffer.isView(data)) {
      if (!(data instanceof Ctor)) {
        throw new TypeError(`Tensor: dtype ${dtype} needs a ${Ctor.name} but data is a ${data.constructor.name}`);
      }
      arr = data as TensorData;
    } else if (Array.isArray(data) || (typeof data === 'object' && data !== null && 'length' in data)) {
      arr = new Ctor(data.length);
      const src = data as ArrayLike<number | bigint>;
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        (arr as unknown as (number | bigint)[])[i] = dtype === 'int64' ? BigInt(v) : Number(v);
      }
    } else {
      throw new TypeError(`Tensor: data must be a typed array or an array of numbers, got ${describe(data)}`);
    }
    if (arr.length !== size) {
      throw new RangeError(`Tensor: shape ${JSON.stringify(shape)} holds ${size} elements but data has ${arr.length}`);
    }
    this.dtype = dtype;
    this.shape = Object.freeze(shape.slice());
    this.data = arr as DataFor<D>;
  }

  /** Number of elements. */
  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }

  /** Same data, new shape (sizes must match). */
  reshape(shape: readonly number[]): Tensor<D> { return new Tensor(this.dtype, shape, this.data); }

  /** Elements as plain numbers (int64 converted with Number()). */
  toArray(): number[] { return Array.from(this.data as ArrayLike<number | bigint>, Number); }

  toString(): string { return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`; }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return `${typeof x} ${String(x)}`;
}
