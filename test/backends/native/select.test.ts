// Choosing the native (oneDNN) backend: `--backend native` when the addon loads and oneDNN runs AVX2 or better,
// else one line why; `auto` keeps wasm (native and wasm each own an arena) and says native is there; a model with
// ops native declines runs them on the reference backend, and the placement line names them, grouped by reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDnnlAddon } from '../../../src/backends/native/addon';
import { selectBackend } from '../../../src/backends/select';
import { assetsDir } from '../../../src/util/assets';
import { skipTest } from '../../skip';
import { tempDir } from '../../tmp';

const root = join(__dirname, '..', '..', '..');
const bundle = join(root, 'dist', 'qdeploy.mjs');
const addon = loadDnnlAddon();

/** selectBackend in a fresh process (the addon and oneDNN's ISA are per process) */
function selectIn(env: Record<string, string>, name: string): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e', `
    const { selectBackend } = require(${JSON.stringify(join(root, 'src', 'backends', 'select.ts'))});
    try { const s = selectBackend(${JSON.stringify(name)}); console.log(s.backend.name + '|' + s.reason); }
    catch (e) { console.log('ERROR|' + e.name + '|' + e.message); }`], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { out: `${r.stdout}${r.stderr}`.trim(), status: r.status };
}

test('--backend native with the addon: the native backend, oneDNN version and ISA in the reason', () => {
  if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
  const info = addon.addon.info();
  const s = selectBackend('native', { threads: 2 });
  assert.is(s.backend.name, 'native');
  assert.is(s.backend.info().isa, info.effectiveIsa);
  assert.is(s.backend.info().threads, 2);
  assert.match(s.reason, new RegExp(`^native oneDNN ${info.version.replace(/\./g, '\\.')}, ${info.effectiveIsa}, 2 thread`));
  assert.match(s.reason, /conv2d, depthwise_conv2d, fc, pool2d/);
});

test('auto with the addon: wasm, naming native as available with --backend native', () => {
  if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
  const a = selectBackend('auto');
  assert.is(a.backend.name, 'wasm');
  assert.match(a.reason, /^auto: native \(oneDNN \d+\.\d+\.\d+, \w+\) is available with --backend native \(conv2d, depthwise_conv2d, fc, pool2d on oneDNN, the other ops on reference\); wasm /);
  a.backend.dispose?.();
});

test('without the addon: --backend native says why in one line; auto picks wasm and says why', () => {
  const env = { QDEPLOY_NO_NATIVE: '1' };
  const n = selectIn(env, 'native');
  assert.is(n.out, 'ERROR|QdeployError|--backend native: turned off by QDEPLOY_NO_NATIVE=1 (try --backend wasm)');
  const a = selectIn(env, 'auto');
  assert.match(a.out, /^wasm\|auto: native unavailable: turned off by QDEPLOY_NO_NATIVE=1; wasm /);
  assert.not.match(a.out, /\n/);
});

test('the CLI without the addon: run --backend native exits 1 with the reason in one line', () => {
  if (!existsSync(bundle)) { skipTest('dist/qdeploy.mjs not built (npm run build)'); return; }
  const assets = assetsDir();
  if (!assets || !existsSync(join(assets, 'models', 'squeezenet_v1.1'))) { skipTest('shared assets not found'); return; }
  const r = spawnSync(process.execPath, [bundle, 'run', join(assets, 'models', 'squeezenet_v1.1'), '--input', join(assets, 'golden', 'squeezenet_v1.1', 'input_16.bin'), '--backend', 'native'],
    { encoding: 'utf8', env: { ...process.env, QDEPLOY_NO_NATIVE: '1' } });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'qdeploy: error: --backend native: turned off by QDEPLOY_NO_NATIVE=1 (try --backend wasm)\n');
});

test('a model with ops native declines: they run on the reference backend, named once per type in the placement line; the output matches all-reference', () => {
  if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
  if (!existsSync(bundle)) { skipTest('dist/qdeploy.mjs not built (npm run build)'); return; }
  const assets = assetsDir();
  const model = assets && join(assets, 'models', 'squeezenet_v1.1_8bit');
  if (!model || !existsSync(model)) { skipTest('shared assets not found'); return; }
  const dir = tempDir('native-select');
  const input = join(assets!, 'golden', 'squeezenet_v1.1_8bit', 'input_16.bin');
  const run = (backend: string) => {
    const out = join(dir, `${backend}.f32`);
    const r = spawnSync(process.execPath, [bundle, 'run', model, '--input', input, '--backend', backend, '--verbose', '--output', out, '--top_k', '1'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const b = readFileSync(out);
    return { stdout: r.stdout, y: new Float32Array(b.buffer, b.byteOffset, b.length / 4) };
  };
  const nat = run('native'), ref = run('reference');
  // the legacy model: quantize 18, conv2d 26, dequantize 26, elementwise_add 26, relu 26, concat 8, pool2d 4, softmax 1;
  // native runs its (FP32) conv2d and pool2d ops, the reference the rest
  const line = nat.stdout.split('\n').find((l) => l.startsWith('placement: '));
  assert.ok(line, nat.stdout);
  assert.match(line!, /^placement: native 30 ops, reference 106 ops, 0 reorders; fell back: /);
  for (const t of ['quantize', 'dequantize', 'elementwise_add', 'relu', 'concat', 'softmax']) assert.match(line!, new RegExp(`\\b${t}\\(\\d+[,)]`), t);
  assert.is(line!.split('(native: native runs conv2d, depthwise_conv2d, fc, pool2d)').length - 1, 1, line); // the reason once
  assert.not.match(line!, /\b(conv2d|pool2d)\(/); // those it runs
  // FP32 convs on oneDNN: the kernel suite's FP32 tolerance, on the softmax output
  assert.is(nat.y.length, ref.y.length);
  let worst = 0;
  for (let i = 0; i < ref.y.length; i++) worst = Math.max(worst, Math.abs(nat.y[i] - ref.y[i]));
  assert.ok(worst < 1e-5, `max |native − reference| ${worst}`);
});

test.run();
