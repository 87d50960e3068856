// The wasm backend around its kernels: the arena is the module's memory (64-byte aligned, released for reuse),
// results do not depend on the thread count or the batch size, ops without a wasm kernel are declined (placement
// puts them on the reference), selectBackend's choices and reasons, and the .wasm files are found from the bundle.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../../src/backends/select';
import { wasmBackend, WasmArena } from '../../../src/backends/wasm/backend';
import { chooseIsa, probeFeatures, RELAXED_PROBE, SIMD_PROBE } from '../../../src/backends/wasm/loader';
import { compile } from '../../../src/runtime/compile';
import { kernelCases, type KernelCase } from '../../kernels/cases';
import { buildCase, caseInputs, compareOutputs, runCase } from '../../kernels/harness';
import { referenceBackend } from '../../../src/backends/reference/backend';
import { assetsDir } from '../../../src/util/assets';
import { skipTest } from '../../skip';

const root = join(__dirname, '..', '..', '..');

test('feature probes validate SIMD; relaxed only where the engine has it', () => {
  assert.ok(WebAssembly.validate(SIMD_PROBE));
  const f = probeFeatures();
  assert.is(f.simd, true);
  assert.is(f.relaxed, WebAssembly.validate(RELAXED_PROBE));
  const c = chooseIsa('auto');
  assert.is(c.isa, f.relaxed ? 'relaxed-simd' : 'simd128');
  if (!f.relaxed) assert.match(chooseIsa('relaxed-simd').reason, /experimental-wasm-relaxed-simd/);
});

test('arena lives in the wasm memory, 64-byte aligned, and is reused after release', () => {
  const be = wasmBackend({});
  const a = be.allocArena(1000) as WasmArena;
  assert.is(a.base % 64, 0);
  assert.ok(a.u8().buffer === be.memory.buffer || a.u8().buffer.byteLength === be.memory.buffer.byteLength);
  a.release();
  const b = be.allocArena(1000) as WasmArena;
  assert.is(b.base, a.base);
  b.release();
  // many compile/dispose cycles do not grow the memory
  const c = kernelCases().find((k) => k.name.startsWith('conv2d_u8_n1_ic64'))!;
  runCase(be, c);
  const len = be.memory.buffer.byteLength;
  for (let i = 0; i < 30; i++) runCase(be, c);
  assert.is(be.memory.buffer.byteLength, len);
  be.dispose();
});

function bigConv(n: number, int8: boolean, groups = 1): KernelCase {
  const ic = 24, oc = 40;
  const attrs: KernelCase['attrs'] = { strides: [1, 1], paddings: [1, 1], dilations: [1, 1], groups, fuse_activation: 'relu' };
  if (int8) Object.assign(attrs, { mkldnn_data_type: 'int8', Scale_in: 50, Scale_out: 20, Scale_weights: [150] });
  return {
    name: `conv n${n}`, op: 'conv2d', attrs, seed: 77,
    inputs: [
      { slot: 'Input', dims: [n, ic, 19, 23], dtype: int8 ? 'uint8' : 'fp32' },
      { slot: 'Filter', dims: [oc, ic / groups, 3, 3], dtype: 'fp32', param: true, range: [-0.5, 0.5] },
      { slot: 'Bias', dims: [oc], dtype: 'fp32', param: true },
    ],
    outputs: [{ slot: 'Output' }],
  };
}

test('results do not depend on the thread count or on the batch size (int8 and fp32, bit for bit)', () => {
  for (const int8 of [true, false]) {
    const c3 = bigConv(3, int8);
    const vals = caseInputs(c3);
    const outs = [1, 2, 4].map((t) => { const be = wasmBackend({ threads: t }); const o = runCase(be, c3, vals).outputs[0]; be.dispose(); return o; });
    for (const o of outs.slice(1)) assert.equal(Array.from(o.data as Float32Array), Array.from(outs[0].data as Float32Array));
    // image 1 of the batch of 3 alone
    const c1 = bigConv(1, int8);
    const per = vals[0].data.length / 3;
    const one = { ...vals[0], dims: [1, ...vals[0].dims.slice(1)], data: vals[0].data.slice(per, 2 * per) } as typeof vals[0];
    const be = wasmBackend({ threads: 3 });
    const o1 = runCase(be, c1, [one, vals[1], vals[2]]).outputs[0];
    be.dispose();
    const n1 = o1.data.length;
    assert.equal(Array.from(o1.data as Float32Array), Array.from((outs[0].data as Float32Array).slice(n1, 2 * n1)));
    assert.is(compareOutputs(outs[0] ? [outs[0]] : [], runCase(referenceBackend(), c3, vals).outputs), undefined);
  }
});

