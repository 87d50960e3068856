// _cleanup (spec 3.1 step 13; quant2_int8_mkldnn_pass.py): drop vars no op uses any more and set
// op_role = Forward (0) on every op.
import { AttrType } from '../util/program_desc';
import type { Pass } from './pass';

export const cleanupPass: Pass = {
  name: 'cleanup',
  doc: 'remove unused vars; op_role = Forward',
  run(g) {
    g.removeUnusedVars();
    for (const op of g.ops) op.setAttr('op_role', 0, AttrType.INT);
  },
};
