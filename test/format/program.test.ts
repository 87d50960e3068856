// ProgramDesc codec: byte-exact round trips on the real programs, field presence, packed input,
// unknown fields, and clean errors on garbage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProgram, encodeProgram, countUnknownFields, frameworkTypes } from '../../src/format/paddle';
import { assetModels, assetPath, bytesEqual, expectError, needAssets, tinyProgram } from './helpers';
import type { ProgramDesc } from '../../src/util/program_desc';

function programFiles(): string[] {
  const out: string[] = [];
  for (const m of assetModels('program round trip')) {
    for (const f of readdirSync(m.dir)) if (f === '__model__' || f.endsWith('.pdmodel')) out.push(join(m.dir, f));
  }
  const ref = assetPath('reference');
  if (ref) for (const d of readdirSync(ref)) { const p = assetPath('reference', d, '__model__'); if (p) out.push(p); }
  return out;
}

(needAssets('program round trip', 'models') ? test : test.skip)('every asset program re-encodes to the same bytes', () => {
  const files = programFiles();
  assert.ok(files.length >= 7, `found ${files.length} program files`);
  let total = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    const p = decodeProgram(bytes, f);
    bytesEqual(encodeProgram(p), bytes, f);
    total += bytes.length;
  }
  console.log(`round trip: ${files.length} programs, ${total} bytes, byte-identical`);
});

(needAssets('squeezenet program content', 'models/squeezenet_v1.1/__model__') ? test : test.skip)('decoded squeezenet program has the documented content', () => {
  const f = assetPath('models', 'squeezenet_v1.1', '__model__')!;
  const p = decodeProgram(readFileSync(f), f);
  assert.is(p.blocks.length, 1);
  assert.is(p.version, undefined); // the README: no version field
  const b = p.blocks[0];
  assert.is(b.idx, 0);
  assert.is(b.parent_idx, -1);
  assert.is(b.forward_block_idx, undefined); // absent stays absent
  const hist: Record<string, number> = {};
  for (const op of b.ops) hist[op.type] = (hist[op.type] ?? 0) + 1;
  assert.equal(hist, { feed: 1, conv2d: 26, elementwise_add: 26, relu: 26, concat: 8, pool2d: 4, reshape: 1, softmax: 1, fetch: 1 });
  const data = b.vars.find((v) => v.name === 'data')!;
  assert.equal(data.type.lod_tensor!.tensor, { data_type: 5, dims: [-1, 3, 227, 227] });
  const conv = b.ops.find((o) => o.type === 'conv2d')!;
  assert.equal(conv.inputs.find((s) => s.parameter === 'Input')!.arguments, ['data']);
  assert.equal(conv.inputs.find((s) => s.parameter === 'Bias')!.arguments, []); // empty slot kept as []
  const pad = conv.attrs.find((a) => a.name === 'paddings')!;
  assert.is(pad.type, 3);
  assert.equal(pad.ints, [0, 0]);
  assert.is(pad.i, undefined);
  const roleVar = conv.attrs.find((a) => a.name === 'op_role_var')!;
  assert.is(roleVar.strings, undefined); // empty repeated value is absent on the wire
  assert.is(typeof b.vars[0].name, 'string');
  assert.is(countUnknownFields(p), 0);
});

test('int64 values come back as numbers, including negatives', () => {
  const p = tinyProgram();
  p.blocks[0].ops[1].attrs.push({ name: 'big', type: 9, l: -(2 ** 40) - 3 }, { name: 'ls', type: 11, longs: [1, -1, 2 ** 52] });
  p.version = { version: 2 };
  p.op_version_map = { pair: [{ op_name: 'elementwise_add', op_version: { version: 1 } }] };
  const q = decodeProgram(encodeProgram(p), 'mem');
  assert.equal(q, p);
  assert.is(typeof q.blocks[0].vars[2].type.lod_tensor!.tensor.dims[0], 'number');
});

test('INT64_MAX / INT64_MIN survive decode → encode exactly (e.g. slice ends = INT64_MAX)', () => {
  const p = tinyProgram();
  p.blocks[0].ops[1].attrs.push({ name: 'ends', type: 11, longs: [2 ** 63, -(2 ** 63), 5] }, { name: 'end', type: 9, l: 2 ** 63 });
  const bytes = encodeProgram(p);
  const hex = Buffer.from(bytes).toString('hex');
  const MAX = 'ffffffffffffffff7f', MIN = '80808080808080808001';
  assert.ok(hex.includes(`78${MAX}78${MIN}7805`), 'longs (field 15, tag 0x78) = [INT64_MAX, INT64_MIN, 5]');
  assert.ok(hex.includes(`68${MAX}`), 'l (field 13, tag 0x68) = INT64_MAX');
  const q = decodeProgram(bytes, 'mem');
  assert.equal(q.blocks[0].ops[1].attrs.find((a) => a.name === 'ends')!.longs, [2 ** 63, -(2 ** 63), 5]);
  bytesEqual(encodeProgram(q), bytes, 'int64 extremes');
  assert.equal(p.blocks[0].ops[1].attrs.find((a) => a.name === 'end')!.l, 2 ** 63); // caller's object untouched
});

