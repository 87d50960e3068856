// conv_eltwiseadd_bn_fuse_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/conv_bn_fuse_pass.cc,
// ConvEltwiseAddBNFusePass): conv → elementwise_add(bias parameter) → batch_norm: the BN is folded into the
// filter and into the add's bias (b := (b − mean)·alpha + beta); the add then writes the BN's Y. The bias add
// itself is folded into the conv by conv_bias_mkldnn_fuse_pass.
import { foldBn, isFoldableBn } from './bn_fold';
import { CONV_TYPES, soleConsumer, type Pass } from './pass';

export const convEltwiseAddBnFusePass: Pass = {
  name: 'conv_eltwiseadd_bn_fuse_pass',
  doc: 'conv2d + elementwise_add(bias) + batch_norm → conv2d + elementwise_add(folded bias)',
  run(g, ctx) {
    for (const conv of [...g.ops]) {
      if (!CONV_TYPES.has(conv.type) || !g.ops.includes(conv) || conv.hasInput('Bias')) continue;
      const out = conv.output('Output');
      const add = out ? soleConsumer(g, out) : undefined;
      if (!add || add.type !== 'elementwise_add' || add.input('X') !== out) continue;
      const yName = add.input('Y');
      const yT = yName ? g.param(yName) : undefined;
      if (!yName || !g.isParam(yName) || !yT || yT.dtype !== 'fp32' || yT.dims.length !== 1) continue;
      const addOut = add.output('Out');
      const bn = addOut ? soleConsumer(g, addOut) : undefined;
      if (!bn || !isFoldableBn(g, bn) || bn.input('X') !== addOut || !g.isParam(conv.input('Filter') ?? '')) continue;
      if (g.consumers(yName).length !== 1) continue; // a shared bias cannot be rewritten in place
      const b = foldBn(g, conv, bn, yT.data as Float32Array);
      g.params.set(yName, { dtype: 'fp32', dims: [b.length], data: b });
      add.setOutput('Out', [bn.output('Y')!]);
      g.removeOp(bn);
      ctx.note('fused', conv, `+ ${add.label} + ${bn.label} (BN folded into filter and bias '${yName}')`);
    }
    g.removeUnusedVars();
  },
};
