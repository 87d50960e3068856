// The shared kernel suite on the wasm backend: INT8 bit-exact and FP32 within 1e-5 relative of the reference.
// This process runs the SIMD128 build on one thread; two child processes run the same suite on the relaxed-SIMD
// build (node --experimental-wasm-relaxed-simd, which Node 20 needs) and on 3 threads.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wasmBackend } from '../../src/backends/wasm/backend';
import type { WasmIsa } from '../../src/backends/wasm/loader';
import { kernelCases } from './cases';
import { kernelSuite, runCase } from './harness';

const isa = (process.env.QDEPLOY_WASM_ISA ?? 'simd128') as WasmIsa;
const threads = Number(process.env.QDEPLOY_WASM_THREADS ?? 1);
const backend = wasmBackend({ isa, threads });
const cases = kernelCases();

test(`backend reports ${isa}, ${threads} thread(s)`, () => {
  assert.is(backend.info().isa, isa);
  assert.is(backend.info().threads, threads);
});

kernelSuite(test, backend, cases);

test('conv/fc/pool/quant cases run on wasm kernels, not the reference fallback', () => {
  const want = ['conv2d', 'depthwise_conv2d', 'fc', 'pool2d', 'quantize', 'dequantize', 'requantize', 'concat', 'transpose2', 'elementwise_add', 'softmax'];
  for (const op of want) {
    const c = cases.find((k) => k.op === op && !k.name.includes('legacy'))!;
    const k = runCase(backend, c).kernel;
    assert.not.ok(k.startsWith('ref:'), `${c.name}: ${k}`);
  }
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