test('repeated scalars: written unpacked, packed input accepted', () => {
  const p = tinyProgram();
  const bytes = encodeProgram(p);
  // attr `shape` ints [1,2,3]: unpacked = field 6 varint (tag 0x30) once per element
  const hex = Buffer.from(bytes).toString('hex');
  assert.ok(hex.includes('300130023003'), 'ints written as three 0x30 fields');
  // dims [2,3] of var w: field 2 varint (tag 0x10) per element
  assert.ok(hex.includes('10021003'), 'dims written unpacked');
  // the packed form, built by hand: OpDesc.Attr{name 's', type INTS, ints packed [1,2,3]} in a minimal program
  const attrPacked = Buffer.from([0x0a, 0x01, 0x73, 0x10, 0x03, 0x32, 0x03, 0x01, 0x02, 0x03]); // name "s", type INTS, ints packed
  const op = Buffer.concat([Buffer.from([0x1a, 0x01, 0x74]), Buffer.from([0x22, attrPacked.length]), attrPacked]); // type "t", attrs
  const block = Buffer.concat([Buffer.from([0x08, 0x00, 0x10, 0x00, 0x22, op.length]), op]);
  const prog = Buffer.concat([Buffer.from([0x0a, block.length]), block]);
  const q = decodeProgram(prog, 'packed');
  assert.equal(q.blocks[0].ops[0].attrs[0].ints, [1, 2, 3]);
  // written back unpacked: the ints part grows by one byte (3 tags instead of 1 tag + 1 length)
  const again = encodeProgram(q);
  assert.is(again.length, prog.length + 1);
  assert.ok(Buffer.from(again).toString('hex').includes('300130023003'));
});

test('unknown fields survive decode → encode', () => {
  const p = tinyProgram();
  const bytes = Buffer.from(encodeProgram(p));
  // append field 9 (varint 7) to the ProgramDesc: an unknown top-level field
  const withUnknown = Buffer.concat([bytes, Buffer.from([0x48, 0x07])]);
  const q = decodeProgram(withUnknown, 'mem');
  assert.is(countUnknownFields(q), 1);
  assert.equal(Object.keys(q), ['blocks']); // not enumerable: the object still matches ProgramDesc
  bytesEqual(encodeProgram(q), withUnknown, 'unknown field written back');
});

test('garbage bytes are a format error naming the file', () => {
  const e = expectError(() => decodeProgram(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), '/m/__model__'), 'format', '/m/__model__', 'not a Paddle ProgramDesc');
  assert.ok(e.message.length < 300);
  expectError(() => decodeProgram(new TextEncoder().encode('this is a text file, not a model\n'), 'x.pdmodel'), 'format', 'x.pdmodel');
  expectError(() => decodeProgram(new Uint8Array(0), 'empty/__model__'), 'format', 'empty/__model__', 'no blocks');
  // a JPEG header
  expectError(() => decodeProgram(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]), 'img.jpg'), 'format', 'img.jpg');
});

test('structure checks: block index, op type, var name', () => {
  const bad = (mut: (p: ProgramDesc) => void, why: string) => {
    const p = tinyProgram();
    mut(p);
    expectError(() => decodeProgram(encodeProgram(p), 'prog'), 'format', 'prog', why);
  };
  bad((p) => { p.blocks[0].idx = 3; }, 'idx 3');
  bad((p) => { p.blocks[0].ops[1].type = ''; }, 'has no type');
  bad((p) => { p.blocks[0].vars[2].name = ''; }, 'has no name');
  bad((p) => { p.blocks.push({ idx: 1, parent_idx: 7, vars: [], ops: [] }); }, 'parent_idx 7');
});

test('required field missing → format error; bad object → internal error on encode', () => {
  // BlockDesc with only idx (parent_idx is required)
  const prog = Buffer.from([0x0a, 0x02, 0x08, 0x00]);
  expectError(() => decodeProgram(prog, 'req'), 'format', 'req', 'parent_idx');
  // an AttrType this schema lacks (e.g. SCALAR = 16 in newer Paddle): closed proto2 enum → reported as such
  const n = tinyProgram();
  n.blocks[0].ops[1].attrs[0].type = 16 as never;
  const raw = frameworkTypes().ProgramDesc.encode(n as never).finish();
  expectError(() => decodeProgram(raw, 'new.pdmodel'), 'format', 'new.pdmodel', "'type'", 'enum value');
  const p = tinyProgram();
  (p.blocks[0].ops[0] as { type?: string }).type = undefined;
  expectError(() => encodeProgram(p), 'internal', 'type');
});

test.run();
