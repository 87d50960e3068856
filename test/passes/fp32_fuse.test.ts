// The FP32 optimisation passes, each on a small graph with the expected graph and folded values written out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convActivationMkldnnFusePass } from '../../src/passes/conv_activation_mkldnn_fuse_pass';
import { convBiasMkldnnFusePass } from '../../src/passes/conv_bias_mkldnn_fuse_pass';
import { convBnFusePass } from '../../src/passes/conv_bn_fuse_pass';
import { convEltwiseAddBnFusePass } from '../../src/passes/conv_eltwiseadd_bn_fuse_pass';
import { convElementwiseAddMkldnnFusePass } from '../../src/passes/conv_elementwise_add_mkldnn_fuse_pass';
import { depthwiseConvMkldnnPass } from '../../src/passes/depthwise_conv_mkldnn_pass';
import { fcFusePass } from '../../src/passes/fc_fuse_pass';
import { isTestPass } from '../../src/passes/is_test_pass';
import { mapMatmulToMulPass } from '../../src/passes/map_matmul_to_mul_pass';
import { mkldnnPlacementPass } from '../../src/passes/mkldnn_placement_pass';
import { PassContext, runPipeline, type Pass } from '../../src/passes/pass';
import { updateActivations } from '../../src/passes/update_activations';
import { renameInplaceOutputs } from '../../src/passes/rename_inplace_outputs';
import { build, f32, show, type OpSpec, type ParamSpec } from './util';

const run = (g: ReturnType<typeof build>, ...passes: Pass[]) => { const ctx = new PassContext(); runPipeline(g, passes, ctx); return ctx; };

const BN: Record<string, ParamSpec> = {
  w: { dims: [2, 1, 1, 1], data: [1, 2] },
  'bn.scale': { dims: [2], data: [2, 3] }, 'bn.bias': { dims: [2], data: [0.5, -1] },
  'bn.mean': { dims: [2], data: [1, 0] }, 'bn.var': { dims: [2], data: [15, 3] },
};
const bnOp = (x: string): OpSpec => ({
  type: 'batch_norm',
  inputs: { X: [x], Scale: ['bn.scale'], Bias: ['bn.bias'], Mean: ['bn.mean'], Variance: ['bn.var'] },
  outputs: { Y: ['y'], MeanOut: ['bn.mean'], VarianceOut: ['bn.var'], SavedMean: ['sm'], SavedVariance: ['sv'] },
  attrs: { epsilon: 1.0, is_test: false },
});

test('conv_bn_fuse_pass: alpha = scale/sqrt(var+eps) = [0.5, 1.5]; W·alpha; bias = (0 − mean)·alpha + beta', () => {
  const g = build([{ type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] } }, bnOp('c')], BN);
  run(g, convBnFusePass);
  assert.equal(show(g), ['conv2d(Input=x; Filter=w; Bias=w.bn_bias) -> (Output=y)']);
  assert.equal(f32(g, 'w'), [0.5, 3]);
  assert.equal(f32(g, 'w.bn_bias'), [-0.5 + 0.5, -1]);
  assert.ok(g.var('w.bn_bias')!.persistable);
  assert.is(g.var('bn.mean'), undefined);
});

test('conv_eltwiseadd_bn_fuse_pass then conv_bias_mkldnn_fuse_pass: the bias add becomes the conv Bias', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] } },
    { type: 'elementwise_add', inputs: { X: ['c'], Y: ['b'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    bnOp('a'),
  ], { ...BN, b: { dims: [2], data: [1, 2] } });
  run(g, convBnFusePass, convEltwiseAddBnFusePass);
  assert.equal(show(g), ['conv2d(Input=x; Filter=w) -> (Output=c)', 'elementwise_add(X=c; Y=b) -> (Out=y)']);
  assert.equal(f32(g, 'b'), [(1 - 1) * 0.5 + 0.5, (2 - 0) * 1.5 - 1]);
  assert.equal(f32(g, 'w'), [0.5, 3]);
  run(g, convBiasMkldnnFusePass);
  assert.equal(show(g), ['conv2d(Input=x; Filter=w; Bias=b) -> (Output=y)']);
});

test('conv_bias_mkldnn_fuse_pass: adds to an existing Bias; leaves an axis -1 add and a non-parameter Y alone', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'], Bias: ['b0'] }, outputs: { Output: ['c'] } },
    { type: 'elementwise_add', inputs: { X: ['c'], Y: ['b'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    { type: 'conv2d', inputs: { Input: ['a'], Filter: ['w'] }, outputs: { Output: ['c2'] } },
    { type: 'elementwise_add', inputs: { X: ['c2'], Y: ['b'] }, outputs: { Out: ['a2'] }, attrs: { axis: -1 } },
    { type: 'conv2d', inputs: { Input: ['a2'], Filter: ['w'] }, outputs: { Output: ['c3'] } },
    { type: 'elementwise_add', inputs: { X: ['c3'], Y: ['a2'] }, outputs: { Out: ['a3'] }, attrs: { axis: 1 } },
  ], { w: { dims: [2, 2, 1, 1], data: [1, 2, 3, 4] }, b0: { dims: [2], data: [0.25, 0.5] }, b: { dims: [2], data: [1, 2] } });
  run(g, convBiasMkldnnFusePass);
  assert.equal(show(g), [
    'conv2d(Input=x; Filter=w; Bias=b0) -> (Output=a)',
    'conv2d(Input=a; Filter=w) -> (Output=c2)',
    'elementwise_add(X=c2; Y=b) -> (Out=a2)',
    'conv2d(Input=a2; Filter=w) -> (Output=c3)',
    'elementwise_add(X=c3; Y=a2) -> (Out=a3)',
  ]);
  assert.equal(f32(g, 'b0'), [1.25, 2.5]);
});

