// Paddle's ir::Graph is in SSA form: every output argument gets a new var node, so an in-place op (caffe2fluid's
// `relu(X=t) -> Out=t`) reads one node and writes another (PaddlePaddle/Paddle:paddle/fluid/framework/ir/
// graph.cc InitFromBlock). qdeploy's IR keys vars by name, so before any pass matches patterns, the output of an
// in-place op (or a second write of a var) gets a fresh name `<name>.<type>_<id>` and the later readers of that
// version read it. Persistable outputs (batch_norm's MeanOut/VarianceOut) are left alone.
//
// A second write of a var is renamed the same way. PaddleSlim's onnx_format layout needs it: an observer pair sits
// between `elementwise_add -> t` and `relu(X=t) -> t`, so the relu reads `t.quantized.dequantized` and writes `t`
// again; once remove_fake_ops took the pair out, the relu read and wrote `t` under one name and the squash pass
// took the relu's readers for readers of the add (every relu skipped, INT8 top-1 0%: issue 15 item 1).
// remove_fake_ops runs it again, so no removal can leave an op in place; there scales gathered for `t` hold for
// every version of it (Paddle keys var_quant_scales by name too), so a fresh name gets t's scale.
import type { Graph } from '../graph/graph';
import { Var } from '../graph/var';
import { fakeDialect } from '../ops/fake_dialects';
import type { Pass, PassContext } from './pass';

/** the executor's feed/fetch lists: every feed/fetch op writes or reads them, they are no data */
const HOLDERS = new Set(['feed', 'fetch']);

/** fresh names for in-place outputs and re-written vars; later readers of each version read its fresh name */
export function renameRewrittenOutputs(g: Graph, ctx: PassContext): void {
  const written = new Set<string>();
  for (const op of [...g.ops]) {
    // a fake quant op's in-place outputs are its state (InScale → OutScale), never data; a missing state var is
    // named by the scale readers (scale_io.ts)
    if (fakeDialect(op)) { for (const out of op.allOutputs()) written.add(out); continue; }
    const ins = new Set(op.allInputs());
    for (const out of op.allOutputs()) {
      if (HOLDERS.has(out) || g.isParam(out) || (!ins.has(out) && !written.has(out))) { written.add(out); continue; }
      const fresh = g.uniqueName(`${out}.${op.type}_${op.id}`);
      const old = g.var(out);
      g.addVar(Var.create(fresh, old?.dtype ?? 'fp32', old?.dims ?? []));
      op.renameOutput(out, fresh);
      // readers of this version: the ops after it, up to and including the next op that writes `out` again
      for (let i = g.indexOf(op) + 1; i < g.ops.length; i++) {
        const next = g.ops[i];
        next.renameInput(out, fresh);
        if (next.allOutputs().includes(out)) break;
      }
      const scale = ctx.scales.get(out);
      if (scale) ctx.addScale(fresh, { unsigned: scale.unsigned, scale: scale.scale.slice() });
      written.add(fresh);
      ctx.note('info', op, `in-place output '${out}' renamed '${fresh}'`);
    }
  }
}

export const renameInplaceOutputs: Pass = {
  name: 'rename_inplace_outputs',
  doc: 'give outputs of in-place ops fresh names (SSA, as Paddle\'s ir::Graph has)',
  run(g, ctx) { renameRewrittenOutputs(g, ctx); },
};
