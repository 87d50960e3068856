// Model dirs: byte-exact round trips in both layouts and across them, layout detection, bad inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadModel, saveModel, encodeProgram, writeTensor, persistableVars, resolveModelFiles, type LoadedModel,
} from '../../src/format/paddle';
import type { Tensor } from '../../src/util/dtype';
import { assetModels, assetPath, bytesEqual, copyToTemp, expectError, needAssets, tempDir, tinyProgram } from './helpers';

/** every file of dir `a` equals the same-named file of dir `b`, and they hold the same names */
function sameDir(a: string, b: string, what: string): number {
  const fa = readdirSync(a).sort(), fb = readdirSync(b).sort();
  assert.equal(fa, fb, `${what}: file lists`);
  let n = 0;
  for (const f of fa) { bytesEqual(readFileSync(join(b, f)), readFileSync(join(a, f)), `${what}: ${f}`); n += readFileSync(join(a, f)).length; }
  return n;
}

(needAssets('model round trip', 'models') ? test : test.skip)('every asset model: load → save in its own layout gives the same files, byte for byte', () => {
  const t0 = performance.now();
  let models = 0, bytes = 0;
  for (const m of assetModels('model round trip')) {
    const mod = loadModel(m.dir);
    const out = join(tempDir('rt'), 'out');
    if (mod.layout === 'separate') saveModel(out, mod, { layout: 'separate' });
    else saveModel(out, mod, { layout: 'combined', modelFilename: 'inference.pdmodel' });
    bytes += sameDir(m.dir, out, m.name);
    models++;
  }
  if (models) console.log(`round trip: ${models} model dirs, ${bytes} bytes, byte-identical (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
});

(needAssets('layout conversion', 'models') ? test : test.skip)('every asset model: convert to the other layout and back gives the same bytes', () => {
  for (const m of assetModels('layout conversion')) {
    const a = loadModel(m.dir);
    const other = join(tempDir('conv'), 'other');
    const back = join(tempDir('back'), 'back');
    if (a.layout === 'separate') {
      saveModel(other, a, { layout: 'combined' });
      assert.equal(readdirSync(other).sort(), ['model.pdiparams', 'model.pdmodel']);
      const b = loadModel(other);
      assert.is(b.layout, 'combined');
      assert.is(b.params.size, a.params.size);
      saveModel(back, b, { layout: 'separate' });
    } else {
      saveModel(other, a, { layout: 'separate' });
      assert.ok(existsSync(join(other, '__model__')));
      const b = loadModel(other);
      assert.is(b.layout, 'separate');
      saveModel(back, b, { layout: 'combined', modelFilename: 'inference.pdmodel', paramsFilename: 'inference.pdiparams' });
    }
    sameDir(m.dir, back, `${m.name} via the other layout`);
  }
});

(needAssets('loaded values', 'models/mobilenet_v2', 'models/squeezenet_v1.1', 'models/squeezenet_v1.1_8bit') ? test : test.skip)('loaded values: mobilenet_v2 (combined), squeezenet fp32 and int8', () => {
  const dir = assetPath('models', 'mobilenet_v2')!;
  const m = loadModel(dir);
  assert.is(m.layout, 'combined');
  assert.ok(m.paramsFile!.endsWith('inference.pdiparams'));
  assert.ok(m.modelFile.endsWith('inference.pdmodel'));
  assert.is(m.params.size, 320);
  const w = m.params.get('conv1_weights')!;
  assert.is(w.dtype, 'fp32');
  assert.equal(w.dims, [32, 3, 3, 3]);
  {
    const s = loadModel(assetPath('models', 'squeezenet_v1.1')!);
    assert.is(s.params.size, 52);
    assert.equal(s.params.get('conv1_weights')!.dims, [64, 3, 3, 3]);
    const s8 = loadModel(assetPath('models', 'squeezenet_v1.1_8bit')!);
    const q = s8.params.get('conv1_weights.int8')!;
    assert.is(q.dtype, 'int8');
    let maxAbs = 0;
    for (const v of q.data as Int8Array) maxAbs = Math.max(maxAbs, Math.abs(v));
    assert.is(maxAbs, 127); // per-tensor abs-max quantization hits ±127
  }
});

(needAssets('layout detection', 'models/squeezenet_v1.1') ? test : test.skip)('layout detection: model+params, model+weights, __model__+__params__, file paths, explicit names', () => {
  const sq = assetPath('models', 'squeezenet_v1.1')!;
  const ref = loadModel(sq);
  const combined = join(tempDir('det'), 'c');
  saveModel(combined, ref, { layout: 'combined' });
  const prog = readFileSync(join(combined, 'model.pdmodel'));
  const params = readFileSync(join(combined, 'model.pdiparams'));
  const check = (m: LoadedModel, layout: string) => {
    assert.is(m.layout, layout);
    assert.is(m.params.size, 52);
    bytesEqual(writeTensor(m.params.get('fire9_squeeze1x1_weights')!), writeTensor(ref.params.get('fire9_squeeze1x1_weights')!), 'param');
  };
  for (const [mn, pn] of [['model', 'params'], ['model', 'weights'], ['__model__', '__params__'], ['inference.pdmodel', 'inference.pdiparams']]) {
    const d = join(tempDir('det'), mn + pn);
    mkdirSync(d);
    writeFileSync(join(d, mn), prog);
    writeFileSync(join(d, pn), params);
    const m = loadModel(d);
    check(m, 'combined');
    assert.is(m.paramsFile, join(d, pn));
    check(loadModel(join(d, mn)), 'combined'); // the program file path alone
  }
  // explicit names, odd ones
  const d = join(tempDir('det'), 'odd');
  mkdirSync(d);
  writeFileSync(join(d, 'net.prog'), prog);
  writeFileSync(join(d, 'net.weights.bin'), params);
  check(loadModel(d, { modelFilename: 'net.prog', paramsFilename: 'net.weights.bin' }), 'combined');
  check(loadModel([join(d, 'net.prog'), join(d, 'net.weights.bin')]), 'combined');
  check(loadModel(join(d, 'net.prog'), { paramsFilename: 'net.weights.bin' }), 'combined');
  // `model` + var files, and a separate dir given by its __model__ path, and explicit model name only
  const sep = copyToTemp(sq, 'sep');
  renameSync(join(sep, '__model__'), join(sep, 'model'));
  check(loadModel(sep), 'separate');
  check(loadModel(sq, { modelFilename: '__model__' }), 'separate');
  check(loadModel(join(sq, '__model__')), 'separate');
  // several .pdmodel files: ambiguous
  writeFileSync(join(d, 'a.pdmodel'), prog);
  writeFileSync(join(d, 'b.pdmodel'), prog);
  expectError(() => loadModel(d), 'usage', d, 'a.pdmodel, b.pdmodel');
  assert.is(resolveModelFiles(d, { modelFilename: 'a.pdmodel' }).layout, 'separate');
  writeFileSync(join(d, 'b.pdiparams'), params);
  check(loadModel(d, { modelFilename: 'b.pdmodel' }), 'combined');
});

// ---- bad input ----
(needAssets('truncated parameter file', 'models/squeezenet_v1.1') ? test : test.skip)('truncated parameter file → error naming the file and var', () => {
  const sq = assetPath('models', 'squeezenet_v1.1')!;
  const d = copyToTemp(sq, 'trunc');
  const f = join(d, 'conv10_weights');
  truncateSync(f, readFileSync(f).length - 1);
  expectError(() => loadModel(d), 'unsafe', f, 'conv10_weights', 'truncated');
  truncateSync(f, 10);
  expectError(() => loadModel(d), 'format', f, 'conv10_weights', 'truncated');
  // a param file with bytes after the tensor
  copyFileSync(join(sq, 'conv10_weights'), f);
  writeFileSync(f, Buffer.concat([readFileSync(f), Buffer.from([1, 2, 3])]));
  expectError(() => loadModel(d), 'format', f, 'conv10_weights', '3 unexpected bytes');
  // combined: truncated, and trailing bytes
  const c = join(tempDir('trunc'), 'c');
  saveModel(c, loadModel(sq), { layout: 'combined' });
  const pf = join(c, 'model.pdiparams');
  const full = readFileSync(pf);
  writeFileSync(pf, full.subarray(0, full.length - 100));
  expectError(() => loadModel(c), 'unsafe', pf, 'var ');
  writeFileSync(pf, full.subarray(0, full.length / 2));
  expectError(() => loadModel(c), 'unsafe', pf, 'var ');
  writeFileSync(pf, Buffer.concat([full, Buffer.alloc(5)]));
  expectError(() => loadModel(c), 'format', pf, '5 bytes left');
  writeFileSync(pf, full.subarray(0, 0));
  expectError(() => loadModel(c), 'format', pf, 'var ');
  rmSync(pf);
  expectError(() => loadModel(c), 'io', pf, 'not found');
});

test('parameter dims or dtype disagreeing with the VarDesc → error naming var and file', () => {
  const d = tempDir('dims');
  const p = tinyProgram(['w']);
  writeFileSync(join(d, '__model__'), encodeProgram(p));
  writeFileSync(join(d, 'w'), writeTensor({ dtype: 'fp32', dims: [3, 2], data: new Float32Array(6) }));
  expectError(() => loadModel(d), 'format', join(d, 'w'), 'var w', '[3, 2]', '[2, 3]');
  writeFileSync(join(d, 'w'), writeTensor({ dtype: 'fp32', dims: [2, 3, 1], data: new Float32Array(6) }));
  expectError(() => loadModel(d), 'format', 'var w', '[2, 3, 1]');
  writeFileSync(join(d, 'w'), writeTensor({ dtype: 'int8', dims: [2, 3], data: new Int8Array(6) }));
  expectError(() => loadModel(d), 'format', join(d, 'w'), 'var w', 'int8', 'fp32');
  // -1 in the VarDesc matches anything
  const p2 = tinyProgram(['w'], [-1, 3]);
  writeFileSync(join(d, '__model__'), encodeProgram(p2));
  writeFileSync(join(d, 'w'), writeTensor({ dtype: 'fp32', dims: [7, 3], data: new Float32Array(21).fill(2) }));
  const m = loadModel(d);
  assert.equal(m.params.get('w')!.dims, [7, 3]);
  assert.is((m.params.get('w')!.data as Float32Array)[20], 2);
  // saving a tensor that disagrees is refused too (a pass bug), and nothing is written
  const out = join(tempDir('dims'), 'out');
  m.params.set('w', { dtype: 'fp32', dims: [7, 4], data: new Float32Array(28) });
  expectError(() => saveModel(out, m), 'internal', 'var w');
  assert.not.ok(existsSync(out));
});

(needAssets('missing parameter file', 'models/squeezenet_v1.1') ? test : test.skip)('missing parameter file and garbage program in a real model dir', () => {
  const sq = assetPath('models', 'squeezenet_v1.1')!;
  {
    const d = copyToTemp(sq, 'missing');
    rmSync(join(d, 'fire5_expand3x3_biases'));
    expectError(() => loadModel(d), 'io', join(d, 'fire5_expand3x3_biases'), 'var fire5_expand3x3_biases', 'not found');
    writeFileSync(join(d, '__model__'), Buffer.from('\x89PNG\r\n\x1a\n not a model at all'));
    expectError(() => loadModel(d), 'format', join(d, '__model__'), 'not a Paddle ProgramDesc');
  }
});

test('missing parameter file (tiny model), empty dir, no program, missing path', () => {
  const t = tempDir('missing');
  writeFileSync(join(t, '__model__'), encodeProgram(tinyProgram(['w', 'w2'])));
  writeFileSync(join(t, 'w'), writeTensor({ dtype: 'fp32', dims: [2, 3], data: new Float32Array(6) }));
  expectError(() => loadModel(t), 'io', join(t, 'w2'), 'var w2', 'not found');
  const e = tempDir('empty');
  expectError(() => loadModel(e), 'io', e, 'empty');
  writeFileSync(join(e, 'readme.txt'), 'hi');
  expectError(() => loadModel(e), 'io', e, 'no Paddle program');
  expectError(() => loadModel(join(e, 'nope')), 'io', join(e, 'nope'));
  expectError(() => loadModel(e, { modelFilename: 'x.pdmodel' }), 'io', 'x.pdmodel');
  mkdirSync(join(e, '__model__'));
  expectError(() => loadModel(e), 'io', '__model__');
});

test('var names that would escape the model dir are refused before any file is opened', () => {
  for (const bad of ['../../etc/passwd', '..', '.', '..hidden', 'a/b', 'a\\b', 'nul\0byte', '/abs']) {
    const d = tempDir('esc');
    writeFileSync(join(d, '__model__'), encodeProgram(tinyProgram(['ok', bad])));
    writeFileSync(join(d, 'ok'), writeTensor({ dtype: 'fp32', dims: [2, 3], data: new Float32Array(6) }));
    expectError(() => loadModel(d), 'unsafe', JSON.stringify(bad), join(d, '__model__'));
    // and never written either
    const out = join(tempDir('esc'), 'out');
    const t: Tensor = { dtype: 'fp32', dims: [2, 3], data: new Float32Array(6) };
    expectError(() => saveModel(out, { program: tinyProgram(['ok', bad]), params: new Map([['ok', t], [bad, t]]) }, { layout: 'separate' }), 'unsafe', JSON.stringify(bad));
    assert.not.ok(existsSync(out));
  }
  // the combined layout never builds a path from a var name, so such a name loads there
  const d = tempDir('esc');
  const t: Tensor = { dtype: 'fp32', dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) };
  saveModel(join(d, 'c'), { program: tinyProgram(['a/b']), params: new Map([['a/b', t]]) }, { layout: 'combined' });
  assert.equal([...loadModel(join(d, 'c')).params.get('a/b')!.data as Float32Array], [1, 2, 3, 4, 5, 6]);
});

test('saveModel: order, names, atomic refusal of a non-empty dir, overwrite, bad arguments', () => {
  const t = (v: number): Tensor => ({ dtype: 'fp32', dims: [2, 3], data: new Float32Array(6).fill(v) });
  // names whose byte order differs from a naive locale sort: 'B' < '_' < 'a'
  const names = ['a', '_x', 'B', 'a.b', 'a_b'];
  const program = tinyProgram(names);
  const params = new Map(names.map((n, i) => [n, t(i)] as [string, Tensor]));
  const d = join(tempDir('save'), 'm');
  saveModel(d, { program, params }, { layout: 'combined', modelFilename: 'inference.pdmodel' });
  assert.equal(readdirSync(d).sort(), ['inference.pdiparams', 'inference.pdmodel']);
  assert.equal(persistableVars(program, 'p').map((v) => v.name), ['B', '_x', 'a', 'a.b', 'a_b']);
  const bin = readFileSync(join(d, 'inference.pdiparams'));
  const rec = writeTensor(t(0)).length;
  assert.is(bin.length, rec * 5);
  // first record is 'B' (index 2 → value 2)
  assert.is(new DataView(bin.buffer, bin.byteOffset).getFloat32(rec - 24, true), 2);
  expectError(() => saveModel(d, { program, params }), 'io', d, 'not empty');
  saveModel(d, { program, params }, { overwrite: true });
  assert.equal(readdirSync(d).sort(), ['B', '__model__', '_x', 'a', 'a.b', 'a_b']);
  // stray / missing tensors
  expectError(() => saveModel(join(d, 'x'), { program, params: new Map([...params, ['zz', t(0)]]) }), 'internal', 'zz');
  const fewer = new Map(params); fewer.delete('a.b');
  expectError(() => saveModel(join(d, 'y'), { program, params: fewer }), 'internal', 'a.b');
  expectError(() => saveModel(join(d, 'z'), { program, params }, { layout: 'combined', paramsFilename: '../evil' }), 'usage', '../evil');
  expectError(() => saveModel(join(d, 'z'), { program, params }, { layout: 'separate', paramsFilename: 'p' }), 'usage');
  // a var named like the program file
  expectError(() => saveModel(join(d, 'w'), { program: tinyProgram(['__model__']), params: new Map([['__model__', t(0)]]) }), 'unsafe', '__model__');
});

test.run();
