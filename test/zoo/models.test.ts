// The zoo architectures: Paddle model zoo layer structure (op histograms, depthwise convs via groups, residual
// adds, parameter names), deterministic weights, bounded activations, shapes through the runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../../src/zoo/models';
import { postTrainingQuantize } from '../../src/quant';
import { Rng, syntheticImage } from '../../src/zoo/prng';
import { inferSpecs } from '../../src/runtime/compile';
import { referenceBackend } from '../../src/backends/reference/backend';

// PaddleSlim's PTQ layout of MobileNetV2 (default quantizable types, range_abs_max activations, channel-wise weights)
const QUANT_HIST_V2: Record<string, number> = {
  feed: 1, fake_quantize_range_abs_max: 54, conv2d: 53, fake_channel_wise_dequantize_max_abs: 54, batch_norm: 53, relu6: 36,
  elementwise_add: 11, pool2d: 1, mul: 1, softmax: 1, fetch: 1,
};
const hist = (m: 'resnet50' | 'mobilenet_v1' | 'mobilenet_v2') => Object.fromEntries(buildZooModel(m, { imageSize: 64 }).opHistogram());

test('ResNet50: 53 conv+bn, 16 bottlenecks with residual add+relu, 4 projection shortcuts, fc, softmax', () => {
  assert.equal(hist('resnet50'), { feed: 1, conv2d: 53, batch_norm: 53, relu: 49, pool2d: 2, elementwise_add: 17, mul: 1, softmax: 1, fetch: 1 });
  const g = buildZooModel('resnet50');
  for (const n of ['conv1_weights', 'bn_conv1_scale', 'bn_conv1_offset', 'bn_conv1_mean', 'bn_conv1_variance', 'res2a_branch1_weights', 'bn2a_branch1_scale', 'res5c_branch2c_weights', 'bn5c_branch2c_variance', 'fc_0.w_0', 'fc_0.b_0']) {
    assert.ok(g.param(n), n);
  }
  assert.equal(g.param('res4f_branch2b_weights')!.dims, [256, 256, 3, 3]);
  assert.equal(g.param('fc_0.w_0')!.dims, [2048, 1000]);
  const params = [...g.params.values()].reduce((s, t) => s + t.data.length, 0);
  assert.is(params, 25610152); // ResNet-50's 25.6M parameters (BN stats included)
  const { specs } = inferSpecs(g, { batch: 2 });
  assert.equal(specs.get(g.fetches()[0].name)!.dims, [2, 1000]);
  const pool = g.ops.find((o) => o.type === 'pool2d' && o.str('pooling_type', '') === 'max')!;
  assert.equal(specs.get(pool.output('Out')!)!.dims, [2, 64, 56, 56]);
});

test('MobileNetV1: 13 depthwise (groups = channels) + 14 pointwise/full convs; MobileNetV2: 17 inverted residuals, relu6, 10 residual adds', () => {
  assert.equal(hist('mobilenet_v1'), { feed: 1, conv2d: 27, batch_norm: 27, relu: 27, pool2d: 1, mul: 1, elementwise_add: 1, softmax: 1, fetch: 1 });
  assert.equal(hist('mobilenet_v2'), { feed: 1, conv2d: 53, batch_norm: 53, relu6: 36, elementwise_add: 11, pool2d: 1, mul: 1, softmax: 1, fetch: 1 });
  const v1 = buildZooModel('mobilenet_v1', { imageSize: 64 });
  const dw = v1.ops.filter((o) => o.type === 'conv2d' && o.num('groups', 1) > 1);
  assert.is(dw.length, 13);
  for (const o of dw) assert.is(v1.param(o.input('Filter')!)!.dims[1], 1, `${o.label} is depthwise`);
  assert.equal(dw.map((o) => o.num('groups', 1)), [32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024]);
  const v2 = buildZooModel('mobilenet_v2', { imageSize: 64 });
  assert.is(v2.ops.filter((o) => o.type === 'conv2d' && o.num('groups', 1) > 1).length, 17);
  for (const n of ['conv1_1_weights', 'conv1_1_bn_scale', 'conv2_1_expand_weights', 'conv2_1_dwise_weights', 'conv2_1_linear_weights', 'conv8_1_linear_weights', 'conv9_weights', 'fc10_weights', 'fc10_offset']) assert.ok(v2.param(n), n);
  assert.equal(v2.param('conv8_1_linear_weights')!.dims, [320, 960, 1, 1]);
});

test('weights are deterministic per seed and differ across seeds', () => {
  const a = buildZooModel('mobilenet_v1', { imageSize: 64 }).param('conv5_3_sep_weights')!.data as Float32Array;
  const b = buildZooModel('mobilenet_v1', { imageSize: 64 }).param('conv5_3_sep_weights')!.data as Float32Array;
  const c = buildZooModel('mobilenet_v1', { imageSize: 64, seed: 99 }).param('conv5_3_sep_weights')!.data as Float32Array;
  assert.equal(Array.from(a.slice(0, 16)), Array.from(b.slice(0, 16)));
  assert.not.equal(Array.from(a.slice(0, 16)), Array.from(c.slice(0, 16)));
  const r = new Rng(42);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length, v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(v - 1) < 0.05, `N(0,1): mean ${mean} var ${v}`);
});

test('activations stay bounded through MobileNetV2 and ResNet50 (BN stats sane); src/quant writes one fake quant/dequant pair per conv and fc', async () => {
  const rng = new Rng(5);
  const imgs = [syntheticImage(rng, 3, 64, 64)];
  for (const m of ['mobilenet_v2', 'resnet50'] as const) {
    const g = buildZooModel(m, { imageSize: 64 });
    const r = await postTrainingQuantize(g, referenceBackend(), async function* () { for (const im of imgs) yield { images: im, count: 1 }; }, { algo: 'abs_max', batches: 1 });
    const ranges = r.calibration.thresholds;
    const max = Math.max(...ranges.values());
    assert.ok(max < 100 && max > 1, `${m}: largest activation ${max}`);
    const fc = g.ops.find((o) => o.type === 'mul')!;
    assert.ok(ranges.get(fc.input('X')!)! > 0, 'pooled features are not all zero');
    const convs = g.ops.filter((o) => o.type === 'conv2d').length;
    assert.is(r.summary.quantizedOps, convs + 1, `${m}: every conv and the fc`);
    const h = Object.fromEntries(r.graph.opHistogram());
    assert.is(h.fake_channel_wise_dequantize_max_abs, convs + 1);
    assert.is(h.fake_quantize_range_abs_max, r.summary.fakeQuantOps);
    if (m === 'mobilenet_v2') {
      assert.equal(h, QUANT_HIST_V2);
      const w = r.graph.param('conv2_1_expand_weights')!.data as Float32Array;
      assert.ok(w.every((x) => Number.isInteger(x) && Math.abs(x) <= 127), 'weights are integers in [-127,127]');
      assert.ok(w.some((x) => Math.abs(x) === 127), 'each channel reaches ±127');
    }
  }
});

test.run();