test('ops without a wasm kernel are declined (no bridge): wasm alone refuses them, [wasm, reference] runs them on the reference', () => {
  const be = wasmBackend({}), ref = referenceBackend();
  for (const name of ['lrn_f32', 'tanh_f32', 'split_f32_sections']) {
    const c = kernelCases().find((k) => k.name === name)!;
    assert.throws(() => runCase(be, c), /no wasm kernel/, name);
    const got = runCase([be, ref], c);
    assert.equal(got.on, ['reference'], name);
    assert.is(compareOutputs(got.outputs, runCase(ref, c).outputs), undefined, name);
  }
  be.dispose();
});

test('execute allocates no wasm memory and keeps the plan arena in place', () => {
  const be = wasmBackend({ threads: 2 });
  const b = buildCase(bigConv(2, true));
  const plan = compile(b.graph, be, { batch: 2 });
  const first = plan.run(b.feeds.map((t) => t.data))[0];
  const len = be.memory.buffer.byteLength;
  for (let i = 0; i < 5; i++) assert.equal(Array.from(plan.run(b.feeds.map((t) => t.data))[0].data as Uint8Array), Array.from(first.data as Uint8Array));
  assert.is(be.memory.buffer.byteLength, len);
  plan.dispose();
  be.dispose();
});

/** a small INT8 conv case (random values) of the given geometry */
function int8Conv(t: 'uint8' | 'int8', ic: number, oc: number, h: number, w: number, k: number, attrs: KernelCase['attrs'] = {}): KernelCase {
  return {
    name: `conv ${t} ic${ic}`, op: 'conv2d', seed: 5,
    attrs: { strides: [1, 1], paddings: [1, 1], dilations: [1, 1], groups: 1, mkldnn_data_type: 'int8', Scale_in: 30, Scale_out: 10, Scale_weights: [120], ...attrs },
    inputs: [
      { slot: 'Input', dims: [1, ic, h, w], dtype: t },
      { slot: 'Filter', dims: [oc, ic / ((attrs.groups as number) ?? 1), k, k], dtype: 'fp32', param: true, range: [-0.8, 0.8] },
    ],
    outputs: [{ slot: 'Output' }],
  };
}

/** an FP32 3x3 conv case with bias and relu */
function f32Conv(ic: number, oc: number, h: number, w: number): KernelCase {
  return {
    name: `conv fp32 ic${ic}`, op: 'conv2d', seed: 6, attrs: { strides: [1, 1], paddings: [1, 1], dilations: [1, 1], groups: 1, fuse_activation: 'relu' },
    inputs: [
      { slot: 'Input', dims: [1, ic, h, w], dtype: 'fp32' },
      { slot: 'Filter', dims: [oc, ic, 3, 3], dtype: 'fp32', param: true },
      { slot: 'Bias', dims: [oc], dtype: 'fp32', param: true },
    ],
    outputs: [{ slot: 'Output' }],
  };
}

