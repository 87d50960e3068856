// The shared kernel suite on the wasm backend: INT8 bit-exact and FP32 within 1e-5 relative of the reference.
// It compiles on [wasm, reference], as `--backend wasm` does: the op types wasm has no kernel for (ON_REFERENCE)
// are placed on the reference, and every other case must run on wasm.
// This process runs the SIMD128 build on one thread; two child processes run the same suite on the relaxed-SIMD
// build (node --experimental-wasm-relaxed-simd, which Node 20 needs) and on 3 threads.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceBackend } from '../../src/backends/reference/backend';
import { wasmBackend } from '../../src/backends/wasm/backend';
import type { WasmIsa } from '../../src/backends/wasm/loader';
import { kernelCases } from './cases';
import { kernelSuite, runCase } from './harness';

const isa = (process.env.QDEPLOY_WASM_ISA ?? 'simd128') as WasmIsa;
const threads = Number(process.env.QDEPLOY_WASM_THREADS ?? 1);
const backend = wasmBackend({ isa, threads });
const backends = [backend, referenceBackend()];
const cases = kernelCases();

// No wasm kernel yet: matmul/matmul_v2 of two activations (incl. batched and broadcast, f32 and int8) would need a
// batched GEMM in the gemm family; the others are rare in the zoo's models. Placement runs them on the reference.
const ON_REFERENCE = new Set(['matmul', 'matmul_v2', 'split', 'slice', 'tanh', 'sigmoid', 'hard_swish', 'lrn']);

test(`backend reports ${isa}, ${threads} thread(s)`, () => {
  assert.is(backend.info().isa, isa);
  assert.is(backend.info().threads, threads);
});

kernelSuite(test, backends, cases);

test('every case runs on wasm kernels but those of the ON_REFERENCE op types, which run on the reference', () => {
  const wrong: string[] = [];
  for (const c of cases) {
    const want = ON_REFERENCE.has(c.op) ? 'reference' : 'wasm';
    const r = runCase(backends, c);
    if (r.on.join() !== want) wrong.push(`${c.name} on ${r.on.join('+')} (${r.kernel}), expected ${want}`);
  }
  assert.equal(wrong, []);
  // the legacy 8-bit models' quantize/dequantize have wasm kernels
  for (const name of ['quantize_legacy_abs_max', 'dequantize_legacy_max_range']) assert.match(runCase(backends, cases.find((k) => k.name === name)!).kernel, /^(quantize_abs_max|dequantize_max_abs)_f32\//);
  const dw = runCase(backend, cases.find((k) => k.name.startsWith('depthwise_conv2d_u8'))!).kernel;
  assert.match(dw, /conv_dw3x3_u8s8_simd128/);
  const conv = runCase(backend, cases.find((k) => k.name.startsWith('conv2d_u8'))!).kernel;
  assert.match(conv, isa === 'relaxed-simd' ? /gemm_u8s8s32_4x8c4_relaxed7_or_4x8_simd128/ : /gemm_u8s8s32_4x8_simd128/);
});

function child(env: Record<string, string>, flags: string[]): { passed: number; out: string; status: number | null } {
  const r = spawnSync(process.execPath, [...flags, '-r', 'esbuild-register', __filename], {
    env: { ...process.env, ...env, QDEPLOY_WASM_CHILD: '1', FORCE_COLOR: '0' }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const out = `${r.stdout}${r.stderr}`;
  const m = out.match(/Passed:\s+(\d+)/);
  return { passed: m ? Number(m[1]) : 0, out, status: r.status };
}

if (!process.env.QDEPLOY_WASM_CHILD) {
  test('relaxed-SIMD build passes the whole suite (child: --experimental-wasm-relaxed-simd)', () => {
    const r = child({ QDEPLOY_WASM_ISA: 'relaxed-simd' }, ['--experimental-wasm-relaxed-simd']);
    assert.is(r.status, 0, r.out.slice(-3000));
    assert.is(r.passed, cases.length + 2);
  });
  test('3 threads pass the whole suite (child)', () => {
    const r = child({ QDEPLOY_WASM_THREADS: '3' }, []);
    assert.is(r.status, 0, r.out.slice(-3000));
    assert.is(r.passed, cases.length + 2);
  });
}

test.after(() => backend.dispose());
test.run();
