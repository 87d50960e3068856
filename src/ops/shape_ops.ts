// Data-movement ops: concat, split, transpose2, reshape2 / reshape, flatten2, flatten_contiguous_range,
// squeeze2, unsqueeze2, shape, slice. All keep the element type (u8/s8 too: pure data movement with one scale,
// spec 4.6). Where the input's value is known at compile time (the `shape` op's result, parameters), the output
// value is computed here too, so shape arithmetic (shape → slice → concat → reshape2.Shape) folds away.
// Rules: PaddlePaddle/Paddle:paddle/fluid/operators/{concat,split,transpose,reshape,flatten,squeeze,unsqueeze,
// shape,slice}_op.cc; XShape outputs are [0, ...X.dims] (they only carry the input shape for the grad op).
import { toNumbers, type DType, type Tensor } from '../util/dtype';
import { attrInts, attrNum } from './attr';
import { normAxis, prod, reshapeDims, sliceBounds } from './attrs';
import { registerSchema, type InferCtx, type ShapeInfo } from './schema';

const emptyLike = (dtype: DType): Tensor => ({ dtype, dims: [0], data: new Float32Array(0) as Tensor['data'] });

function xshape(x: ShapeInfo): ShapeInfo {
  return { dtype: x.dtype, dims: [0, ...x.dims], value: x.value ? { ...emptyLike(x.dtype), dims: [0, ...x.dims] } : undefined };
}

/** same data, new dims (reshape-like ops) */
function reshaped(x: ShapeInfo, dims: number[]): ShapeInfo {
  return { dtype: x.dtype, dims, value: x.value ? { dtype: x.value.dtype, dims, data: x.value.data } : undefined };
}

/** the integer values of a compile-time constant input (Shape, ShapeTensor, StartsTensor, ...) */
function constInts(c: InferCtx, slot: string): number[] | undefined {
  const list = c.ins(slot);
  if (list.length === 0) return undefined;
  const out: number[] = [];
  for (const t of list) {
    if (!t.value) c.fail(`input ${slot} is not known at compile time (only constant shapes are supported)`);
    out.push(...toNumbers(t.value));
  }
  return out;
}

const dimsStr = (d: readonly number[]) => `[${d.join(',')}]`;

/** outer × (axis dim) × inner decomposition used by concat/split/slice values and kernels */
export function outerInner(dims: readonly number[], axis: number): [number, number] {
  return [prod(dims, 0, axis), prod(dims, axis + 1)];
}

registerSchema({
  type: 'concat',
  inputs: ['X', 'AxisTensor'],
  outputs: ['Out'],
  attrs: { axis: 0 },
  infer: (c) => {
    const xs = c.ins('X');
    if (xs.length === 0) c.fail('no inputs');
    if (c.in('AxisTensor')) c.fail('AxisTensor is not supported');
    const rank = xs[0].dims.length;
    const axis = normAxis(c.op, attrNum(c.op, 'axis'), rank);
    const out = [...xs[0].dims];
    out[axis] = 0;
    for (const x of xs) {
      if (x.dtype !== xs[0].dtype) c.fail(`inputs mix dtypes ${xs[0].dtype} and ${x.dtype}`);
      if (x.dims.length !== rank || x.dims.some((d, i) => i !== axis && d !== xs[0].dims[i])) {
        c.fail(`input dims ${dimsStr(x.dims)} do not match ${dimsStr(xs[0].dims)} outside axis ${axis}`);
      }
      out[axis] += x.dims[axis];
    }
    let value: Tensor | undefined;
    if (xs.every((x) => x.value)) {
      const [outer, inner] = outerInner(out, axis);
      const data = new (xs[0].value!.data.constructor as new (n: number) => Tensor['data'])(prod(out));
      let off = 0;
      for (const x of xs) {
        const chunk = x.dims[axis] * inner;
        for (let o = 0; o < outer; o++) {
          const src = x.value!.data.subarray(o * chunk, (o + 1) * chunk);
          (data as Int32Array).set(src as Int32Array, o * out[axis] * inner + off);
        }
        off += chunk;
      }
      value = { dtype: xs[0].dtype, dims: out, data };
    }
    return { Out: [{ dtype: xs[0].dtype, dims: out, value }] };
  },
});

