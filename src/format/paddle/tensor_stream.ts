// One LoDTensor stream (spec §1.2): a per-variable parameter file, or one record of a combined file.
//
// Layout (PaddlePaddle/Paddle:paddle/fluid/framework/lod_tensor.cc SerializeToStream/DeserializeFromStream,
// PaddlePaddle/Paddle:paddle/fluid/framework/tensor_util.cc TensorToStream), little-endian:
//   uint32 version (0) | uint64 lod_level | per level: uint64 byte size, that many bytes of uint64 offsets
//   | uint32 tensor version (0) | int32 desc size | VarType.TensorDesc bytes | raw row-major data.
//
// A model is untrusted: every declared length is compared with the bytes actually present before
// anything is allocated. Fixed-size fields cut off → 'format' (truncated); a declared length beyond the
// bytes present → 'unsafe' (src/util/errors.ts); bad values (version, negative dim) → 'format'.
import { fail } from '../../util/errors';
import { dtypeFromId, dtypeId, dtypeSize, numel, viewAs, type Tensor } from '../../util/dtype';
import type { TensorDesc } from '../../util/program_desc';
import { frameworkTypes } from './framework_proto';
import { protoReason, toPlain } from './proto_plain';

/** LoD offsets, one array per level (empty for weights). Kept so a stream is re-written byte for byte. */
export type LoD = number[][];

export interface TensorRecord {
  tensor: Tensor;
  lod: LoD;
  /** offset just past this stream in the buffer (the next record of a combined file starts here) */
  end: number;
}

class Cursor {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array, public pos: number, readonly where: string) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get left(): number { return this.buf.length - this.pos; }
  /** a fixed-size field must be wholly present */
  need(n: number, what: string): void {
    if (this.left < n) {
      fail('format', `${this.where}: truncated tensor stream (${what} needs ${n} bytes at offset ${this.pos}, ${this.left} left)`);
    }
  }
  /** a declared length must fit in what remains */
  declared(n: number | bigint, what: string): number {
    if (BigInt(n) > BigInt(this.left)) {
      fail('unsafe', `${this.where}: ${what} declares ${n} bytes at offset ${this.pos} but only ${this.left} remain (truncated or corrupt)`);
    }
    return Number(n);
  }
  u32(what: string): number { this.need(4, what); const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(what: string): number { this.need(4, what); const v = this.dv.getInt32(this.pos, true); this.pos += 4; return v; }
  u64(what: string): bigint { this.need(8, what); const v = this.dv.getBigUint64(this.pos, true); this.pos += 8; return v; }
}

/**
 * Read one LoDTensor stream starting at `offset`. `where` names the file (and var) in errors.
 * The tensor's data is a fresh copy (aligned; never aliases `buf`).
 */
export function readTensor(buf: Uint8Array, offset: number, where: string): TensorRecord {
  const c = new Cursor(buf, offset, where);
  const version = c.u32('LoDTensor version');
  if (version !== 0) fail('format', `${where}: LoDTensor version ${version} at offset ${offset} (only 0 exists)`);

  const levels = c.u64('lod_level');
  // every level needs at least its 8-byte size field: bound the count before allocating anything
  if (levels > BigInt(Math.floor(c.left / 8))) {
    fail('unsafe', `${where}: lod_level ${levels} needs more bytes than the ${c.left} that remain (truncated or corrupt)`);
  }
  const lod: LoD = [];
  for (let l = 0; l < Number(levels); l++) {
    const size = c.declared(c.u64(`lod level ${l} size`), `lod level ${l}`);
    if (size % 8 !== 0) fail('format', `${where}: lod level ${l} byte size ${size} is not a multiple of 8`);
    const level: number[] = [];
    for (let k = 0; k < size / 8; k++) {
      const v = c.u64(`lod level ${l}`);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('format', `${where}: lod level ${l} offset ${v} is out of range`);
      level.push(Number(v));
    }
    lod.push(level);
  }

  const tversion = c.u32('tensor version');
  if (tversion !== 0) fail('format', `${where}: tensor version ${tversion} (only 0 exists)`);
  const descSize = c.i32('TensorDesc size');
  if (descSize < 0) fail('format', `${where}: negative TensorDesc size ${descSize}`);
  c.declared(descSize, 'TensorDesc');
  const desc = decodeTensorDesc(buf.subarray(c.pos, c.pos + descSize), where);
  c.pos += descSize;

  const dtype = dtypeFromId(desc.data_type, where);
  const esize = dtypeSize(dtype);
  // numel bounded by the bytes left, checked dim by dim so the product can never overflow
  const maxElems = Math.floor(c.left / esize);
  let n = 1;
  for (const d of desc.dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail('format', `${where}: bad dimension ${d} in dims [${desc.dims.join(', ')}]`);
    n *= d;
    if (n > maxElems) {
      fail('unsafe', `${where}: dims [${desc.dims.join(', ')}] (${dtype}) need more than the ${c.left} bytes that remain (truncated or corrupt)`);
    }
  }
  const nbytes = n * esize;
  // copy into a fresh buffer: aligned for the typed view, and never aliasing the file's bytes (a Node
  // Buffer's slice() is a view, so copy explicitly)
  const copy = new Uint8Array(nbytes);
  copy.set(buf.subarray(c.pos, c.pos + nbytes));
  const data = viewAs(dtype, copy);
  c.pos += nbytes;
  return { tensor: { dtype, dims: desc.dims.slice(), data }, lod, end: c.pos };
}

function decodeTensorDesc(bytes: Uint8Array, where: string): TensorDesc {
  const { TensorDesc: T } = frameworkTypes();
  try {
    return toPlain<TensorDesc>(T, T.decode(bytes));
  } catch (e) {
    fail('format', `${where}: bad TensorDesc in tensor stream (${protoReason(e)})`);
  }
}

function encodeTensorDesc(t: Tensor): Uint8Array {
  const { TensorDesc: T } = frameworkTypes();
  return T.encode({ data_type: dtypeId(t.dtype), dims: t.dims }).finish();
}

/** Serialize one LoDTensor stream (the exact bytes Paddle writes for the same tensor and LoD). */
export function writeTensor(t: Tensor, lod: LoD = []): Uint8Array {
  const n = numel(t.dims);
  const nbytes = n * dtypeSize(t.dtype);
  if (t.dims.some((d) => !Number.isSafeInteger(d) || d < 0) || t.data.byteLength !== nbytes) {
    fail('internal', `writeTensor: ${t.dtype} tensor dims [${t.dims.join(', ')}] do not match ${t.data.byteLength} data bytes`);
  }
  const desc = encodeTensorDesc(t);
  const lodBytes = lod.reduce((s, level) => s + 8 + level.length * 8, 0);
  const out = new Uint8Array(4 + 8 + lodBytes + 4 + 4 + desc.length + nbytes);
  const dv = new DataView(out.buffer);
  let p = 0;
  dv.setUint32(p, 0, true); p += 4;
  dv.setBigUint64(p, BigInt(lod.length), true); p += 8;
  for (const level of lod) {
    dv.setBigUint64(p, BigInt(level.length * 8), true); p += 8;
    for (const v of level) { dv.setBigUint64(p, BigInt(v), true); p += 8; }
  }
  dv.setUint32(p, 0, true); p += 4;
  dv.setInt32(p, desc.length, true); p += 4;
  out.set(desc, p); p += desc.length;
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, nbytes), p);
  return out;
}
