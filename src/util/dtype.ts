// Element types, numbered as Paddle's VarType.Type (framework.proto), so the same value is used in
// TensorDesc.data_type, in tensor streams and in the graph IR.
import { fail } from './errors';

export const enum VarTypeId {
  BOOL = 0, INT16 = 1, INT32 = 2, INT64 = 3, FP16 = 4, FP32 = 5, FP64 = 6,
  LOD_TENSOR = 7, SELECTED_ROWS = 8, FEED_MINIBATCH = 9, FETCH_LIST = 10, STEP_SCOPES = 11,
  LOD_RANK_TABLE = 12, LOD_TENSOR_ARRAY = 13, PLACE_LIST = 14, READER = 15, RAW = 17, TUPLE = 18,
  SIZE_T = 19, UINT8 = 20, INT8 = 21, BF16 = 22, COMPLEX64 = 23, COMPLEX128 = 24,
}

export type DType = 'bool' | 'int16' | 'int32' | 'int64' | 'fp16' | 'fp32' | 'fp64' | 'uint8' | 'int8' | 'bf16';

const BY_ID: Record<number, DType> = {
  0: 'bool', 1: 'int16', 2: 'int32', 3: 'int64', 4: 'fp16', 5: 'fp32', 6: 'fp64', 20: 'uint8', 21: 'int8', 22: 'bf16',
};
const ID_OF: Record<DType, number> = {
  bool: 0, int16: 1, int32: 2, int64: 3, fp16: 4, fp32: 5, fp64: 6, uint8: 20, int8: 21, bf16: 22,
};
const SIZE: Record<DType, number> = {
  bool: 1, int16: 2, int32: 4, int64: 8, fp16: 2, fp32: 4, fp64: 8, uint8: 1, int8: 1, bf16: 2,
};

export function dtypeFromId(id: number, where: string): DType {
  const d = BY_ID[id];
  if (!d) fail('unsupported', `${where}: unsupported tensor data_type ${id}`);
  return d;
}
export const dtypeId = (d: DType): number => ID_OF[d];
export const dtypeSize = (d: DType): number => SIZE[d];

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

/** A host tensor: dims plus a typed array view (little-endian, row-major). fp16/bf16 are kept as raw Uint16. */
export interface Tensor {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Typed-array view over bytes (copies when unaligned, so the result never aliases a misaligned buffer). */
export function viewAs(dtype: DType, bytes: Uint8Array): TypedArray {
  const size = SIZE[dtype];
  let b = bytes;
  if (b.byteOffset % size !== 0) b = new Uint8Array(b); // copy: Buffer.slice would return a view
  const n = b.byteLength / size;
  switch (dtype) {
    case 'fp32': return new Float32Array(b.buffer, b.byteOffset, n);
    case 'fp64': return new Float64Array(b.buffer, b.byteOffset, n);
    case 'int8': return new Int8Array(b.buffer, b.byteOffset, n);
    case 'uint8': case 'bool': return new Uint8Array(b.buffer, b.byteOffset, n);
    case 'int16': return new Int16Array(b.buffer, b.byteOffset, n);
    case 'fp16': case 'bf16': return new Uint16Array(b.buffer, b.byteOffset, n);
    case 'int32': return new Int32Array(b.buffer, b.byteOffset, n);
    case 'int64': return new BigInt64Array(b.buffer, b.byteOffset, n);
  }
}

export function allocTyped(dtype: DType, n: number): TypedArray {
  return viewAs(dtype, new Uint8Array(n * SIZE[dtype]));
}

/** Numeric values of a tensor as float64 numbers (int64 via Number). */
export function toNumbers(t: Tensor): Float64Array {
  const out = new Float64Array(t.data.length);
  const d = t.data;
  if (d instanceof BigInt64Array) for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  else for (let i = 0; i < d.length; i++) out[i] = (d as Float32Array)[i];
  return out;
}