registerSchema({
  type: 'split',
  inputs: ['X', 'AxisTensor', 'SectionsTensorList'],
  outputs: ['Out'],
  attrs: { axis: 0, num: 0, sections: [] },
  infer: (c) => {
    const x = c.req('X');
    if (c.in('AxisTensor') || c.in('SectionsTensorList')) c.fail('AxisTensor/SectionsTensorList are not supported');
    const axis = normAxis(c.op, attrNum(c.op, 'axis'), x.dims.length);
    const n = c.op.outputList('Out').length;
    const num = attrNum(c.op, 'num');
    let sizes: number[];
    const d = x.dims[axis];
    if (num > 0) {
      if (d % num !== 0) c.fail(`dim ${d} at axis ${axis} is not divisible by num=${num}`);
      sizes = new Array<number>(num).fill(d / num);
    } else {
      sizes = [...attrInts(c.op, 'sections')];
      const unknown = sizes.indexOf(-1);
      if (unknown >= 0) sizes[unknown] = d - sizes.reduce((a, b) => (b === -1 ? a : a + b), 0);
      if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== d) c.fail(`sections [${attrInts(c.op, 'sections').join(',')}] do not sum to ${d}`);
    }
    if (sizes.length !== n) c.fail(`${sizes.length} sections but ${n} outputs`);
    return { Out: sizes.map((s) => { const dims = [...x.dims]; dims[axis] = s; return { dtype: x.dtype, dims }; }) };
  },
});

registerSchema({
  type: 'transpose2',
  inputs: ['X'],
  outputs: ['Out', 'XShape'],
  attrs: { axis: [], data_format: 'AnyLayout' },
  infer: (c) => {
    const x = c.req('X');
    const perm = attrInts(c.op, 'axis');
    const r = x.dims.length;
    const seen = new Set(perm);
    if (perm.length !== r || seen.size !== r || perm.some((a) => a < 0 || a >= r)) c.fail(`axis [${perm.join(',')}] is not a permutation of rank ${r}`);
    return { Out: [{ dtype: x.dtype, dims: perm.map((a) => x.dims[a]) }], XShape: [xshape(x)] };
  },
});

function reshapeInfer(c: InferCtx, withXShape: boolean): Record<string, ShapeInfo[]> {
  const x = c.req('X');
  const shape = constInts(c, 'ShapeTensor') ?? constInts(c, 'Shape') ?? attrInts(c.op, 'shape');
  const dims = reshapeDims(c.op, x.dims, shape);
  const r: Record<string, ShapeInfo[]> = { Out: [reshaped(x, dims)] };
  if (withXShape) r.XShape = [xshape(x)];
  return r;
}

registerSchema({
  type: 'reshape2', inputs: ['X', 'Shape', 'ShapeTensor'], outputs: ['Out', 'XShape'], attrs: { shape: [] },
  infer: (c) => reshapeInfer(c, true),
});
registerSchema({
  type: 'reshape', inputs: ['X', 'Shape', 'ShapeTensor'], outputs: ['Out'], attrs: { shape: [] },
  infer: (c) => reshapeInfer(c, false),
});

registerSchema({
  type: 'flatten2', inputs: ['X'], outputs: ['Out', 'XShape'], attrs: { axis: 1 },
  infer: (c) => {
    const x = c.req('X');
    const axis = attrNum(c.op, 'axis');
    if (axis < 0 || axis > x.dims.length) c.fail(`axis ${axis} out of range for rank ${x.dims.length}`);
    return { Out: [reshaped(x, [prod(x.dims, 0, axis), prod(x.dims, axis)])], XShape: [xshape(x)] };
  },
});

registerSchema({
  type: 'flatten_contiguous_range', inputs: ['X'], outputs: ['Out', 'XShape'], attrs: { start_axis: 1, stop_axis: 1 },
  infer: (c) => {
    const x = c.req('X');
    const r = x.dims.length;
    if (r === 0) return { Out: [reshaped(x, [1])], XShape: [xshape(x)] };
    const s = normAxis(c.op, attrNum(c.op, 'start_axis'), r, 'start_axis');
    const e = normAxis(c.op, attrNum(c.op, 'stop_axis'), r, 'stop_axis');
    if (s > e) c.fail(`start_axis ${s} > stop_axis ${e}`);
    const dims = [...x.dims.slice(0, s), prod(x.dims, s, e + 1), ...x.dims.slice(e + 1)];
    return { Out: [reshaped(x, dims)], XShape: [xshape(x)] };
  },
});

registerSchema({
  type: 'squeeze2', inputs: ['X'], outputs: ['Out', 'XShape'], attrs: { axes: [] },
  infer: (c) => {
    const x = c.req('X');
    const r = x.dims.length;
    const axes = attrInts(c.op, 'axes').map((a) => normAxis(c.op, a, r, 'axes'));
    // empty axes: every 1-dim goes; listed axes go only when their dim is 1 (Paddle GetOutputShape)
    const drop = new Set(axes.length === 0 ? x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : axes.filter((a) => x.dims[a] === 1));
    const dims = x.dims.filter((_, i) => !drop.has(i));
    return { Out: [reshaped(x, dims)], XShape: [xshape(x)] };
  },
});

