// fc_fuse_pass (spec 3.5, use_gpu=false, use_fc_padding=false; PaddlePaddle/Paddle:paddle/fluid/framework/ir/
// fc_fuse_pass.cc, with_relu): mul(X, W parameter) → elementwise_add(1-D bias parameter) [→ relu] becomes
// fc {Input, W, Bias → Out; in_num_col_dims = x_num_col_dims, activation_type "relu" or "", padding_weights
// false}. As in Paddle the fc is a new op node with a new id.
import { attrBool, attrNum } from '../ops/attr';
import { setBool, setStr, soleConsumer, type Pass } from './pass';

export const fcFusePass: Pass = {
  name: 'fc_fuse_pass',
  doc: 'mul + elementwise_add(bias) [+ relu] → fc',
  run(g, ctx) {
    for (const mul of [...g.ops]) {
      if (mul.type !== 'mul' || !g.ops.includes(mul)) continue;
      const x = mul.input('X'), w = mul.input('Y'), out = mul.output('Out');
      if (!x || !w || !out || !g.isParam(w) || attrNum(mul, 'y_num_col_dims') !== 1) continue;
      const wt = g.param(w);
      if (!wt || wt.dims.length !== 2) continue;
      const add = soleConsumer(g, out);
      if (!add || add.type !== 'elementwise_add' || add.input('X') !== out) continue;
      const b = add.input('Y');
      const bt = b ? g.param(b) : undefined;
      const xnc = attrNum(mul, 'x_num_col_dims');
      const axis = attrNum(add, 'axis');
      if (!b || !bt || !g.isParam(b) || bt.data.length !== wt.dims[1] || (axis !== -1 && axis !== xnc)) continue;
      if (!(bt.dims.length === 1 || (bt.dims.length === 2 && bt.dims[0] === 1))) continue;
      let last = add;
      let act = '';
      const addOut = add.output('Out')!;
      const relu = soleConsumer(g, addOut);
      if (relu && relu.type === 'relu' && relu.input('X') === addOut) { last = relu; act = 'relu'; }
      const fc = g.makeOp({ type: 'fc', inputs: { Input: [x], W: [w], Bias: [b] }, outputs: { Out: [last.output('Out')!] } });
      fc.setAttr('in_num_col_dims', xnc);
      setStr(fc, 'activation_type', act);
      setBool(fc, 'padding_weights', false);
      setBool(fc, 'use_mkldnn', attrBool(mul, 'use_mkldnn'));
      for (const keep of ['out_threshold', 'skip_quant', 'quantization_type']) {
        const a = (last.attrRecord(keep) ?? mul.attrRecord(keep));
        if (a) fc.attrs.push({ ...a });
      }
      g.insertBefore(mul, fc);
      g.removeOp(mul); g.removeOp(add);
      if (last !== add) g.removeOp(last);
      ctx.note('fused', fc, `from ${mul.label} + ${add.label}${act ? ` + ${last.label}` : ''}`);
    }
    g.removeUnusedVars();
  },
};