test('conv_elementwise_add_mkldnn_fuse_pass: identity residual (conv as Y) and projection (long-branch conv fused)', () => {
  const w = { dims: [2, 2, 1, 1], data: [1, 0, 0, 1] };
  const g = build([
    // identity block: r = x + conv(relu(conv(x)))
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c1'] } },
    { type: 'relu', inputs: { X: ['c1'] }, outputs: { Out: ['r1'] } },
    { type: 'conv2d', inputs: { Input: ['r1'], Filter: ['w'] }, outputs: { Output: ['c2'] } },
    { type: 'elementwise_add', inputs: { X: ['x'], Y: ['c2'] }, outputs: { Out: ['s1'] }, attrs: { axis: -1 } },
    // projection block: s2 = convP(s1) + convB(relu(convA(s1)))
    { type: 'conv2d', inputs: { Input: ['s1'], Filter: ['w'] }, outputs: { Output: ['p'] } },
    { type: 'conv2d', inputs: { Input: ['s1'], Filter: ['w'] }, outputs: { Output: ['ca'] } },
    { type: 'relu', inputs: { X: ['ca'] }, outputs: { Out: ['ra'] } },
    { type: 'conv2d', inputs: { Input: ['ra'], Filter: ['w'] }, outputs: { Output: ['cb'] } },
    { type: 'elementwise_add', inputs: { X: ['p'], Y: ['cb'] }, outputs: { Out: ['s2'] }, attrs: { axis: -1 } },
  ], { w }, { x: [1, 2, 4, 4], c2: [1, 2, 4, 4], p: [1, 2, 4, 4], cb: [1, 2, 4, 4] });
  run(g, convElementwiseAddMkldnnFusePass);
  assert.equal(show(g, ['fuse_residual_connection']), [
    'conv2d(Input=x; Filter=w) -> (Output=c1)',
    'relu(X=c1) -> (Out=r1)',
    'conv2d(Input=r1; Filter=w; ResidualData=x) -> (Output=s1) fuse_residual_connection=true',
    'conv2d(Input=s1; Filter=w) -> (Output=p)',
    'conv2d(Input=s1; Filter=w) -> (Output=ca)',
    'relu(X=ca) -> (Out=ra)',
    'conv2d(Input=ra; Filter=w; ResidualData=p) -> (Output=s2) fuse_residual_connection=true',
  ]);
});

test('conv_activation_mkldnn_fuse_pass: relu, relu6 (fuse_alpha = threshold), leaky_relu, hard_swish; not a shared output', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c1'] } },
    { type: 'relu', inputs: { X: ['c1'] }, outputs: { Out: ['a1'] } },
    { type: 'conv2d', inputs: { Input: ['a1'], Filter: ['w'] }, outputs: { Output: ['c2'] } },
    { type: 'relu6', inputs: { X: ['c2'] }, outputs: { Out: ['a2'] }, attrs: { threshold: 6.0 } },
    { type: 'conv2d', inputs: { Input: ['a2'], Filter: ['w'] }, outputs: { Output: ['c3'] } },
    { type: 'leaky_relu', inputs: { X: ['c3'] }, outputs: { Out: ['a3'] }, attrs: { alpha: 0.125 } },
    { type: 'conv2d', inputs: { Input: ['a3'], Filter: ['w'] }, outputs: { Output: ['c4'] } },
    { type: 'hard_swish', inputs: { X: ['c4'] }, outputs: { Out: ['a4'] } },
    { type: 'conv2d', inputs: { Input: ['a4'], Filter: ['w'] }, outputs: { Output: ['c5'] } },
    { type: 'relu', inputs: { X: ['c5'] }, outputs: { Out: ['a5'] } },
    { type: 'softmax', inputs: { X: ['c5'] }, outputs: { Out: ['a6'] } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] } });
  run(g, convActivationMkldnnFusePass);
  assert.equal(show(g, ['fuse_activation', 'fuse_alpha', 'fuse_beta']), [
    'conv2d(Input=x; Filter=w) -> (Output=a1) fuse_activation=relu',
    'conv2d(Input=a1; Filter=w) -> (Output=a2) fuse_activation=relu6 fuse_alpha=6',
    'conv2d(Input=a2; Filter=w) -> (Output=a3) fuse_activation=leaky_relu fuse_alpha=0.125',
    'conv2d(Input=a3; Filter=w) -> (Output=a4) fuse_activation=hard_swish fuse_alpha=0.166667 fuse_beta=0.5',
    'conv2d(Input=a4; Filter=w) -> (Output=c5)',
    'relu(X=c5) -> (Out=a5)',
    'softmax(X=c5) -> (Out=a6)',
  ]);
  assert.is(g.ops[1].attrRecord('fuse_alpha')!.type, 1); // FLOAT, even for 6
});

