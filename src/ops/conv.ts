// conv2d / depthwise_conv2d (NCHW). Attribute defaults: PaddlePaddle/Paddle:paddle/fluid/operators/conv_op.cc
// (Conv2DOpMaker) and the oneDNN int8 attrs of conv_mkldnn_op.cc (spec 3.10, 4.4).
//   FP32: Output = act(conv(Input, Filter) + Bias [+ ResidualData]); Filter may be stored as int8 (legacy
//         `<w>.int8` weights of the 8-bit models): its values are used as floats.
//   INT8 (Input u8/s8, op marked mkldnn_data_type=int8 or use_quantizer): output fp32 when force_fp32_output,
//         else u8 when fuse_activation is relu/relu6, else s8.
import type { Op } from '../graph/op';
import type { DType } from '../util/dtype';
import { attrBool, attrInts, attrNum } from './attr';
import { convGeom, isIntType, markedInt8, prod } from './attrs';
import { registerSchema, type InferCtx, type ShapeInfo } from './schema';

const ATTRS = {
  strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1, padding_algorithm: 'EXPLICIT', data_format: 'NCHW',
  fuse_activation: '', fuse_alpha: 0, fuse_beta: 0, fuse_residual_connection: false,
  mkldnn_data_type: 'float32', use_quantizer: false,
  // the pre-2.0 activation attrs update_activations turns into fuse_activation (Conv2DOpMaker, 1.x / 2.0, .AsExtra())
  fuse_relu: false, fuse_brelu: false, fuse_brelu_threshold: 6,
  Scale_in: 1, Scale_out: 1, Scale_in_eltwise: 1, Scale_weights: [1], force_fp32_output: false,
};

/** relu6's upper bound for a conv with fuse_activation relu6, in real units. Paddle's default for fuse_alpha is 0
 * (conv_op.cc Conv2DOpMaker: AddAttr<float>("fuse_alpha").SetDefault(0.0f)); the fuse passes always write relu6's
 * threshold there (conv_activation_mkldnn_fuse_pass, update_activations: fuse_brelu_threshold), so 0 only means
 * "not set", and a relu6 then clamps at relu6's own default threshold, 6 (activation_op.cc Relu6OpMaker). */
export function relu6Bound(op: Op): number {
  const a = attrNum(op, 'fuse_alpha');
  return a === 0 ? 6 : a;
}

export function convOutDtype(c: InferCtx, x: ShapeInfo): DType {
  const op = c.op;
  if (!isIntType(x.dtype)) {
    if (x.dtype !== 'fp32') c.fail(`Input dtype ${x.dtype} is not supported`);
    return 'fp32';
  }
  if (!markedInt8(op)) c.fail(`Input is ${x.dtype} but the op is not marked int8 (mkldnn_data_type)`);
  if (attrBool(op, 'force_fp32_output')) return 'fp32';
  const act = op.str('fuse_activation', op.str('activation_type', ''));
  return act === 'relu' || act === 'relu6' ? 'uint8' : 'int8';
}

function infer(c: InferCtx): Record<string, ShapeInfo[]> {
  const x = c.req('Input'), w = c.req('Filter');
  const g = convGeom(c.op, x.dims, w.dims);
  const dims = [g.n, g.oc, g.oh, g.ow];
  const b = c.in('Bias');
  if (b && prod(b.dims) !== g.oc) c.fail(`Bias has ${prod(b.dims)} values, expected ${g.oc}`);
  if (attrBool(c.op, 'fuse_residual_connection')) {
    const r = c.in('ResidualData');
    if (!r) c.fail('fuse_residual_connection is set but ResidualData is missing');
    if (r.dims.join(',') !== dims.join(',')) c.fail(`ResidualData [${r.dims.join(',')}] does not match Output [${dims.join(',')}]`);
  }
  const sw = attrInts(c.op, 'Scale_weights');
  if (isIntType(x.dtype) && sw.length !== 1 && sw.length !== g.oc) c.fail(`Scale_weights has ${sw.length} values, expected 1 or ${g.oc}`);
  return { Output: [{ dtype: convOutDtype(c, x), dims }] };
}

for (const type of ['conv2d', 'depthwise_conv2d']) {
  registerSchema({ type, inputs: ['Input', 'Filter', 'Bias', 'ResidualData'], outputs: ['Output'], attrs: ATTRS, infer });
}
