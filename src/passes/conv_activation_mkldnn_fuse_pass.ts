// conv_activation_mkldnn_fuse_pass (spec 3.5: 2.0's conv_relu / conv_relu6 / conv_swish / conv_hard_swish
// passes, 3.x's conv_activation_onednn_fuse_pass; attribute mapping from PaddlePaddle/Paddle:paddle/fluid/
// framework/ir/mkldnn/activation_onednn_fuse_pass.h and conv_activation_mkldnn_fuse_pass.cc): a conv whose
// only consumer is an activation takes it as fuse_activation and writes the activation's Out.
//   relu: —;  relu6: fuse_alpha = threshold (6);  leaky_relu: fuse_alpha = alpha;
//   hard_swish: fuse_alpha = 1/6, fuse_beta = 1/2;  swish: fuse_alpha = beta.
import type { Op } from '../graph/op';
import { attrNum, attrStr } from '../ops/attr';
import { CONV_TYPES, setFloat, setStr, soleConsumer, type Pass } from './pass';

const ACTS: Record<string, (conv: Op, act: Op) => void> = {
  relu: () => {},
  relu6: (c, a) => setFloat(c, 'fuse_alpha', attrNum(a, 'threshold')),
  leaky_relu: (c, a) => setFloat(c, 'fuse_alpha', attrNum(a, 'alpha')),
  hard_swish: (c) => { setFloat(c, 'fuse_alpha', 1 / 6); setFloat(c, 'fuse_beta', 1 / 2); },
  swish: (c, a) => setFloat(c, 'fuse_alpha', a.num('beta', 1)),
};

export const convActivationMkldnnFusePass: Pass = {
  name: 'conv_activation_mkldnn_fuse_pass',
  doc: 'conv2d + relu/relu6/leaky_relu/hard_swish/swish → conv2d with fuse_activation',
  run(g, ctx) {
    for (const conv of [...g.ops]) {
      if (!CONV_TYPES.has(conv.type) || attrStr(conv, 'fuse_activation') !== '') continue;
      const out = conv.output('Output');
      const act = out ? soleConsumer(g, out) : undefined;
      if (!act || !ACTS[act.type] || act.input('X') !== out || !act.output('Out')) continue;
      setStr(conv, 'fuse_activation', act.type);
      ACTS[act.type](conv, act);
      conv.setOutput('Output', [act.output('Out')!]);
      g.removeOp(act);
      ctx.note('fused', conv, `+ ${act.label}`);
    }
    g.removeUnusedVars();
  },
};
