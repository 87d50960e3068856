// The batch_norm folding both conv+bn passes share (PaddlePaddle/Paddle:paddle/fluid/framework/ir/
// conv_bn_fuse_pass.cc recompute_bias_and_weights), in float32 as Paddle's Eigen arrays compute it:
//   alpha[c] = scale[c] / sqrt(var[c] + eps);  W[c,…] *= alpha[c];  b[c] = (b[c] − mean[c])·alpha[c] + beta[c]
import type { Graph } from '../graph/graph';
import type { Op } from '../graph/op';
import { attrNum, attrStr } from '../ops/attr';
import type { Tensor } from '../util/dtype';
import { QdeployError } from '../util/errors';

const f = Math.fround;

function f32Param(g: Graph, name: string | undefined, who: Op): Float32Array {
  const t = name ? g.param(name) : undefined;
  if (!t || t.dtype !== 'fp32') throw new QdeployError('format', `op ${who.label}: '${name}' is not a float32 parameter`);
  return t.data as Float32Array;
}

/** is `bn` a foldable inference batch_norm (all four statistics are parameters) */
export function isFoldableBn(g: Graph, bn: Op): boolean {
  if (bn.type !== 'batch_norm') return false;
  for (const s of ['Scale', 'Bias', 'Mean', 'Variance']) {
    const n = bn.input(s);
    if (!n || !g.isParam(n) || g.param(n)?.dtype !== 'fp32') return false;
  }
  const layout = attrStr(bn, 'data_layout');
  return layout === 'NCHW' || layout === 'AnyLayout';
}

/** fold `bn` into the conv filter (in place) and return the new bias values (float32) */
export function foldBn(g: Graph, conv: Op, bn: Op, bias: Float32Array | undefined): Float32Array {
  const wName = conv.input('Filter')!;
  const w = g.param(wName);
  if (!w || w.dtype !== 'fp32') throw new QdeployError('format', `op ${conv.label}: filter '${wName}' is not a float32 parameter`);
  const scale = f32Param(g, bn.input('Scale'), bn);
  const beta = f32Param(g, bn.input('Bias'), bn);
  const mean = f32Param(g, bn.input('Mean'), bn);
  const variance = f32Param(g, bn.input('Variance'), bn);
  const oc = w.dims[0];
  if (scale.length !== oc || beta.length !== oc || mean.length !== oc || variance.length !== oc || (bias && bias.length !== oc)) {
    throw new QdeployError('shape', `op ${bn.label}: statistics do not match the ${oc} output channels of ${conv.label}`);
  }
  const eps = f(attrNum(bn, 'epsilon'));
  const alpha = new Float32Array(oc);
  for (let c = 0; c < oc; c++) {
    alpha[c] = f(scale[c] / f(Math.sqrt(f(variance[c] + eps))));
    if (!Number.isFinite(alpha[c])) throw new QdeployError('quant', `op ${bn.label}: 1/sqrt(variance + epsilon) is not finite for channel ${c}`);
  }
  const data = (w.data as Float32Array).slice();
  const inner = data.length / oc;
  for (let c = 0; c < oc; c++) for (let j = 0; j < inner; j++) data[c * inner + j] = f(data[c * inner + j] * alpha[c]);
  const nw: Tensor = { dtype: 'fp32', dims: [...w.dims], data };
  g.params.set(wName, nw);
  const out = new Float32Array(oc);
  for (let c = 0; c < oc; c++) out[c] = f(f(f((bias ? bias[c] : 0) - mean[c]) * alpha[c]) + beta[c]);
  return out;
}
