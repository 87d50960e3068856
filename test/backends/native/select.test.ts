// Choosing the native (oneDNN) backend: `--backend native` when the addon loads and oneDNN runs AVX2 or better,
// else one line why; `auto` keeps wasm (native runs only models whose every op it supports) and says so; a model
// with ops native declines stops with one line listing them, grouped by reason.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDnnlAddon } from '../../../src/backends/native/addon';
import { selectBackend } from '../../../src/backends/select';
import { assetsDir } from '../../../src/util/assets';
import { skipTest } from '../../skip';

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

test('auto with the addon: wasm, naming native as available for models whose every op it runs', () => {
  if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
  const a = selectBackend('auto');
  assert.is(a.backend.name, 'wasm');
  assert.match(a.reason, /^auto: native \(oneDNN \d+\.\d+\.\d+, \w+\) is available with --backend native for models whose every op it runs \(conv2d, depthwise_conv2d, fc, pool2d\); wasm /);
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

test('a model with ops native declines: exit 1, one line naming every declined op type once, grouped by reason', () => {
  if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
  if (!existsSync(bundle)) { skipTest('dist/qdeploy.mjs not built (npm run build)'); return; }
  const assets = assetsDir();
  const model = assets && join(assets, 'models', 'squeezenet_v1.1_8bit');
  if (!model || !existsSync(model)) { skipTest('shared assets not found'); return; }
  const r = spawnSync(process.execPath, [bundle, 'run', model, '--input', join(assets!, 'golden', 'squeezenet_v1.1_8bit', 'input_16.bin'), '--backend', 'native'], { encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  const m = lines[0];
  // the legacy model: quantize 18, conv2d 26, dequantize 26, elementwise_add 26, relu 26, concat 8, pool2d 4, softmax 1;
  // native runs its (FP32) conv2d and pool2d ops
  assert.match(m, /backend native cannot run \d+ op\(s\)/);
  for (const t of ['quantize', 'dequantize', 'elementwise_add', 'relu', 'concat', 'softmax']) assert.match(m, new RegExp(`\\b${t}\\(\\d+[,)]`), t);
  // the reason once, not once per op
  assert.is(m.split('native runs only conv2d, depthwise_conv2d, fc, pool2d').length - 1, 1, m);
  assert.not.match(m, /\b(conv2d|pool2d)\(/); // those it runs
  assert.ok(m.length < 2000, `${m.length} characters`);
});

test.run();
