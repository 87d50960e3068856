// Data movement family (wasm/assembly/movement.ts): reshapes (and relu on u8, which is never negative) as byte
// copies (none when in place), concat as strided chunk copies, transpose2 as a gather over precomputed strides.
import { attrInts, attrNum, normAxis, prod } from '../../../runtime/op_rules';
import { dtypeSize, numel } from '../../../util/dtype';
import { family, type Decision } from '../family';

type MovePlan =
  | { fn: 'copy_bytes'; bytes: number }
  | { fn: 'copy_chunks'; outer: number; rowOut: number; pieces: number[] }
  | { fn: 'transpose'; desc: Int32Array; es: number };

const RESHAPES = ['reshape2', 'reshape', 'flatten2', 'flatten_contiguous_range', 'squeeze2', 'unsqueeze2'];

export const movementFamily = family<MovePlan>({
  name: 'movement',
  ops: [...RESHAPES, 'relu', 'concat', 'transpose2'],
  describe(node): Decision<MovePlan> | undefined {
    const op = node.op;
    if (op.type === 'concat') {
      if (node.inputs.X.some((t) => !!t.value)) return undefined;
      const od = node.outputs.Out[0].dims;
      const es = dtypeSize(node.outputs.Out[0].dtype);
      const axis = normAxis(op, attrNum(op, 'axis'), od.length);
      const inner = prod(od, axis + 1);
      const plan = { fn: 'copy_chunks' as const, outer: prod(od, 0, axis), rowOut: od[axis] * inner * es, pieces: node.inputs.X.map((s) => s.dims[axis] * inner * es) };
      return { fn: plan.fn, variant: 'concat_copy_wasm', plan };
    }
    const x = node.inputs.X[0];
    if (op.type === 'relu' && (x.dtype === 'fp32' || x.dtype === 'int8')) return undefined; // the eltwise family's
    if (op.type === 'transpose2') {
      const es = dtypeSize(x.dtype);
      if (es !== 1 && es !== 4) return undefined;
      const perm = attrInts(op, 'axis');
      const xd = x.dims;
      const r = xd.length;
      const xs = new Array<number>(r);
      let acc = 1;
      for (let i = r - 1; i >= 0; i--) { xs[i] = acc; acc *= xd[i]; }
      const od = perm.map((p) => xd[p]), ps = perm.map((p) => xs[p]);
      return { fn: 'transpose', variant: 'transpose2_gather_wasm', plan: { fn: 'transpose', desc: Int32Array.from([r, ...od, ...ps]), es } };
    }
    return { fn: 'copy_bytes', variant: `${op.type}_copy_wasm`, plan: { fn: 'copy_bytes', bytes: numel(x.dims) * dtypeSize(x.dtype) } };
  },
  prepare(_node, d, _w, { x, mem }) {
    switch (d.fn) {
      case 'copy_bytes': {
        const { bytes } = d;
        return (io, a) => { const s = a(io.inputs.X[0]), o = a(io.outputs.Out[0]); if (s !== o) x.copy_bytes(o, s, bytes); };
      }
      case 'copy_chunks': {
        const { outer, rowOut, pieces } = d;
        return (io, a) => {
          const y = a(io.outputs.Out[0]);
          let off = 0;
          io.inputs.X.forEach((r, i) => {
            x.copy_chunks(y + off, a(r), pieces[i], outer, rowOut, pieces[i]);
            off += pieces[i];
          });
        };
      }
      case 'transpose': {
        const desc = mem.upload(d.desc), es = d.es;
        return (io, a) => x.transpose(a(io.inputs.X[0]), a(io.outputs.Out[0]), desc, es);
      }
    }
  },
});
