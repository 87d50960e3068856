// Graphviz rendering: ops as boxes labelled `type(id)` (the id --op_ids_to_skip takes, as Paddle's
// graph_viz_pass labels nodes name(id)), key attributes under it, vars as ellipses with dtype/shape.
import type { Graph } from './graph';
import type { Op } from './op';

const KEY_ATTRS = [
  'groups', 'strides', 'paddings', 'dilations', 'padding_algorithm', 'pooling_type', 'ksize', 'global_pooling',
  'axis', 'fuse_activation', 'fuse_residual_connection', 'activation_type', 'mkldnn_data_type', 'use_quantizer',
  'Scale_in', 'Scale_out', 'Scale_in_eltwise', 'Scale', 'is_negative_input', 'force_fp32_output', 'out_threshold',
  'shape', 'max_range', 'bit_length', 'quant_axis', 'col',
];

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function fmt(v: unknown): string {
  if (Array.isArray(v)) return v.length > 6 ? `[${v.slice(0, 4).map(fmt).join(',')},…${v.length}]` : `[${v.map(fmt).join(',')}]`;
  if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(5)).toString();
  return String(v);
}

function opLabel(op: Op): string {
  const lines = [`${op.type}(${op.id})`];
  for (const k of KEY_ATTRS) {
    const v = op.attr(k);
    if (v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '') lines.push(`${k}=${fmt(v)}`);
  }
  return lines.map(esc).join('\\n'); // escape each line, then join with DOT's newline escape
}

export function toDot(g: Graph, title = 'qdeploy'): string {
  const out: string[] = [`digraph "${esc(title)}" {`, '  rankdir=TB;', '  node [fontsize=10];'];
  const varNodes = new Map<string, string>();
  const varNode = (name: string) => {
    let id = varNodes.get(name);
    if (!id) {
      id = `v${varNodes.size}`;
      varNodes.set(name, id);
      const v = g.var(name);
      const shape = v ? `${v.dtype ?? '?'}[${v.dims.join(',')}]` : '?';
      const style = v?.persistable ? ', style=filled, fillcolor="#eeeeee"' : '';
      out.push(`  ${id} [shape=ellipse, label="${esc(name)}\\n${esc(shape)}"${style}];`);
    }
    return id;
  };
  for (const op of g.ops) {
    const on = `op${op.id}`;
    out.push(`  ${on} [shape=box, style="rounded,filled", fillcolor="#cfe2ff", label="${opLabel(op)}"];`);
    for (const s of op.inputs) for (const a of s.arguments) out.push(`  ${varNode(a)} -> ${on} [label="${esc(s.parameter)}"];`);
    for (const s of op.outputs) for (const a of s.arguments) out.push(`  ${on} -> ${varNode(a)} [label="${esc(s.parameter)}"];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}
