// gather_weight_thresholds_from_fake, gather_input_scales_from_fake, gather_output_scales_from_attr,
// check_fake_dialects, label_skip_quantized_op on hand-built quant graphs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFakeDialects } from '../../src/passes/check_fake_dialects';
import { gatherInputScales } from '../../src/passes/gather_input_scales';
import { gatherOutputScales } from '../../src/passes/gather_output_scales';
import { gatherWeightThresholds } from '../../src/passes/gather_weight_thresholds';
import { labelSkipQuantizedOp } from '../../src/passes/label_skip_quantized_op';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { QdeployError } from '../../src/util/errors';
import { build, show, type ParamSpec } from './util';

const GATHER = [checkFakeDialects, labelSkipQuantizedOp, gatherWeightThresholds, gatherInputScales, gatherOutputScales];

/** frozen QAT layout: act → fake quant → conv (integer weights) → channel-wise dequant → relu → fake quant → conv */
function frozen(xScale: number[] = [2]) {
  const params: Record<string, ParamSpec> = {
    'x.scale': { dims: [1], data: xScale },
    w: { dims: [2, 1, 1, 1], data: [127, -64] },
    'w.scale': { dims: [2], data: [0.5, 0.25] },
    'r.scale': { dims: [1], data: [8] },
    w2: { dims: [1, 2, 1, 1], data: [3, 5] },
  };
  return build([
    { type: 'fake_quantize_moving_average_abs_max', inputs: { X: ['x'], InScale: ['x.scale'] }, outputs: { Out: ['x.q'], OutScale: ['x.scale'] }, attrs: { bit_length: 8, is_test: true } },
    { type: 'conv2d', inputs: { Input: ['x.q'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'fake_channel_wise_dequantize_max_abs', inputs: { X: ['c'], Scales: ['w.scale', 'x.scale'] }, outputs: { Out: ['c.dq'] }, attrs: { quant_bits: [8, 8] } },
    { type: 'relu', inputs: { X: ['c.dq'] }, outputs: { Out: ['r'] }, attrs: { out_threshold: 4.0 } },
    { type: 'fake_quantize_range_abs_max', inputs: { X: ['r'], InScale: ['r.scale'] }, outputs: { Out: ['r.q'], OutScale: ['r.scale'] }, attrs: { bit_length: 8 } },
    { type: 'conv2d', inputs: { Input: ['r.q'], Filter: ['w2'] }, outputs: { Output: ['c2'] }, attrs: { out_threshold: 10.0 } },
    { type: 'fake_dequantize_max_abs', inputs: { X: ['c2'], Scale: ['r.scale'] }, outputs: { Out: ['c2.dq'] }, attrs: { max_range: 127 * 127 / 5 } },
  ], params);
}

const scaleOf = (ctx: PassContext, n: string) => { const e = ctx.scales.get(n); return e && { unsigned: e.unsigned, scale: Array.from(e.scale) }; };

test('weight thresholds: Scales[0] per channel, 127·127/max_range per tensor, keyed by the dequantized var', () => {
  const g = frozen();
  const ctx = new PassContext();
  runPipeline(g, GATHER, ctx);
  assert.equal(Array.from(ctx.weightThresholds.get('c')!), [0.5, 0.25]);
  const t2 = ctx.weightThresholds.get('c2')!;
  assert.is(t2.length, 1);
  assert.ok(Math.abs(t2[0] - 5) < 1e-12, String(t2[0]));
});

test('activation scales: 1/InScale for X and Out; fake-op scale wins over out_threshold; out_threshold fills the rest', () => {
  const g = frozen();
  const ctx = new PassContext();
  runPipeline(g, GATHER, ctx);
  assert.equal(scaleOf(ctx, 'x'), { unsigned: false, scale: [0.5] });
  assert.equal(scaleOf(ctx, 'x.q'), { unsigned: false, scale: [0.5] });
  assert.equal(scaleOf(ctx, 'r'), { unsigned: false, scale: [1 / 8] }); // not 1/4 from relu's out_threshold
  assert.equal(scaleOf(ctx, 'c2'), { unsigned: false, scale: [1 / 10] });
  assert.is(ctx.scales.has('c'), false);
  // the program is untouched by gathering
  assert.equal(show(g).length, 7);
  assert.is(g.ops[1].hasAttr('skip_quant'), false);
});

test('bad scale vars: missing, NaN, zero — one-line errors naming op and var', () => {
  const cases: [number[] | undefined, RegExp][] = [
    [undefined, /op fake_quantize_moving_average_abs_max\(0\): scale var 'x\.scale' \(slot InScale\) is missing/],
    [[NaN], /op fake_quantize_moving_average_abs_max\(0\): scale var 'x\.scale' holds NaN/],
    [[0], /op fake_quantize_moving_average_abs_max\(0\): scale var 'x\.scale' holds 0 \(an activation threshold must be > 0\)/],
  ];
  for (const [v, re] of cases) {
    const g = frozen(v ?? [1]);
    if (!v) g.params.delete('x.scale');
    try {
      runPipeline(g, GATHER, new PassContext());
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, QdeployError);
      assert.match((e as Error).message, re);
      assert.not.match((e as Error).message, /\n/);
    }
  }
});

test('unknown fake-quant dialect, bit_length 4, and an already-INT8 program are refused', () => {
  const unknown = build([{ type: 'fake_quantize_log_max', inputs: { X: ['a'] }, outputs: { Out: ['b'] } }]);
  assert.throws(() => runPipeline(unknown, GATHER, new PassContext()), /op fake_quantize_log_max\(0\): unknown fake-quant dialect 'fake_quantize_log_max'/);
  const bits = build([{ type: 'fake_quantize_range_abs_max', inputs: { X: ['a'], InScale: ['s'] }, outputs: { Out: ['b'] }, attrs: { bit_length: 4 } }], { s: { dims: [1], data: [1] } });
  assert.throws(() => runPipeline(bits, GATHER, new PassContext()), /bit_length 4 is not supported/);
  const int8 = build([{ type: 'quantize', inputs: { Input: ['a'] }, outputs: { Output: ['b'] }, attrs: { Scale: 3.5 } }]);
  assert.throws(() => runPipeline(int8, GATHER, new PassContext()), /op quantize\(0\): the model already holds oneDNN quantize ops/);
});

test('label_skip_quantized_op: a conv without quantization_type fed by a non-fake op gets skip_quant', () => {
  const g = build([
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['b'] } },
    { type: 'conv2d', inputs: { Input: ['b'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'conv2d', inputs: { Input: ['b'], Filter: ['w'] }, outputs: { Output: ['d'] }, attrs: { quantization_type: 'qat_with_weight' } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  runPipeline(g, [labelSkipQuantizedOp], new PassContext());
  assert.equal(show(g, ['skip_quant']), [
    'relu(X=a) -> (Out=b)',
    'conv2d(Input=b; Filter=w) -> (Output=c) skip_quant=true',
    'conv2d(Input=b; Filter=w) -> (Output=d)',
  ]);
});

test.run();
