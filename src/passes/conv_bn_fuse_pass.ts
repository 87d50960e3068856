// conv_bn_fuse_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/conv_bn_fuse_pass.cc, oneDNN
// branch): conv → batch_norm becomes one conv with the BN folded into its filter and its Bias input
// (the conv's own Bias when it has one, else a new parameter). The conv then writes the BN's Y.
import { Var } from '../graph/var';
import { foldBn, isFoldableBn } from './bn_fold';
import { CONV_TYPES, soleConsumer, type Pass } from './pass';

export const convBnFusePass: Pass = {
  name: 'conv_bn_fuse_pass',
  doc: 'conv2d + batch_norm → conv2d with folded filter and Bias',
  run(g, ctx) {
    for (const conv of [...g.ops]) {
      if (!CONV_TYPES.has(conv.type) || !g.ops.includes(conv)) continue;
      const out = conv.output('Output');
      const bn = out ? soleConsumer(g, out) : undefined;
      if (!bn || !isFoldableBn(g, bn) || bn.input('X') !== out || !g.isParam(conv.input('Filter') ?? '')) continue;
      const y = bn.output('Y');
      if (!y) continue;
      const biasName = conv.input('Bias');
      const oldBias = biasName ? g.param(biasName) : undefined;
      const b = foldBn(g, conv, bn, oldBias?.data as Float32Array | undefined);
      let name = biasName;
      if (!name) {
        name = g.uniqueName(`${conv.input('Filter')}.bn_bias`);
        g.addVar(Var.create(name, 'fp32', [b.length], true));
        conv.setInput('Bias', [name]);
      }
      g.params.set(name, { dtype: 'fp32', dims: [b.length], data: b });
      conv.setOutput('Output', [y]);
      g.removeOp(bn);
      ctx.note('fused', conv, `+ ${bn.label} (folded into filter and bias)`);
    }
    g.removeUnusedVars();
  },
};