test('map_matmul_to_mul_pass + fc_fuse_pass: matmul(2-D, weight) + bias add + relu → fc; new op id', () => {
  const g = build([
    { type: 'matmul', inputs: { X: ['x'], Y: ['w'] }, outputs: { Out: ['m'] }, attrs: { transpose_X: false, transpose_Y: false, alpha: 1.0 } },
    { type: 'elementwise_add', inputs: { X: ['m'], Y: ['b'] }, outputs: { Out: ['a'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['a'] }, outputs: { Out: ['r'] } },
    { type: 'mul', inputs: { X: ['r'], Y: ['w2'] }, outputs: { Out: ['m2'] }, attrs: { x_num_col_dims: 1, y_num_col_dims: 1 } },
    { type: 'elementwise_add', inputs: { X: ['m2'], Y: ['b2'] }, outputs: { Out: ['o'] }, attrs: { axis: -1 } },
  ], {
    w: { dims: [3, 2], data: [1, 2, 3, 4, 5, 6] }, b: { dims: [2], data: [1, 1] },
    w2: { dims: [2, 2], data: [1, 0, 0, 1] }, b2: { dims: [1, 2], data: [0, 1] },
  }, { x: [-1, 3] });
  const before = g.idCounter;
  run(g, mapMatmulToMulPass, fcFusePass);
  assert.equal(show(g, ['in_num_col_dims', 'activation_type', 'padding_weights']), [
    'fc(Input=x; W=w; Bias=b) -> (Out=r) in_num_col_dims=1 activation_type=relu padding_weights=false',
    'fc(Input=r; W=w2; Bias=b2) -> (Out=o) in_num_col_dims=1 activation_type= padding_weights=false',
  ]);
  assert.ok(g.ops.every((o) => o.id >= before));
});

test('update_activations, is_test_pass, mkldnn_placement_pass, depthwise_conv_mkldnn_pass', () => {
  const g = build([
    { type: 'depthwise_conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['c'] }, attrs: { groups: 2, fuse_relu: true } },
    { type: 'conv2d', inputs: { Input: ['c'], Filter: ['w'] }, outputs: { Output: ['d'] }, attrs: { fuse_brelu: true, fuse_brelu_threshold: 4.0 } },
    { type: 'batch_norm', inputs: { X: ['d'] }, outputs: { Y: ['e'] }, attrs: { is_test: false } },
  ], { w: { dims: [2, 1, 1, 1], data: [1, 1] } });
  run(g, updateActivations, isTestPass, mkldnnPlacementPass, depthwiseConvMkldnnPass);
  assert.equal(show(g, ['fuse_activation', 'fuse_alpha', 'is_test', 'use_mkldnn']), [
    'conv2d(Input=x; Filter=w) -> (Output=c) fuse_activation=relu use_mkldnn=true',
    'conv2d(Input=c; Filter=w) -> (Output=d) fuse_activation=relu6 fuse_alpha=4 use_mkldnn=true',
    'batch_norm(X=d) -> (Y=e) is_test=true use_mkldnn=true',
  ]);
  assert.is(g.ops[0].id, 0); // renamed in place: the id stays
});

test('rename_inplace_outputs: an in-place relu writes a fresh var, later readers follow; then conv+bias+relu fuse', () => {
  const g = build([
    { type: 'conv2d', inputs: { Input: ['x'], Filter: ['w'] }, outputs: { Output: ['t0'] } },
    { type: 'elementwise_add', inputs: { X: ['t0'], Y: ['b'] }, outputs: { Out: ['t1'] }, attrs: { axis: 1 } },
    { type: 'relu', inputs: { X: ['t1'] }, outputs: { Out: ['t1'] } },
    { type: 'pool2d', inputs: { X: ['t1'] }, outputs: { Out: ['p'] } },
    { type: 'batch_norm', inputs: { X: ['p'], Mean: ['m'] }, outputs: { Y: ['y'], MeanOut: ['m'] } },
  ], { w: { dims: [1, 1, 1, 1], data: [1] }, b: { dims: [1], data: [0] }, m: { dims: [1], data: [0] } });
  run(g, renameInplaceOutputs);
  assert.equal(show(g).slice(2), [
    'relu(X=t1) -> (Out=t1.relu_4)',
    'pool2d(X=t1.relu_4) -> (Out=p)',
    'batch_norm(X=p; Mean=m) -> (Y=y; MeanOut=m)',
  ]);
  run(g, convBiasMkldnnFusePass, convActivationMkldnnFusePass);
  assert.equal(show(g, ['fuse_activation']).slice(0, 2), [
    'conv2d(Input=x; Filter=w; Bias=b) -> (Output=t1.relu_4) fuse_activation=relu',
    'pool2d(X=t1.relu_4) -> (Out=p)',
  ]);
});

test.run();
