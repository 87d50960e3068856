// Issue 15 item 14: after every pass the op list is a topological order (Paddle's ir::Graph is sorted when it is
// written back), checked in runPipeline for convert's pipeline and the FP32 analysis pipeline alike. ResNet-50 in
// PaddleClas's op order (projection shortcut after branch2c) broke after the residual fuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceBackend } from '../../src/backends/reference/backend';
import { applyAnalysis } from '../../src/app/model_io';
import type { Graph } from '../../src/graph/graph';
import { PassContext, runPipeline, type Pass } from '../../src/passes/pass';
import { FP32_OPTIMIZATION, FP32_ANALYSIS, convertPipeline } from '../../src/passes/pipelines';
import { postTrainingQuantize } from '../../src/quant';
import { compile } from '../../src/runtime/compile';
import { buildZooModel } from '../../src/zoo/models';
import { Rng, syntheticImage } from '../../src/zoo/prng';
import { build, show } from './util';

const chain = () => build([
  { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
  { type: 'relu', inputs: { X: ['x'] }, outputs: { Out: ['a'] } },
  { type: 'sigmoid', inputs: { X: ['a'] }, outputs: { Out: ['b'] } },
  { type: 'fetch', inputs: { X: ['b'] }, outputs: { Out: ['fetch'] } },
]);

test('runPipeline re-sorts the op list after a pass that leaves a reader before its producer', () => {
  const g = chain();
  const moveLast: Pass = { name: 'move_relu_last', run(gr) { const r = gr.ops[1]; gr.removeOp(r); gr.append(r); } };
  const seen: string[][] = [];
  runPipeline(g, [moveLast], new PassContext(), [{ after: (_p, _i, gr) => seen.push(show(gr)) }]);
  // instruments (the --debug .dot dump) already see the sorted list
  assert.equal(seen[0], ['feed(X=feed) -> (Out=x)', 'relu(X=x) -> (Out=a)', 'sigmoid(X=a) -> (Out=b)', 'fetch(X=b) -> (Out=fetch)']);
});

test('a pass that leaves a cycle or a read of nothing is a one-line error naming the pass and the op', () => {
  const g = chain();
  const relu = g.ops[1].label, sig = g.ops[2].label;
  const loop: Pass = { name: 'make_loop', run(gr) { gr.ops[1].renameInput('x', 'b'); } };
  assert.throws(() => runPipeline(g, [loop], new PassContext()),
    (e: Error) => e.message === `after pass make_loop: op ${relu} is on a cycle (${sig} reads 'a', ${relu} reads 'b')`);
  const g2 = chain();
  const dangling: Pass = { name: 'drop_producer', run(gr) { gr.removeOp(gr.ops[1]); } };
  assert.throws(() => runPipeline(g2, [dangling], new PassContext()), (e: Error) => e.message === `after pass drop_producer: op ${sig} reads 'a', which no op writes`);
});

test('the model given to a pipeline is checked first: a structural fault there is the model\'s, not a pass\'s', () => {
  const g = build([
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['x'] } },
    { type: 'relu', inputs: { X: ['nowhere'] }, outputs: { Out: ['a'] } },
  ]);
  g.source = 'm/';
  assert.throws(() => runPipeline(g, [], new PassContext()),
    (e: Error & { code?: string }) => /^model m\/: op relu\(\d+\) reads 'nowhere', which no op writes$/.test(e.message) && e.code === 'format');
});

const images = (n: number, side: number) => { const rng = new Rng(3); return Array.from({ length: n }, () => syntheticImage(rng, 3, side, side)); };

function maxRel(a: Float32Array, b: Float32Array): number {
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / s;
}

const run1 = (g: Graph, img: Float32Array) => {
  const plan = compile(g, referenceBackend(), { batch: 1 });
  try { return plan.run([img])[0].data as Float32Array; } finally { plan.dispose(); }
};

test('zoo ResNet-50 (shortcut after branch2c): FP32 analysis passes give a runnable model with the same output', () => {
  const g = buildZooModel('resnet50', { imageSize: 64 });
  const [img] = images(1, 64);
  const want = run1(g, img);
  const opt = g.clone();
  const ctx = new PassContext();
  runPipeline(opt, FP32_ANALYSIS, ctx);
  assert.ok(ctx.log.some((l) => l.pass === 'conv_elementwise_add_mkldnn_fuse_pass' && l.kind === 'fused'), 'residual adds fused');
  const got = run1(opt, img);
  assert.ok(maxRel(got, want) < 1e-4, `FP32 analysis changed the output by ${maxRel(got, want)}`);
  assert.ok(FP32_ANALYSIS.length === FP32_OPTIMIZATION.length + 1);
  // bench/compare --use_analysis run the same pipeline
  const viaBench = g.clone();
  applyAnalysis(viaBench);
  assert.equal(Array.from(run1(viaBench, img)), Array.from(got));
});

test('zoo ResNet-50: quantize → convert gives an INT8 model that runs (16 residual adds fused into their convs)', async () => {
  const g = buildZooModel('resnet50', { imageSize: 64 });
  const imgs = images(2, 64);
  const r = await postTrainingQuantize(g, referenceBackend(), async function* () { for (const im of imgs) yield { images: im, count: 1 }; }, { algo: 'abs_max', batches: 2 });
  const int8 = r.graph.clone();
  const ctx = new PassContext();
  runPipeline(int8, convertPipeline({}), ctx);
  assert.is(int8.ops.filter((o) => o.type === 'conv2d' && o.bool('fuse_residual_connection', false)).length, 16);
  assert.is(int8.ops.filter((o) => o.type === 'conv2d' && o.str('mkldnn_data_type', '') === 'int8').length, 53);
  // the synthetic weights give a flat softmax, so how close INT8 comes is measured on the real models
  // (test/convert/onnx_format.test.ts); here: it runs and gives a probability vector
  const out = run1(int8, imgs[0]);
  assert.is(out.length, 1000);
  assert.ok(out.every((x) => x >= 0 && Number.isFinite(x)));
  assert.ok(Math.abs(out.reduce((s, x) => s + x, 0) - 1) < 1e-3);
});

test.run();
