// conv_bias_mkldnn_fuse_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/
// conv_bias_mkldnn_fuse_pass.cc): conv → elementwise_add(Y = 1-D parameter of OC values, axis 1) becomes
// the conv's Bias (added to an existing Bias); the conv writes the add's Out.
import { Var } from '../graph/var';
import { attrBool, attrNum } from '../ops/attr';
import { CONV_TYPES, soleConsumer, type Pass } from './pass';

const f = Math.fround;

export const convBiasMkldnnFusePass: Pass = {
  name: 'conv_bias_mkldnn_fuse_pass',
  doc: 'conv2d + elementwise_add(bias) → conv2d with Bias',
  run(g, ctx) {
    for (const conv of [...g.ops]) {
      if (!CONV_TYPES.has(conv.type) || !g.ops.includes(conv) || attrBool(conv, 'fuse_residual_connection')) continue;
      const out = conv.output('Output');
      const add = out ? soleConsumer(g, out) : undefined;
      if (!add || add.type !== 'elementwise_add' || add.input('X') !== out) continue;
      const yName = add.input('Y')!;
      const y = g.param(yName);
      const w = g.param(conv.input('Filter') ?? '');
      if (!g.isParam(yName) || !y || y.dtype !== 'fp32' || !w) continue;
      const oc = w.dims[0];
      // a per-channel bias of an NCHW conv: Y is [OC] broadcast along axis 1
      if (y.dims.length !== 1 || y.dims[0] !== oc || attrNum(add, 'axis') !== 1) continue;
      const bName = conv.input('Bias');
      if (bName) {
        const b = g.param(bName);
        if (!b || b.dtype !== 'fp32' || b.data.length !== oc) continue;
        const sum = new Float32Array(oc);
        for (let c = 0; c < oc; c++) sum[c] = f((b.data as Float32Array)[c] + (y.data as Float32Array)[c]);
        const name = g.consumers(bName).length === 1 ? bName : g.uniqueName(`${bName}.fused`);
        if (!g.var(name)) { g.addVar(Var.create(name, 'fp32', [oc], true)); conv.setInput('Bias', [name]); }
        g.params.set(name, { dtype: 'fp32', dims: [oc], data: sum });
      } else {
        conv.setInput('Bias', [yName]);
      }
      conv.setOutput('Output', [add.output('Out')!]);
      g.removeOp(add);
      ctx.note('fused', conv, `+ ${add.label} (bias '${yName}')`);
    }
    g.removeUnusedVars();
  },
};
