// A model whose every op the native backend runs: INT8 conv 3×3 → depthwise s2 (relu6) → conv 1×1 with a
// residual → fc with f32 output, as convert emits them (u8 activations between ops, fp32 weights quantized by
// Scale_weights). On native it must equal the reference byte for byte (and the fp32 output exactly, as the
// epilogue is the contract's), at batch 1 and 3, on 1 and 2 threads: activations pass between native ops
// through the arena, NHWC, with no reorder between them. The last conv's output is fetched too (a 4-D graph
// output): the runtime reorders exactly twice, the input to NHWC and that output back, and the ops none.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../../src/graph/graph';
import { Var } from '../../../src/graph/var';
import type { AttrValue } from '../../../src/graph/op';
import { compile } from '../../../src/runtime/compile';
import { loadDnnlAddon } from '../../../src/backends/native/addon';
import { NativeBackend } from '../../../src/backends/native/backend';
import { referenceBackend } from '../../../src/backends/reference/backend';
import type { Backend } from '../../../src/runtime/backend';
import { rng } from '../../kernels/harness';
import { skipTest } from '../../skip';

function chain(batch: number): { g: Graph; x: Uint8Array } {
  const r = rng(20261208);
  const g = new Graph();
  const v = (name: string, dtype: 'fp32' | 'uint8', dims: number[], param = false) => g.addVar(Var.create(name, dtype, dims, param));
  const param = (name: string, dims: number[], lo: number, hi: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
    v(name, 'fp32', dims, true);
    g.params.set(name, { dtype: 'fp32', dims, data });
  };
  const scales = (n: number) => Array.from({ length: n }, (_, c) => 90 + ((c * 53) % 170));
  v('feed', 'fp32', []); v('fetch', 'fp32', []); v('fetch_c', 'fp32', []);
  v('x', 'uint8', [batch, 8, 9, 9]);
  for (const [n, d] of [['a', [batch, 16, 9, 9]], ['b', [batch, 16, 5, 5]], ['c', [batch, 16, 5, 5]]] as const) v(n, 'uint8', [...d]);
  v('y', 'fp32', [batch, 10]);
  param('w1', [16, 8, 3, 3], -0.8, 0.8); param('b1', [16], -2, 2);
  param('w2', [16, 1, 3, 3], -0.8, 0.8); param('b2', [16], -2, 2);
  param('w3', [16, 16, 1, 1], -0.8, 0.8); param('b3', [16], -2, 2);
  param('w4', [400, 10], -0.5, 0.5); param('b4', [10], -1, 1);
  const q = (si: number, so: number, n: number): Record<string, AttrValue> => ({ mkldnn_data_type: 'int8', Scale_in: si, Scale_out: so, Scale_weights: scales(n) });
  g.append(g.makeOp({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] }, attrs: { col: 0 } }));
  g.append(g.makeOp({ type: 'conv2d', inputs: { Input: ['x'], Filter: ['w1'], Bias: ['b1'] }, outputs: { Output: ['a'] },
    attrs: { strides: [1, 1], paddings: [1, 1], dilations: [1, 1], groups: 1, fuse_activation: 'relu', ...q(40.5, 22.25, 16) } }));
  g.append(g.makeOp({ type: 'depthwise_conv2d', inputs: { Input: ['a'], Filter: ['w2'], Bias: ['b2'] }, outputs: { Output: ['b'] },
    attrs: { strides: [2, 2], paddings: [1, 1], dilations: [1, 1], groups: 16, fuse_activation: 'relu6', fuse_alpha: 6, ...q(22.25, 30.5, 16) } }));
  g.append(g.makeOp({ type: 'conv2d', inputs: { Input: ['b'], Filter: ['w3'], Bias: ['b3'], ResidualData: ['b'] }, outputs: { Output: ['c'] },
    attrs: { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1, fuse_activation: 'relu', fuse_residual_connection: true, Scale_in_eltwise: 30.5, ...q(30.5, 18.75, 16) } }));
  g.append(g.makeOp({ type: 'fc', inputs: { Input: ['c'], W: ['w4'], Bias: ['b4'] }, outputs: { Out: ['y'] },
    attrs: { in_num_col_dims: 1, activation_type: '', ...q(18.75, 1, 10) } }));
  g.append(g.makeOp({ type: 'fetch', inputs: { X: ['y'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } }));
  g.append(g.makeOp({ type: 'fetch', inputs: { X: ['c'] }, outputs: { Out: ['fetch_c'] }, attrs: { col: 1 } }));
  g.source = 'native chain';
  const x = Uint8Array.from({ length: batch * 8 * 81 }, () => Math.floor(r() * 256));
  return { g, x };
}

function run(be: Backend, batch: number): { y: Float32Array; c: Uint8Array; kernels: string; reorderSteps: number } {
  const { g, x } = chain(batch);
  const plan = compile(g, be, { batch });
  const [y, c] = plan.run([x]);
  const kernels = plan.steps.map((s) => s.kernel.desc.kernel).join(' ');
  const reorderSteps = plan.steps.filter((s) => s.executor.name === 'runtime').length;
  plan.dispose();
  return { y: y.data as Float32Array, c: c.data as Uint8Array, kernels, reorderSteps };
}

const addon = loadDnnlAddon();
for (const threads of [1, 2]) {
  test(`an all-native INT8 chain equals the reference bit for bit (batch 1 and 3, ${threads} thread(s))`, () => {
    if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
    const native = new NativeBackend({ threads });
    for (const batch of [1, 3]) {
      const ref = run(referenceBackend(), batch), want = ref.y;
      const r0 = native.reorders();
      const got = run(native, batch);
      console.log(`  ${native.info().isa}, batch ${batch}, ${threads}t: ${got.kernels}`);
      assert.is(got.y.length, batch * 10);
      // the reference's answers are not all zero or equal (a chain that saturates everywhere would prove little)
      assert.ok(new Set(want).size > batch * 5, `${new Set(want).size} distinct outputs`);
      assert.equal(Array.from(got.y), Array.from(want));
      assert.ok(new Set(ref.c).size > 20, `${new Set(ref.c).size} distinct values in c`);
      assert.equal(Array.from(got.c), Array.from(ref.c));
      // the reference declares no layouts; on native: the graph input in and c out, nothing inside the ops
      assert.is(ref.reorderSteps, 0);
      assert.is(got.reorderSteps, 2, got.kernels);
      assert.match(got.kernels, /^reorder_nchw_to_nhwc_u8 .* reorder_nhwc_to_nchw_u8$/);
      assert.is(native.reorders() - r0, 0);
    }
  });
}

if (!process.env.QDEPLOY_NATIVE_MODEL_CHILD) {
  test('the same chain at the avx2 cap (child process; split 7-bit weights where oneDNN would saturate)', () => {
    if (!addon.addon) { skipTest(`native addon not built: ${addon.reason}`); return; }
    const r = spawnSync(process.execPath, ['-r', 'esbuild-register', __filename], {
      encoding: 'utf8', env: { ...process.env, QDEPLOY_NATIVE_MODEL_CHILD: '1', DNNL_MAX_CPU_ISA: 'AVX2', ONEDNN_MAX_CPU_ISA: 'AVX2', FORCE_COLOR: '0' },
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.is(r.status, 0, out.slice(-3000));
    assert.match(out, /Passed:\s+2\b/);
    assert.match(out, /avx2, batch 3, 2t: .*_split7\[/);
    for (const m of out.matchAll(/avx2, batch \d, \dt: [^\n]*/g)) console.log(`  ${m[0]}`);
  });
}

test.run();
