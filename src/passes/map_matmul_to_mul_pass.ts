// gpu_cpu_map_matmul_to_mul_pass / gpu_cpu_map_matmul_v2_to_mul_pass (spec 3.5, 3.x list; PaddlePaddle/Paddle:
// paddle/fluid/framework/ir/gpu_cpu_map_matmul_to_mul_pass.cc): a matmul / matmul_v2 of a 2-D activation by a
// 2-D weight parameter, without transposes and with alpha 1, is a mul (x_num_col_dims 1, y_num_col_dims 1),
// so that fc_fuse_pass can make an fc of it.
import { attrNum } from '../ops/attr';
import { type Pass } from './pass';

export const mapMatmulToMulPass: Pass = {
  name: 'map_matmul_to_mul_pass',
  doc: 'matmul/matmul_v2 (2-D × 2-D weight, no transpose, alpha 1) → mul',
  run(g, ctx) {
    for (const op of g.ops) {
      if (op.type !== 'matmul' && op.type !== 'matmul_v2') continue;
      const x = op.input('X'), y = op.input('Y');
      if (!x || !y || !g.isParam(y) || g.isParam(x)) continue;
      const w = g.param(y);
      if (!w || w.dims.length !== 2 || (g.var(x)?.dims.length ?? 0) !== 2) continue;
      const tx = op.bool(op.type === 'matmul' ? 'transpose_X' : 'trans_x', false);
      const ty = op.bool(op.type === 'matmul' ? 'transpose_Y' : 'trans_y', false);
      if (tx || ty || (op.type === 'matmul' && attrNum(op, 'alpha') !== 1)) continue;
      const before = op.label;
      op.type = 'mul';
      op.attrs = op.attrs.filter((a) => ['use_mkldnn', 'out_threshold', 'op_role', 'op_namescope', 'op_callstack', 'skip_quant', 'quantization_type'].includes(a.name));
      op.setAttr('x_num_col_dims', 1);
      op.setAttr('y_num_col_dims', 1);
      ctx.note('info', before, `now ${op.label}`);
    }
  },
};
