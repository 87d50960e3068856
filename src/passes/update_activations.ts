// _update_activations (spec 3.5; quant2_int8_mkldnn_pass.py): a conv without `fuse_activation` gets it from
// the legacy attrs: fuse_relu → "relu"; fuse_brelu → "relu6" with fuse_alpha = fuse_brelu_threshold (6.0).
import { attrBool, attrNum } from '../ops/attr';
import { CONV_TYPES, setFloat, setStr, type Pass } from './pass';

export const updateActivations: Pass = {
  name: 'update_activations',
  doc: 'legacy fuse_relu / fuse_brelu attrs → fuse_activation',
  run(g) {
    for (const op of g.ops) {
      if (!CONV_TYPES.has(op.type) || op.hasAttr('fuse_activation')) continue;
      if (attrBool(op, 'fuse_relu')) setStr(op, 'fuse_activation', 'relu');
      else if (attrBool(op, 'fuse_brelu')) {
        setStr(op, 'fuse_activation', 'relu6');
        setFloat(op, 'fuse_alpha', attrNum(op, 'fuse_brelu_threshold'));
      }
    }
  },
};
