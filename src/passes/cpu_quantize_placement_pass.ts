// cpu_quantize_placement_pass (spec 3.9; PaddlePaddle/Paddle:paddle/fluid/framework/ir/mkldnn/
// cpu_quantize_placement_pass.cc, 2.x/3.x): every op of a quantizable type in --ops_to_quantize (empty = all
// types cpu_quantize_pass handles) whose id is not excluded and that is not skip_quant gets
// mkldnn_data_type = "int8" (and use_quantizer = true, for older readers). Excluded ids, as Paddle 2.0's
// Python passes them: --op_ids_to_skip ∪ ids of pool2d ops with pooling_type "avg" (`_find_avg_pooling_ids`).
import { attrStr } from '../ops/attr';
import { QdeployError } from '../util/errors';
import { setBool, setStr, type Pass } from './pass';

/** op types cpu_quantize_pass can make int8 (Paddle's list ∩ the INT8 kernels qdeploy has) */
export const QUANTIZABLE_OP_TYPES = ['conv2d', 'depthwise_conv2d', 'fc', 'matmul', 'pool2d', 'concat', 'transpose2', 'reshape2'];

export const cpuQuantizePlacementPass: Pass = {
  name: 'cpu_quantize_placement_pass',
  doc: 'mark ops to quantize (mkldnn_data_type = "int8") from --ops_to_quantize / --op_ids_to_skip',
  run(g, ctx) {
    const { opsToQuantize, opIdsToSkip } = ctx.options;
    for (const t of opsToQuantize) {
      if (!QUANTIZABLE_OP_TYPES.includes(t)) {
        throw new QdeployError('usage', `--ops_to_quantize: '${t}' cannot be quantized (quantizable: ${QUANTIZABLE_OP_TYPES.join(', ')})`);
      }
    }
    const ids = new Set(g.ops.map((o) => o.id));
    const missing = opIdsToSkip.filter((id) => !ids.has(id));
    if (missing.length) {
      throw new QdeployError('usage', `--op_ids_to_skip: no op with id ${missing.join(', ')} at cpu_quantize_placement_pass (see the ids in int8_<k>_cpu_quantize_placement_pass.dot written by --debug)`);
    }
    const skip = new Set(opIdsToSkip);
    const enabled = new Set(opsToQuantize.length ? opsToQuantize : QUANTIZABLE_OP_TYPES);
    for (const op of g.ops) {
      if (!enabled.has(op.type)) continue;
      if (skip.has(op.id)) { ctx.note('skipped', op, 'listed in --op_ids_to_skip'); continue; }
      if (op.type === 'pool2d' && attrStr(op, 'pooling_type') === 'avg') { ctx.note('skipped', op, 'avg pool2d (Paddle 2.0 excludes avg pooling)'); continue; }
      if (op.bool('skip_quant', false)) { ctx.note('skipped', op, 'skip_quant is set'); continue; }
      setStr(op, 'mkldnn_data_type', 'int8');
      setBool(op, 'use_quantizer', true);
    }
  },
};
