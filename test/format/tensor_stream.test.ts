// LoDTensor streams: every asset parameter file re-written byte for byte, LoD kept, and hostile headers
// refused before any allocation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readTensor, writeTensor, decodeProgram, persistableVars } from '../../src/format/paddle';
import type { Tensor } from '../../src/util/dtype';
import { assetModels, assetPath, bytesEqual, expectError, needAssets } from './helpers';

(needAssets('tensor round trip', 'models') ? test : test.skip)('every separate-layout parameter file of the assets round-trips byte for byte', () => {
  let files = 0, bytes = 0;
  const dtypes = new Set<string>();
  for (const m of assetModels('tensor round trip')) {
    if (!readdirSync(m.dir).includes('__model__')) continue;
    const prog = decodeProgram(readFileSync(join(m.dir, '__model__')), m.name);
    for (const v of persistableVars(prog, m.name)) {
      const f = join(m.dir, v.name);
      const b = readFileSync(f);
      const r = readTensor(b, 0, f);
      assert.is(r.end, b.length, f);
      assert.equal(r.lod, []);
      dtypes.add(r.tensor.dtype);
      bytesEqual(writeTensor(r.tensor, r.lod), b, f);
      files++; bytes += b.length;
    }
  }
  assert.ok(files >= 52 * 2 + 164 * 2 + 320, `${files} files`);
  assert.equal([...dtypes].sort(), ['fp32', 'int8']);
  console.log(`round trip: ${files} parameter files, ${bytes} bytes, byte-identical`);
});

(needAssets('combined stream round trip', 'models/mobilenet_v2/inference.pdiparams', 'models/mobilenet_v2/inference.pdmodel') ? test : test.skip)('the combined mobilenet_v2 params file is a concatenation of streams that re-write exactly', () => {
  const f = assetPath('models', 'mobilenet_v2', 'inference.pdiparams')!;
  const pf = assetPath('models', 'mobilenet_v2', 'inference.pdmodel')!;
  const b = readFileSync(f);
  const vars = persistableVars(decodeProgram(readFileSync(pf), pf), pf);
  let off = 0;
  for (const v of vars) {
    const r = readTensor(b, off, `${f} (${v.name})`);
    bytesEqual(writeTensor(r.tensor), b.subarray(off, r.end), v.name);
    off = r.end;
  }
  assert.is(off, b.length);
  assert.is(vars.length, 320);
});

test('known values: header layout and data of a written tensor', () => {
  const t: Tensor = { dtype: 'fp32', dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) };
  const b = writeTensor(t);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.is(dv.getUint32(0, true), 0);
  assert.is(dv.getBigUint64(4, true), 0n);
  assert.is(dv.getUint32(12, true), 0);
  const L = dv.getInt32(16, true);
  // TensorDesc {data_type: 5, dims: [2, 3]} = 08 05 10 02 10 03
  assert.equal([...b.subarray(20, 20 + L)], [0x08, 0x05, 0x10, 0x02, 0x10, 0x03]);
  assert.is(b.length, 20 + L + 24);
  assert.is(dv.getFloat32(20 + L + 20, true), 6.5);
  const r = readTensor(b, 0, 'mem');
  assert.equal(r.tensor.dims, [2, 3]);
  assert.equal([...r.tensor.data as Float32Array], [1, 2, 3, 4, 5, 6.5]);
});

test('LoD levels are kept and re-written; every dtype round-trips; 0-d and empty tensors', () => {
  const lod = [[0, 2, 5], [0, 1, 2, 3, 4, 5]];
  const t: Tensor = { dtype: 'int64', dims: [5, 1], data: new BigInt64Array([1n, -2n, 3n, 4n, 2n ** 40n]) };
  const b = writeTensor(t, lod);
  const r = readTensor(b, 0, 'lod');
  assert.equal(r.lod, lod);
  assert.equal([...r.tensor.data as BigInt64Array], [1n, -2n, 3n, 4n, 2n ** 40n]);
  bytesEqual(writeTensor(r.tensor, r.lod), b, 'lod rewrite');
  const cases: Tensor[] = [
    { dtype: 'int8', dims: [3], data: new Int8Array([-127, 0, 127]) },
    { dtype: 'uint8', dims: [2], data: new Uint8Array([0, 255]) },
    { dtype: 'int32', dims: [1, 2], data: new Int32Array([-5, 7]) },
    { dtype: 'fp64', dims: [1], data: new Float64Array([Math.PI]) },
    { dtype: 'fp16', dims: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    { dtype: 'fp32', dims: [], data: new Float32Array([42]) },
    { dtype: 'fp32', dims: [0, 4], data: new Float32Array(0) },
  ];
  for (const c of cases) {
    const rr = readTensor(writeTensor(c), 0, c.dtype);
    assert.is(rr.tensor.dtype, c.dtype);
    assert.equal(rr.tensor.dims, c.dims);
    assert.equal([...rr.tensor.data as Int32Array], [...c.data as Int32Array]);
  }
  // two streams back to back: `end` points at the second
  const two = Buffer.concat([writeTensor(cases[0]), writeTensor(cases[2])]);
  const first = readTensor(two, 0, 'two');
  assert.equal([...readTensor(two, first.end, 'two').tensor.data as Int32Array], [-5, 7]);
});

test('data never aliases the input buffer and is aligned', () => {
  const b = Buffer.concat([Buffer.from([0]), Buffer.from(writeTensor({ dtype: 'fp32', dims: [2], data: new Float32Array([1, 2]) }))]);
  const r = readTensor(b, 1, 'odd offset');
  assert.ok(r.tensor.data.buffer !== b.buffer);
  assert.is(r.tensor.data.byteOffset % 4, 0);
});

// ---- hostile headers ----
function header(o: { version?: number; lodLevel?: bigint; levelSize?: bigint; tversion?: number; descSize?: number; desc?: number[]; tail?: number }): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); parts.push(...b); };
  const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32LE(v); parts.push(...b); };
  const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); parts.push(...b); };
  u32(o.version ?? 0);
  u64(o.lodLevel ?? 0n);
  if (o.levelSize !== undefined) u64(o.levelSize);
  u32(o.tversion ?? 0);
  const desc = o.desc ?? [0x08, 0x05, 0x10, 0x02];
  i32(o.descSize ?? desc.length);
  parts.push(...desc);
  for (let i = 0; i < (o.tail ?? 8); i++) parts.push(0);
  return Uint8Array.from(parts);
}
// varint encoding of a (possibly negative, as int64) number
function varint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do { let b = Number(x & 0x7fn); x >>= 7n; if (x) b |= 0x80; out.push(b); } while (x);
  return out;
}

