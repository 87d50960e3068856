// mul / matmul / matmul_v2 / fc. FP32: each output element is Σ_k x·w for k = 0..K−1 in a JS double, then
// (matmul) × alpha, (fc) + bias and relu, rounded once to float32. A Y/W stored as int8 (legacy `<w>.int8`) is
// used as float values.
// INT8 (spec 4.5, int8.ts): fc quantizes W [K, N] once per output column n with Scale_weights[n] and keeps the
// f32 bias for the epilogue, like conv; matmul multiplies the stored u8/s8 values exactly and applies epilogue()
// with dq = f32(f32(1/Sx)·f32(1/Sy)) (int8Scales([Sy], Sx, So)).
import type { OpNode, WeightTensors } from '../../../runtime/backend';
import { attrBool, attrInts, attrNum, attrStr, isIntType, markedInt8, matmulGeom, prod, type MatmulGeom } from '../../../runtime/op_rules';
import { epilogue, int8Scales, quantizeWeight, type Int8Epilogue } from '../../../int8/contract';
import { registerRef } from '../registry';
import { epiType, f32, kernelError, perChannel, short, type Num } from './util';

type W = { [i: number]: number };

registerRef('mul', {
  check: (n) => {
    const x = n.inputs.X[0], y = n.inputs.Y[0];
    if (x.dtype !== 'fp32') return `X dtype ${x.dtype}`;
    if (y.dtype !== 'fp32' && y.dtype !== 'int8') return `Y dtype ${y.dtype}`;
    return undefined;
  },
  run: (c) => {
    const op = c.node.op;
    const xd = c.inSpec('X').dims, yd = c.inSpec('Y').dims;
    const xn = attrNum(op, 'x_num_col_dims'), yn = attrNum(op, 'y_num_col_dims');
    const M = prod(xd, 0, xn), K = prod(xd, xn), N = prod(yd, yn);
    const x = c.in('X') as Num, y = c.in('Y') as Num, out = c.out('Out') as unknown as W;
    for (let m = 0; m < M; m++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x[m * K + k] * y[k * N + j];
        out[m * N + j] = f32(s);
      }
    }
  },
  name: (n) => `mul_f32${n.inputs.Y[0].dtype === 'int8' ? 'xs8w' : ''}_ref`,
});

interface MatmulState { g: MatmulGeom; tx: boolean; ty: boolean; alpha: number; e?: Int8Epilogue }

function matmulCheck(n: OpNode): string | undefined {
  const x = n.inputs.X[0], y = n.inputs.Y[0];
  if (isIntType(x.dtype) || isIntType(y.dtype)) {
    if (!isIntType(x.dtype) || !isIntType(y.dtype)) return `mixed dtypes ${x.dtype}/${y.dtype}`;
    if (!markedInt8(n.op)) return 'u8/s8 inputs but the op is not marked int8';
    if (attrNum(n.op, 'alpha') !== 1) return 'int8 matmul with alpha != 1 is not supported';
    return undefined;
  }
  return x.dtype === 'fp32' && y.dtype === 'fp32' ? undefined : `dtypes ${x.dtype}/${y.dtype}`;
}

function matmulPrepare(n: OpNode): MatmulState {
  const op = n.op;
  const v2 = op.type === 'matmul_v2';
  const tx = attrBool(op, v2 ? 'trans_x' : 'transpose_X'), ty = attrBool(op, v2 ? 'trans_y' : 'transpose_Y');
  const g = matmulGeom(op, n.inputs.X[0].dims, n.inputs.Y[0].dims, tx, ty);
  const st: MatmulState = { g, tx, ty, alpha: v2 ? 1 : attrNum(op, 'alpha') };
  if (isIntType(n.inputs.X[0].dtype)) {
    const out = n.outputs.Out[0];
    const { deq, dstScale } = int8Scales([attrNum(op, 'Scale_y')], attrNum(op, 'Scale_x'), attrNum(op, 'Scale_out'), out.dtype === 'fp32');
    st.e = { deq, dstScale, out: epiType(out.dtype) };
  }
  return st;
}

