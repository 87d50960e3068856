// The one list of ops that pass an INT8 scale through (src/ops/int8_scale.ts), as Paddle states it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { int8ScaleSource, SCALE_IMMUTABLE_OPS } from '../../src/ops/int8_scale';

test("Paddle 3.x's scale_immutable_ops (compute_propagate_scales_onednn_pass.cc) less fused_transpose, with UpdateScales' input slots", () => {
  assert.equal({ ...SCALE_IMMUTABLE_OPS }, {
    transpose2: 'X', reshape2: 'X', pool2d: 'X', slice: 'Input', shape: 'Input', nearest_interp: 'X', nearest_interp_v2: 'X', split: 'X',
  });
});

test('int8ScaleSource: the immutable ops and concat (inputs quantized at the output scale); ops with their own Scale_out: none', () => {
  assert.is(int8ScaleSource('pool2d'), 'X');
  assert.is(int8ScaleSource('slice'), 'Input');
  assert.is(int8ScaleSource('concat'), 'X');
  for (const t of ['conv2d', 'fc', 'matmul', 'quantize', 'requantize', 'elementwise_add', 'relu', 'squeeze2', 'flatten2']) {
    assert.is(int8ScaleSource(t), undefined, t);
  }
});

test.run();
