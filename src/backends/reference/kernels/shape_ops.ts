// Data-movement kernels (any element type, u8/s8 included: pure copies keep the stored ints and their scale).
//   reshape2 / reshape / flatten2 / flatten_contiguous_range / squeeze2 / unsqueeze2: the bytes are copied
//   unchanged (row-major order does not change); XShape outputs have no elements and are not written.
//   concat / split along an axis, transpose2 by permutation, slice by ranges, shape writes the input dims.
import type { OpNode } from '../../../runtime/backend';
import { attrInts, attrNum, normAxis, prod } from '../../../runtime/op_rules';
import { outerInner, sliceCopy, sliceGeom, type SliceGeom } from '../../../runtime/op_rules';
import { toNumbers, type TypedArray } from '../../../util/dtype';
import { registerRef } from '../registry';
import { kernelError, type Num } from './util';

const noInt64 = (n: OpNode) => {
  for (const list of Object.values(n.inputs)) for (const t of list) if (t.dtype === 'int64' && !t.value) return 'int64 tensors are not supported';
  return undefined;
};

const copy = (dst: TypedArray, src: TypedArray) => (dst as Uint8Array).set(src as Uint8Array);

registerRef(['reshape2', 'reshape', 'flatten2', 'flatten_contiguous_range', 'squeeze2', 'unsqueeze2'], {
  check: noInt64,
  run: (c) => copy(c.out('Out'), c.in('X')),
  name: (n) => `${n.op.type}_copy_ref`,
});

registerRef('concat', {
  check: noInt64,
  prepare: (n) => normAxis(n.op, attrNum(n.op, 'axis'), n.outputs.Out[0].dims.length),
  run: (c) => {
    const axis = c.state as number;
    const od = c.outSpec('Out').dims;
    const [outer, inner] = outerInner(od, axis);
    const y = c.out('Out');
    const xs = c.ins('X');
    let off = 0;
    xs.forEach((x, i) => {
      const chunk = c.inSpec('X', i).dims[axis] * inner;
      for (let o = 0; o < outer; o++) (y as Uint8Array).set(x.subarray(o * chunk, (o + 1) * chunk) as Uint8Array, o * od[axis] * inner + off);
      off += chunk;
    });
  },
  name: 'concat_copy_ref',
});

registerRef('split', {
  check: noInt64,
  prepare: (n) => normAxis(n.op, attrNum(n.op, 'axis'), n.inputs.X[0].dims.length),
  run: (c) => {
    const axis = c.state as number;
    const xd = c.inSpec('X').dims;
    const [outer, inner] = outerInner(xd, axis);
    const x = c.in('X');
    const n = c.node.outputs.Out.length;
    let off = 0;
    for (let i = 0; i < n; i++) {
      const chunk = c.outSpec('Out', i).dims[axis] * inner;
      const y = c.out('Out', i);
      for (let o = 0; o < outer; o++) (y as Uint8Array).set(x.subarray(o * xd[axis] * inner + off, o * xd[axis] * inner + off + chunk) as Uint8Array, o * chunk);
      off += chunk;
    }
  },
  name: 'split_copy_ref',
});

registerRef('transpose2', {
  check: noInt64,
  run: (c) => {
    const perm = attrInts(c.node.op, 'axis');
    const xd = c.inSpec('X').dims;
    const r = xd.length;
    const xs = new Array<number>(r);
    let acc = 1;
    for (let i = r - 1; i >= 0; i--) { xs[i] = acc; acc *= xd[i]; }
    const od = perm.map((a) => xd[a]);
    const ps = perm.map((a) => xs[a]); // stride in X of each output dim
    const x = c.in('X') as Num, y = c.out('Out') as unknown as { [i: number]: number };
    const total = prod(od);
    const idx = new Array<number>(r).fill(0);
    for (let o = 0; o < total; o++) {
      let src = 0;
      for (let i = 0; i < r; i++) src += idx[i] * ps[i];
      y[o] = x[src];
      for (let i = r - 1; i >= 0; i--) { if (++idx[i] < od[i]) break; idx[i] = 0; }
    }
  },
  name: 'transpose2_gather_ref',
});

registerRef('slice', {
  check: noInt64,
  prepare: (n) => {
    const op = n.op;
    const consts = (slot: string): number[] | undefined => {
      const list = n.inputs[slot] ?? [];
      if (list.length === 0) return undefined;
      if (list.some((t) => !t.value)) kernelError(n, `${slot} is not known at compile time`);
      return list.flatMap((t) => [...toNumbers(t.value!)]);
    };
    const starts = consts('StartsTensor') ?? consts('StartsTensorList') ?? attrInts(op, 'starts');
    const ends = consts('EndsTensor') ?? consts('EndsTensorList') ?? attrInts(op, 'ends');
    return sliceGeom({ op, fail: (m: string) => kernelError(n, m) }, n.inputs.Input[0].dims, starts, ends);
  },
  run: (c) => {
    const g = c.state as SliceGeom;
    sliceCopy(c.in('Input') as Num, c.inSpec('Input').dims, g.ranges, c.out('Out') as unknown as { [i: number]: number });
  },
  name: 'slice_copy_ref',
});

registerRef('shape', {
  run: (c) => { (c.out('Out') as Int32Array).set(c.inSpec('Input').dims); },
  name: 'shape_ref',
});