registerRef(['matmul', 'matmul_v2'], {
  check: matmulCheck,
  prepare: matmulPrepare,
  run: (c) => {
    const { g, tx, ty, alpha, e } = c.state as MatmulState;
    const { M, K, N } = g;
    const x = c.in('X') as Num, y = c.in('Y') as Num, out = c.out('Out') as unknown as W;
    const xi = (m: number, k: number) => (tx ? k * M + m : m * K + k);
    const yi = (k: number, j: number) => (ty ? j * K + k : k * N + j);
    for (let b = 0; b < g.xIndex.length; b++) {
      const xb = g.xIndex[b] * M * K, yb = g.yIndex[b] * K * N, ob = b * M * N;
      for (let m = 0; m < M; m++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += x[xb + xi(m, k)] * y[yb + yi(k, j)];
          out[ob + m * N + j] = e ? epilogue(s, 0, e) : f32(alpha === 1 ? s : s * alpha);
        }
      }
    }
  },
  name: (n) => {
    const x = n.inputs.X[0].dtype, y = n.inputs.Y[0].dtype;
    return isIntType(x) ? `${n.op.type}_${short(x)}${short(y)}s32_ref` : `${n.op.type}_f32_ref`;
  },
});

interface FcState { M: number; K: number; N: number; relu: boolean; bias?: Num; wq?: Int8Array; e?: Int8Epilogue }

registerRef('fc', {
  check: (n) => {
    const x = n.inputs.Input[0], w = n.inputs.W[0];
    if (w.dtype !== 'fp32' && w.dtype !== 'int8') return `W dtype ${w.dtype}`;
    const act = attrStr(n.op, 'activation_type');
    if (act !== '' && act !== 'relu') return `activation_type ${act}`;
    if (isIntType(x.dtype)) {
      if (!w.value) return 'int8 fc needs a constant W';
      const b = n.inputs.Bias?.[0];
      if (b && (!b.value || b.dtype !== 'fp32')) return 'int8 fc needs a constant fp32 Bias';
      return undefined;
    }
    return x.dtype === 'fp32' ? undefined : `Input dtype ${x.dtype}`;
  },
  prepare: (n, weights: WeightTensors): FcState => {
    const op = n.op;
    const xd = n.inputs.Input[0].dims, [K, N] = n.inputs.W[0].dims;
    const M = prod(xd, 0, attrNum(op, 'in_num_col_dims'));
    const relu = attrStr(op, 'activation_type') === 'relu';
    const bSpec = n.inputs.Bias?.[0];
    const bias = bSpec ? (weights.get(bSpec.name)?.data as Num | undefined) : undefined;
    if (!isIntType(n.inputs.Input[0].dtype)) return { M, K, N, relu, bias };
    const out = n.outputs.Out[0];
    const si = attrNum(op, 'Scale_in'), so = attrNum(op, 'Scale_out');
    const sw = perChannel(n, attrInts(op, 'Scale_weights'), N);
    const wt = weights.get(n.inputs.W[0].name);
    if (!wt) kernelError(n, 'W has no value');
    const src = wt.data as Num;
    const wq = new Int8Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wq[k * N + j] = wt.dtype === 'int8' ? src[k * N + j] : quantizeWeight(src[k * N + j], sw[j]);
    const { deq, dstScale } = int8Scales(sw, si, so, out.dtype === 'fp32');
    const e: Int8Epilogue = { deq, dstScale, activation: relu ? 'relu' : '', out: epiType(out.dtype) };
    if (bias) e.bias = Float32Array.from({ length: N }, (_, j) => bias[j]);
    return { M, K, N, relu, wq, e };
  },
  run: (c) => {
    const st = c.state as FcState;
    const { M, K, N } = st;
    const x = c.in('Input') as Num, out = c.out('Out') as unknown as W;
    const w = (st.wq ?? c.in('W')) as Num;
    for (let m = 0; m < M; m++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x[m * K + k] * w[k * N + j];
        if (st.e) { out[m * N + j] = epilogue(s, j, st.e); continue; }
        if (st.bias) s += st.bias[j];
        out[m * N + j] = f32(st.relu && s < 0 ? 0 : s);
      }
    }
  },
  name: (n) => (isIntType(n.inputs.Input[0].dtype) ? `fc_${short(n.inputs.Input[0].dtype)}s8s32_ref` : 'fc_f32_ref'),
});
