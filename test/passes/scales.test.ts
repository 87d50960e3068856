// compute_weight_scales, update_relu_output_scales, propagate_scales.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeWeightScales } from '../../src/passes/compute_weight_scales';
import { PassContext, runPipeline } from '../../src/passes/pass';
import { propagateScales } from '../../src/passes/propagate_scales';
import { updateReluOutputScales } from '../../src/passes/update_relu_output_scales';
import { build } from './util';

const entry = (ctx: PassContext, n: string) => { const e = ctx.scales.get(n); return e && [e.unsigned, ...Array.from(e.scale)]; };

test('compute_weight_scales: conv per output channel (1/max|W[c]|, all-zero → 0), fc per output column', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'fc', inputs: { Input: ['c'], W: ['fw'], Bias: ['fb'] }, outputs: { Out: ['o'] } },
  ], {
    w: { dims: [3, 1, 1, 2], data: [0.5, -2, 0, 0, 0.25, 0.125] },
    fw: { dims: [2, 3], data: [1, -4, 0.5, -2, 2, 0.25] }, fb: { dims: [3], data: [0, 0, 0] },
  });
  const ctx = new PassContext();
  runPipeline(g, [computeWeightScales], ctx);
  assert.equal(entry(ctx, 'w'), [false, 0.5, 0, 4]);
  assert.equal(entry(ctx, 'fw'), [false, 0.5, 0.25, 2]);
});

test('update_relu_output_scales: conv(relu) / fc(relu6) / relu outputs with a scale become unsigned; others untouched', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c1'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'conv2d', inputs: { Input: ['c1'], Filter: ['w'] }, outputs: { Output: ['c2'] }, attrs: { fuse_activation: 'relu' } },
    { type: 'conv2d', inputs: { Input: ['c2'], Filter: ['w'] }, outputs: { Output: ['c3'] }, attrs: { fuse_activation: 'leaky_relu' } },
    { type: 'fc', inputs: { Input: ['c3'], W: ['fw'] }, outputs: { Out: ['f'] }, attrs: { activation_type: 'relu6' } },
    { type: 'relu', inputs: { X: ['f'] }, outputs: { Out: ['r'] } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] }, fw: { dims: [1, 1], data: [1] } });
  const ctx = new PassContext();
  for (const n of ['c1', 'c3', 'f', 'r']) ctx.scales.set(n, { unsigned: false, scale: Float64Array.of(0.5) });
  runPipeline(g, [computeWeightScales, updateReluOutputScales], ctx);
  assert.equal(entry(ctx, 'c1'), [true, 0.5]);
  assert.is(entry(ctx, 'c2'), undefined); // no scale: nothing to mark
  assert.equal(entry(ctx, 'c3'), [false, 0.5]);
  assert.equal(entry(ctx, 'f'), [true, 0.5]);
  assert.equal(entry(ctx, 'r'), [true, 0.5]);
});

test('propagate_scales: pool2d/transpose2/reshape2 both ways, concat inputs from Out, scale op X = Out·scale, chains converge', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['a'] } },
    { type: 'pool2d', inputs: { X: ['a'] }, outputs: { Out: ['p'] }, attrs: { pooling_type: 'max' } },       // p ← t ← r (backwards)
    { type: 'transpose2', inputs: { X: ['p'] }, outputs: { Out: ['t'], XShape: ['t.xs'] } },
    { type: 'reshape2', inputs: { X: ['t'] }, outputs: { Out: ['r'], XShape: ['r.xs'] } },
    { type: 'concat', inputs: { X: ['r', 'b'] }, outputs: { Out: ['cat'] }, attrs: { axis: 1 } },
    { type: 'scale', inputs: { X: ['s_in'] }, outputs: { Out: ['s_out'] }, attrs: { scale: 4.0, bias: 0.0 } },
    { type: 'pool2d', inputs: { X: ['u'] }, outputs: { Out: ['v'] } },                                          // forwards
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  const ctx = new PassContext();
  ctx.scales.set('cat', { unsigned: true, scale: Float64Array.of(0.25) });
  ctx.scales.set('s_out', { unsigned: false, scale: Float64Array.of(0.5) });
  ctx.scales.set('u', { unsigned: false, scale: Float64Array.of(3) });
  runPipeline(g, [computeWeightScales, propagateScales], ctx);
  for (const n of ['r', 'b', 't', 'p', 'a']) assert.equal(entry(ctx, n), [true, 0.25], n);
  assert.equal(entry(ctx, 's_in'), [false, 2]);
  assert.equal(entry(ctx, 'v'), [false, 3]);
});

test.run();
