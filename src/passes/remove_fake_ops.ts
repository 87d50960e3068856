// _remove_fake_ops (spec 3.3; quant2_int8_mkldnn_pass.py `_remove_fake_quantize`, `_remove_fake_dequantize`):
// every fake op is taken out and the consumers of its Out read its X instead; its scale/state vars go with it.
// An op that would read and write one var once the pair around it is gone gets a fresh output name (SSA, see
// rename_inplace_outputs.ts), as Paddle's graph nodes keep the versions apart.
import { fakeDialect } from '../ops/fake_dialects';
import type { Pass } from './pass';
import { renameRewrittenOutputs } from './rename_inplace_outputs';
import { QdeployError } from '../util/errors';

export const removeFakeOps: Pass = {
  name: 'remove_fake_ops',
  requires: ['gather_output_scales_from_attr'],
  doc: 'remove fake quantize/dequantize ops, rewiring consumers of Out to X',
  run(g, ctx) {
    for (const op of [...g.ops]) {
      const d = fakeDialect(op);
      if (!d) continue;
      const x = op.input(d.x);
      const out = op.output(d.out);
      if (!x) throw new QdeployError('quant', `op ${op.label}: has no ${d.x} input`);
      g.removeOp(op);
      if (out && out !== x) g.rewireConsumers(out, x);
      ctx.note('removed', op, `${out ?? '(no output)'} → ${x}`);
    }
    renameRewrittenOutputs(g, ctx);
    g.removeUnusedVars();
  },
};