test('3x3 stride-1 convs take Winograd only where it is exact (INT8) and pays; the others and winograd:false take the GEMM', () => {
  const on = wasmBackend({}), off = wasmBackend({ winograd: false });
  // reports say which (qdeploy bench --report writes the backend's features)
  assert.match(on.info().features.join('; '), /winograd: 3x3 stride-1 convs/);
  assert.match(off.info().features.join('; '), /winograd: off/);
  const wino = /^conv_winograd_(u8s8|f32)\/conv3x3_winograd_f2x2_((u8|s8)s8s32_4x8_simd128|f32_4x8_(simd128|relaxed_madd))$/;
  const cases: [KernelCase, boolean][] = [
    [int8Conv('uint8', 1827, 4, 2, 3, 3), true], // |4·Y| ≤ 4·9·1827·255·128 < 2^31
    [int8Conv('uint8', 1828, 4, 2, 3, 3), false],
    [int8Conv('int8', 3640, 4, 1, 2, 3), true], // s8: |x| ≤ 128
    [int8Conv('int8', 3641, 4, 1, 2, 3), false],
    [int8Conv('uint8', 256, 512, 3, 3, 3), true], // transformed weights 4 MiB
    [int8Conv('uint8', 256, 516, 3, 3, 3), false],
    [int8Conv('uint8', 8, 8, 9, 9, 3), true],
    [int8Conv('int8', 7, 8, 9, 9, 3), false], // too few channels to pay
    [f32Conv(2, 8, 9, 9), true], // FP32 pays from 2 channels
    [f32Conv(1, 8, 9, 9), false],
    [f32Conv(256, 256, 3, 3), true], // FP32 transformed weights 4 MiB
    [f32Conv(256, 260, 3, 3), false],
    [int8Conv('uint8', 8, 8, 9, 9, 3, { strides: [2, 2] }), false],
    [int8Conv('uint8', 8, 8, 9, 9, 3, { dilations: [2, 2], paddings: [2, 2] }), false],
    [int8Conv('uint8', 8, 8, 9, 9, 3, { groups: 2 }), false],
    [int8Conv('uint8', 8, 8, 9, 9, 5, { paddings: [2, 2] }), false],
  ];
  for (const [c, want] of cases) {
    const got = runCase(on, c);
    const name = `${c.name} ${JSON.stringify(c.attrs.strides)} k${c.inputs[1].dims[2]}`;
    if (want) assert.match(got.kernel, wino, name); else assert.not.match(got.kernel, /winograd/, name);
    const direct = runCase(off, c);
    assert.not.match(direct.kernel, /winograd/);
    // both paths give the reference's bytes, FP32 within the suite's tolerance (the wide ones too: the kernel
    // suite's sizes stay small)
    assert.is(compareOutputs(got.outputs, direct.outputs), undefined, name);
  }
  on.dispose(); off.dispose();
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', '-e',
    "const {wasmBackend}=require('./src/backends/wasm/backend');console.log(wasmBackend({}).winograd);process.exit(0)"],
  { cwd: root, encoding: 'utf8', env: { ...process.env, QDEPLOY_WASM_WINOGRAD: '0' } });
  assert.is(r.stdout.trim(), 'false', r.stderr);
});

test('selectBackend: wasm, reference, auto with its reason (native: test/backends/native/select.test.ts)', () => {
  const w = selectBackend('wasm', { threads: 2 });
  assert.is(w.backend.name, 'wasm');
  assert.is(w.backend.info().threads, 2);
  assert.match(w.reason, /simd/);
  w.backend.dispose?.();
  assert.is(selectBackend('reference').backend.name, 'reference');
  const a = selectBackend('auto');
  assert.is(a.backend.name, 'wasm');
  assert.match(a.reason, /^auto: native [^;]*; wasm /);
  a.backend.dispose?.();
  assert.throws(() => selectBackend('wasm', { threads: 0 }), /num_threads/);
});

test('the CLI bundle finds the .wasm files from any cwd (qdeploy run --backend wasm)', () => {
  const bundle = join(root, 'dist', 'qdeploy.mjs');
  const assets = assetsDir();
  if (!existsSync(bundle)) { skipTest('dist/qdeploy.mjs not built (npm run build)'); return; }
  if (!assets || !existsSync(join(assets, 'models', 'squeezenet_v1.1'))) { skipTest('shared assets not found'); return; }
  const r = spawnSync(process.execPath, [bundle, 'run', join(assets, 'models', 'squeezenet_v1.1'), '--input', join(assets, 'golden', 'squeezenet_v1.1', 'input_16.bin'), '--backend', 'wasm', '--top_k', '1'],
    { encoding: 'utf8', cwd: '/', env: { ...process.env, QDEPLOY_WASM_DIR: '' } });
  const out = `${r.stdout}${r.stderr}`;
  assert.is(r.status, 0, out.slice(-2000));
  assert.match(out, /backend: wasm, ISA: (simd128|relaxed-simd)/);
});

test.run();