test('hostile sizes fail fast with a clean error and no allocation', () => {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  expectError(() => readTensor(header({ lodLevel: 2n ** 63n }), 0, 'w.bin'), 'unsafe', 'w.bin', 'lod_level');
  expectError(() => readTensor(header({ lodLevel: 1n, levelSize: 2n ** 62n }), 0, 'w.bin'), 'unsafe', 'w.bin', 'lod level 0');
  expectError(() => readTensor(header({ descSize: 0x7fffffff }), 0, 'w.bin'), 'unsafe', 'w.bin', 'TensorDesc');
  expectError(() => readTensor(header({ descSize: -8 }), 0, 'w.bin'), 'format', 'w.bin', 'negative');
  // dims [2^40, 2^40]: the product overflows 2^53; must be caught dim by dim
  expectError(() => readTensor(header({ desc: [0x08, 0x05, 0x10, ...varint(2n ** 40n), 0x10, ...varint(2n ** 40n)] }), 0, 'w.bin'), 'unsafe', 'w.bin', 'dims');
  // one huge dim: 2^62 floats
  expectError(() => readTensor(header({ desc: [0x08, 0x05, 0x10, ...varint(2n ** 62n)] }), 0, 'w.bin'), 'format', 'w.bin', 'bad dimension');
  expectError(() => readTensor(header({ desc: [0x08, 0x05, 0x10, ...varint(1n << 31n)] }), 0, 'w.bin'), 'unsafe', 'w.bin');
  expectError(() => readTensor(header({ desc: [0x08, 0x05, 0x10, ...varint(-1n)] }), 0, 'w.bin'), 'format', 'w.bin', 'bad dimension -1');
  expectError(() => readTensor(header({ version: 1 }), 0, 'w.bin'), 'format', 'w.bin', 'version 1');
  expectError(() => readTensor(header({ tversion: 7 }), 0, 'w.bin'), 'format', 'w.bin', 'tensor version 7');
  expectError(() => readTensor(header({ desc: [0x08, 0x07, 0x10, 0x01] }), 0, 'w.bin'), 'unsupported', 'w.bin', 'data_type 7');
  expectError(() => readTensor(header({ desc: [0x08, 0x05, 0x12, 0x05, 0x01] }), 0, 'w.bin'), 'format', 'w.bin', 'TensorDesc');
  expectError(() => readTensor(header({ desc: [0x10, 0x01] }), 0, 'w.bin'), 'format', 'w.bin', 'data_type');
  expectError(() => readTensor(header({ lodLevel: 1n, levelSize: 3n }), 0, 'w.bin'), 'format', 'w.bin', 'multiple of 8');
  const ms = performance.now() - t0;
  const grew = process.memoryUsage().arrayBuffers - before;
  assert.ok(ms < 200, `took ${ms} ms`);
  assert.ok(grew < 16 << 20, `array buffers grew by ${grew} bytes`);
});

test('truncation anywhere is an error naming the source', () => {
  const full = writeTensor({ dtype: 'fp32', dims: [4, 4], data: new Float32Array(16).fill(1.5) });
  for (let n = 0; n < full.length; n++) {
    const e = expectError(() => readTensor(full.subarray(0, n), 0, 'cut.bin'), n < 26 ? (n >= 20 ? 'unsafe' : 'format') : 'unsafe', 'cut.bin');
    assert.ok(/truncated/.test(e.message), e.message);
  }
});

test.run();