registerSchema({
  type: 'unsqueeze2', inputs: ['X', 'AxesTensor', 'AxesTensorList'], outputs: ['Out', 'XShape'], attrs: { axes: [] },
  infer: (c) => {
    const x = c.req('X');
    const axes = constInts(c, 'AxesTensor') ?? constInts(c, 'AxesTensorList') ?? attrInts(c.op, 'axes');
    const dims = [...x.dims];
    // each axis in turn is inserted into the growing shape; negative counts from the end of that shape
    for (const a of axes) {
      const cur = a < 0 ? a + dims.length + 1 : a;
      if (cur < 0 || cur > dims.length) c.fail(`axes value ${a} out of range`);
      dims.splice(cur, 0, 1);
    }
    return { Out: [reshaped(x, dims)], XShape: [xshape(x)] };
  },
});

registerSchema({
  type: 'shape', inputs: ['Input'], outputs: ['Out'], attrs: {},
  infer: (c) => {
    const x = c.req('Input');
    const dims = [x.dims.length];
    return { Out: [{ dtype: 'int32', dims, value: { dtype: 'int32', dims, data: Int32Array.from(x.dims) } }] };
  },
});

export interface SliceGeom {
  /** per input dim: [start, end) */
  ranges: [number, number][];
  /** dims before decrease_axis */
  full: number[];
  out: number[];
}

export function sliceGeom(c: InferCtx | { op: InferCtx['op']; fail(m: string): never }, inDims: readonly number[], starts: number[], ends: number[]): SliceGeom {
  const op = c.op;
  const axes = attrInts(op, 'axes');
  if (axes.length !== starts.length || axes.length !== ends.length) c.fail(`axes/starts/ends lengths differ (${axes.length}/${starts.length}/${ends.length})`);
  const ranges: [number, number][] = inDims.map((d) => [0, d]);
  axes.forEach((a, i) => {
    const ax = normAxis(op, a, inDims.length, 'axes');
    ranges[ax] = sliceBounds(inDims[ax], starts[i], ends[i]);
  });
  const full = ranges.map(([s, e]) => e - s);
  const dec = new Set(attrInts(op, 'decrease_axis').map((a) => normAxis(op, a, inDims.length, 'decrease_axis')));
  for (const a of dec) if (full[a] !== 1) c.fail(`decrease_axis ${a} has size ${full[a]}, not 1`);
  let out = full.filter((_, i) => !dec.has(i));
  if (out.length === 0) out = [1];
  return { ranges, full, out };
}

/** copy the slice described by ranges out of a row-major source (used for compile-time values and kernels) */
export function sliceCopy(src: ArrayLike<number>, dims: readonly number[], ranges: readonly [number, number][], dst: { [i: number]: number }): void {
  const r = dims.length;
  const strides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { strides[i] = acc; acc *= dims[i]; }
  const size = ranges.map(([s, e]) => e - s);
  const total = prod(size);
  if (total === 0) return;
  const idx = new Array<number>(r).fill(0);
  const last = r - 1;
  const rowLen = r === 0 ? 1 : size[last];
  let o = 0;
  for (;;) {
    let base = 0;
    for (let i = 0; i < last; i++) base += (ranges[i][0] + idx[i]) * strides[i];
    base += r === 0 ? 0 : ranges[last][0];
    for (let j = 0; j < rowLen; j++) dst[o++] = src[base + j];
    let i = last - 1;
    while (i >= 0) { if (++idx[i] < size[i]) break; idx[i] = 0; i--; }
    if (i < 0) break;
  }
}

registerSchema({
  type: 'slice',
  inputs: ['Input', 'StartsTensor', 'EndsTensor', 'StartsTensorList', 'EndsTensorList'],
  outputs: ['Out'],
  attrs: { axes: [], starts: [], ends: [], infer_flags: [], decrease_axis: [] },
  infer: (c) => {
    const x = c.req('Input');
    const starts = constInts(c, 'StartsTensor') ?? constInts(c, 'StartsTensorList') ?? attrInts(c.op, 'starts');
    const ends = constInts(c, 'EndsTensor') ?? constInts(c, 'EndsTensorList') ?? attrInts(c.op, 'ends');
    const g = sliceGeom(c, x.dims, starts, ends);
    let value: Tensor | undefined;
    if (x.value && !(x.value.data instanceof BigInt64Array)) {
      const data = new (x.value.data.constructor as new (n: number) => Tensor['data'])(prod(g.out));
      sliceCopy(x.value.data as ArrayLike<number>, x.dims, g.ranges, data as Int32Array);
      value = { dtype: x.dtype, dims: g.out, data };
    }
    return { Out: [{ dtype: x.dtype, dims: g.out, value }] };
  },
});
