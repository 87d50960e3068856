// The list of Paddle's op types decides how an op without a schema is named: real Paddle ops that qdeploy cannot
// run are "not supported yet", only types Paddle lacks are "unknown".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/ops/all';
import { knownOpTypes } from '../../src/ops/schema';
import { PADDLE_OP_TYPES, isPaddleOpType, unsupportedOpType } from '../../src/ops/paddle_op_types';

test('every op type qdeploy has a schema for is one of Paddle\'s (the list is not missing the common ones)', () => {
  const ours = knownOpTypes();
  assert.ok(ours.length > 40, `${ours.length} schemas`);
  assert.equal(ours.filter((t) => !isPaddleOpType(t)), []);
});

test('detection, RNN and fused ops of real inference programs are Paddle ops; gradients of them too', () => {
  for (const t of ['prior_box', 'density_prior_box', 'multiclass_nms', 'multiclass_nms3', 'fusion_gru', 'fusion_lstm', 'yolo_box',
    'roi_align', 'lstm', 'gru', 'box_coder', 'matrix_nms', 'conv2d_transpose', 'hard_swish', 'bilinear_interp_v2', 'layer_norm',
    'multihead_matmul', 'fc', 'quantize_linear', 'conv2d_grad', 'relu_grad_grad']) {
    assert.ok(isPaddleOpType(t), t);
  }
  for (const t of ['frobnicate', 'warp_ctc', 'Conv2D', 'conv2d ', '', '_grad', 'relu7']) assert.not.ok(isPaddleOpType(t), JSON.stringify(t));
  assert.ok(PADDLE_OP_TYPES.size > 500, `${PADDLE_OP_TYPES.size} names`);
});

test('the phrase names the type and id, and says which of the two it is', () => {
  assert.is(unsupportedOpType('prior_box', 7), "op type 'prior_box' (id 7) is a Paddle op qdeploy does not support yet");
  assert.match(unsupportedOpType('frobnicate', 12), /^op type 'frobnicate' \(id 12\) is unknown: Paddle has no such op/);
});

test.run();
