// Paddle's ir::Graph is in SSA form: every output argument gets a new var node, so an in-place op (caffe2fluid's
// `relu(X=t) -> Out=t`) reads one node and writes another (PaddlePaddle/Paddle:paddle/fluid/framework/ir/
// graph.cc InitFromBlock). qdeploy's IR keys vars by name, so before any pass matches patterns, the output of an
// in-place op gets a fresh name `<name>.<type>_<id>` and every later reader reads it. Persistable outputs
// (batch_norm's MeanOut/VarianceOut) are left alone.
import { Var } from '../graph/var';
import type { Pass } from './pass';

export const renameInplaceOutputs: Pass = {
  name: 'rename_inplace_outputs',
  doc: 'give outputs of in-place ops fresh names (SSA, as Paddle\'s ir::Graph has)',
  run(g, ctx) {
    for (const op of [...g.ops]) {
      const ins = new Set(op.allInputs());
      for (const out of op.allOutputs()) {
        if (!ins.has(out) || g.isParam(out)) continue;
        const fresh = g.uniqueName(`${out}.${op.type}_${op.id}`);
        const old = g.var(out);
        g.addVar(Var.create(fresh, old?.dtype ?? 'fp32', old?.dims ?? []));
        op.renameOutput(out, fresh);
        g.rewireConsumers(out, fresh, op);
        ctx.note('info', op, `in-place output '${out}' renamed '${fresh}'`);
      }
    }
  },
};
