// Data-only kernel cases: {op type, attrs, input shapes/dtypes (params marked), outputs, seed}. The harness
// generates the values from the seed, so every backend runs exactly the same numbers. Sizes are generated to
// hit the edges fast kernels care about: K below / at / above multiples of 16, 1x1 / 3x3 / 7x7 kernels, stride 2,
// asymmetric pads, groups, depthwise, channel counts sampled up to 1000, full-range u8 0..255 and s8 −128..127.
import type { DType } from '../../src/util/dtype';

export interface CaseInput {
  slot: string;
  dims: number[];
  dtype: DType;
  /** persistable (a weight): compiled as a constant */
  param?: boolean;
  /** value range: fp32 [lo, hi) default [−1, 1]; uint8/int8 integers lo..hi inclusive, default the full type range */
  range?: [number, number];
  /** explicit values (repeated to fill) instead of random ones */
  values?: number[];
}

export interface KernelCase {
  name: string;
  op: string;
  attrs: Record<string, number | string | boolean | number[]>;
  inputs: CaseInput[];
  /** output slots; aux outputs (XShape, Mask, OutScale…) are declared but not compared */
  outputs: { slot: string; count?: number; aux?: boolean }[];
  seed: number;
}

let seedCounter = 1;
const mk = (c: Omit<KernelCase, 'seed'>): KernelCase => ({ ...c, seed: 0x9e3779b1 ^ (seedCounter++ * 2654435761) });

/** per-output-channel weight scales (127 / max|w_c| style values around 100..300, one zero channel when asked) */
function weightScales(oc: number, seed: number, zeroAt = -1): number[] {
  return Array.from({ length: oc }, (_, c) => (c === zeroAt ? 0 : 100 + ((c * 37 + seed * 11) % 200)));
}

interface ConvSpec { n: number; ic: number; oc: number; h: number; w: number; k: number; s: number; pad: number[]; groups: number; dil?: number; algo?: string }

function convSpecs(): ConvSpec[] {
  const out: ConvSpec[] = [];
  // K = ic·k·k below / at / above multiples of 16
  for (const ic of [1, 3, 15, 16, 17]) for (const k of [1, 3]) out.push({ n: 1, ic, oc: 5, h: 6, w: 7, k, s: 1, pad: [k >> 1, k >> 1], groups: 1 });
  out.push({ n: 2, ic: 3, oc: 8, h: 15, w: 15, k: 7, s: 2, pad: [3, 3], groups: 1 });              // 7x7 stride 2 stem
  out.push({ n: 1, ic: 4, oc: 6, h: 9, w: 8, k: 3, s: 2, pad: [0, 1, 1, 0], groups: 1 });           // asymmetric pads
  out.push({ n: 1, ic: 8, oc: 12, h: 7, w: 7, k: 3, s: 1, pad: [1, 1], groups: 4 });                // groups
  out.push({ n: 1, ic: 6, oc: 6, h: 10, w: 9, k: 3, s: 2, pad: [1, 1], groups: 6 });                // depthwise s2
  out.push({ n: 2, ic: 32, oc: 32, h: 5, w: 5, k: 3, s: 1, pad: [1, 1], groups: 32 });              // depthwise
  out.push({ n: 1, ic: 5, oc: 7, h: 9, w: 9, k: 3, s: 1, pad: [2, 2], groups: 1, dil: 2 });         // dilation
  out.push({ n: 1, ic: 5, oc: 4, h: 8, w: 11, k: 3, s: 2, pad: [0, 0], groups: 1, algo: 'SAME' });
  out.push({ n: 1, ic: 5, oc: 4, h: 8, w: 11, k: 3, s: 2, pad: [5, 5], groups: 1, algo: 'VALID' });
  out.push({ n: 1, ic: 64, oc: 1000, h: 2, w: 1, k: 1, s: 1, pad: [0, 0], groups: 1 });             // classifier-like
  out.push({ n: 1, ic: 1000, oc: 3, h: 1, w: 2, k: 1, s: 1, pad: [0, 0], groups: 1 });
  out.push({ n: 1, ic: 33, oc: 17, h: 4, w: 4, k: 1, s: 2, pad: [0, 0], groups: 1 });
  return out;
}

function convAttrs(s: ConvSpec): KernelCase['attrs'] {
  const a: KernelCase['attrs'] = { strides: [s.s, s.s], paddings: s.pad, dilations: [s.dil ?? 1, s.dil ?? 1], groups: s.groups };
  if (s.algo) a.padding_algorithm = s.algo;
  return a;
}

const convName = (s: ConvSpec) =>
  `n${s.n}_ic${s.ic}_oc${s.oc}_${s.h}x${s.w}_k${s.k}_s${s.s}_p${s.pad.join('.')}_g${s.groups}${s.dil ? `_d${s.dil}` : ''}${s.algo ? `_${s.algo}` : ''}`;

function convCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const s of convSpecs()) {
    const type = s.groups === s.ic && s.groups > 1 ? 'depthwise_conv2d' : 'conv2d';
    const filter: CaseInput = { slot: 'Filter', dims: [s.oc, s.ic / s.groups, s.k, s.k], dtype: 'fp32', param: true };
    out.push(mk({
      name: `${type}_f32_${convName(s)}`, op: type, attrs: convAttrs(s),
      inputs: [{ slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: 'fp32' }, filter, { slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true }],
      outputs: [{ slot: 'Output' }],
    }));
  }
  // fp32 with the fused attributes FP32 convs keep after the fuse passes
  for (const act of ['relu', 'relu6', 'leaky_relu', 'hard_swish', 'swish']) {
    out.push(mk({
      name: `conv2d_f32_fused_${act}_residual`, op: 'conv2d',
      attrs: { strides: [1, 1], paddings: [1, 1], fuse_activation: act, fuse_alpha: act === 'relu6' ? 0.5 : act === 'hard_swish' ? 1 / 6 : 0.1, fuse_beta: act === 'hard_swish' ? 0.5 : 0, fuse_residual_connection: true },
      inputs: [
        { slot: 'Input', dims: [1, 4, 5, 5], dtype: 'fp32' }, { slot: 'Filter', dims: [3, 4, 3, 3], dtype: 'fp32', param: true },
        { slot: 'Bias', dims: [3], dtype: 'fp32', param: true }, { slot: 'ResidualData', dims: [1, 3, 5, 5], dtype: 'fp32' },
      ],
      outputs: [{ slot: 'Output' }],
    }));
  }
  // legacy int8 weights read by an fp32 conv
  out.push(mk({
    name: 'conv2d_f32_legacy_int8_filter', op: 'conv2d', attrs: { strides: [1, 1], paddings: [1, 1] },
    inputs: [{ slot: 'Input', dims: [1, 3, 6, 6], dtype: 'fp32', range: [-127, 127] }, { slot: 'Filter', dims: [4, 3, 3, 3], dtype: 'int8', param: true }],
    outputs: [{ slot: 'Output' }],
  }));
  // int8
  let i = 0;
  for (const s of convSpecs()) {
    for (const inType of ['uint8', 'int8'] as const) {
      i++;
      const type = s.groups === s.ic && s.groups > 1 ? 'depthwise_conv2d' : 'conv2d';
      const variant = i % 5; // '', relu, relu6, residual, force_fp32_output
      const act = variant === 1 ? 'relu' : variant === 2 ? 'relu6' : '';
      const attrs: KernelCase['attrs'] = {
        ...convAttrs(s), mkldnn_data_type: 'int8', Scale_in: 40.5 + i, Scale_out: 20 + (i % 7) * 3.25,
        Scale_weights: i % 3 === 0 ? [150] : weightScales(s.oc, i, s.oc > 2 ? 1 : -1), fuse_activation: act,
      };
      // real units, before the output scale (Paddle 3.x); 0 is Conv2DOpMaker's default, read as relu6's own 6 (relu6Bound)
      if (act === 'relu6') attrs.fuse_alpha = i % 4 < 2 ? 6 : 0;
      const inputs: CaseInput[] = [
        { slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: inType },
        { slot: 'Filter', dims: [s.oc, s.ic / s.groups, s.k, s.k], dtype: 'fp32', param: true, range: [-0.8, 0.8] },
        { slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true, range: [-3, 3] },
      ];
      const [oh, ow] = convOut(s);
      if (variant === 3) {
        attrs.fuse_residual_connection = true;
        attrs.Scale_in_eltwise = 31.75;
        inputs.push({ slot: 'ResidualData', dims: [s.n, s.oc, oh, ow], dtype: i % 2 ? 'uint8' : 'int8' });
      }
      if (variant === 4) attrs.force_fp32_output = true;
      out.push(mk({ name: `${type}_${inType === 'uint8' ? 'u8' : 's8'}_${convName(s)}_v${variant}`, op: type, attrs, inputs, outputs: [{ slot: 'Output' }] }));
    }
  }
  // activations all in 0..127 (u8 ≤ 127, s8 ≥ 0: what Paddle 3.x's 127/T relu outputs hold): the relaxed build runs
  // these on the 7-bit relaxed dot; full 4×8 tiles, tails in M, K (not a multiple of 4) and positions, stride 1/2
  const seven: [ConvSpec, number][] = [
    [{ n: 2, ic: 7, oc: 13, h: 9, w: 11, k: 3, s: 1, pad: [1, 1], groups: 1 }, 0],
    [{ n: 1, ic: 5, oc: 8, h: 12, w: 17, k: 3, s: 2, pad: [1, 1], groups: 1 }, 1],
    [{ n: 2, ic: 9, oc: 10, h: 5, w: 13, k: 1, s: 1, pad: [0, 0], groups: 1 }, 3],
  ];
  for (const [s7, variant] of seven) {
    for (const inType of ['uint8', 'int8'] as const) {
      const [oh, ow] = convOut(s7);
      const inputs: CaseInput[] = [
        { slot: 'Input', dims: [s7.n, s7.ic, s7.h, s7.w], dtype: inType, range: [0, 127] },
        { slot: 'Filter', dims: [s7.oc, s7.ic, s7.k, s7.k], dtype: 'fp32', param: true, range: [-0.8, 0.8] },
        { slot: 'Bias', dims: [s7.oc], dtype: 'fp32', param: true, range: [-3, 3] },
      ];
      const attrs: KernelCase['attrs'] = {
        ...convAttrs(s7), mkldnn_data_type: 'int8', Scale_in: 43.5, Scale_out: 21.25, Scale_weights: weightScales(s7.oc, 5), fuse_activation: variant === 1 ? 'relu' : '',
      };
      if (variant === 3) {
        attrs.fuse_residual_connection = true; attrs.Scale_in_eltwise = 31.75;
        inputs.push({ slot: 'ResidualData', dims: [s7.n, s7.oc, oh, ow], dtype: 'uint8' });
      }
      out.push(mk({ name: `conv2d_${inType === 'uint8' ? 'u8' : 's8'}_7bit_${convName(s7)}_v${variant}`, op: 'conv2d', attrs, inputs, outputs: [{ slot: 'Output' }] }));
    }
  }
  // epilogue ties: Si = Sw = So = 1 (dq = ds = 1) with biases k + 0.5 put every v exactly halfway between two
  // integers, so round half to even and the saturation edges are hit on every output (full 4×8 tiles and tails)
  for (const [inType, act] of [['uint8', 'relu'], ['uint8', ''], ['int8', ''], ['int8', 'relu6']] as const) {
    for (const k of [1, 3]) {
      out.push(mk({
        name: `conv2d_${inType === 'uint8' ? 'u8' : 's8'}_ties_k${k}_${act || 'none'}`, op: 'conv2d',
        attrs: {
          strides: [1, 1], paddings: [k >> 1, k >> 1], dilations: [1, 1], groups: 1, mkldnn_data_type: 'int8',
          Scale_in: 1, Scale_out: 1, Scale_weights: [1], fuse_activation: act, ...(act === 'relu6' ? { fuse_alpha: 100.5 } : {}),
        },
        inputs: [
          { slot: 'Input', dims: [1, 3, 8, 9], dtype: inType, values: inType === 'uint8' ? [0, 1, 2, 3, 4, 5, 6, 7, 100, 200, 255, 9, 10] : [-128, -3, -2, -1, 0, 1, 2, 3, 127, 50, -50] },
          { slot: 'Filter', dims: [9, 3, k, k], dtype: 'fp32', param: true, values: [1, -1, 0, 2, -2, 1, 0, -1, 1, 0, -1] },
          { slot: 'Bias', dims: [9], dtype: 'fp32', param: true, values: [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 127.5, -128.5, 254.5] },
        ],
        outputs: [{ slot: 'Output' }],
      }));
    }
  }
  return out;
}

export function convOut(s: ConvSpec): [number, number] {
  if (s.algo === 'SAME') return [Math.ceil(s.h / s.s), Math.ceil(s.w / s.s)];
  const p = s.algo === 'VALID' ? [0, 0, 0, 0] : s.pad.length === 2 ? [s.pad[0], s.pad[0], s.pad[1], s.pad[1]] : s.pad;
  const d = s.dil ?? 1;
  return [Math.floor((s.h + p[0] + p[1] - d * (s.k - 1) - 1) / s.s) + 1, Math.floor((s.w + p[2] + p[3] - d * (s.k - 1) - 1) / s.s) + 1];
}

function fcCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const K of [1, 15, 16, 17, 31, 33, 64, 100]) {
    for (const N of [1, 7, 16, 33]) {
      if ((K * N) % 3 !== 0 && K !== 16) continue; // sample the grid
      out.push(mk({
        name: `fc_f32_K${K}_N${N}`, op: 'fc', attrs: { in_num_col_dims: 1, activation_type: K % 2 ? 'relu' : '' },
        inputs: [{ slot: 'Input', dims: [3, K], dtype: 'fp32' }, { slot: 'W', dims: [K, N], dtype: 'fp32', param: true }, { slot: 'Bias', dims: [N], dtype: 'fp32', param: true }],
        outputs: [{ slot: 'Out' }],
      }));
      const it = (K + N) % 2 ? 'uint8' : 'int8';
      out.push(mk({
        name: `fc_${it === 'uint8' ? 'u8' : 's8'}_K${K}_N${N}`, op: 'fc',
        attrs: { in_num_col_dims: 1, activation_type: K % 2 ? 'relu' : '', mkldnn_data_type: 'int8', Scale_in: 51.5, Scale_out: 13.25, Scale_weights: weightScales(N, K), force_fp32_output: N === 7 },
        inputs: [{ slot: 'Input', dims: [2, K], dtype: it }, { slot: 'W', dims: [K, N], dtype: 'fp32', param: true }, { slot: 'Bias', dims: [N], dtype: 'fp32', param: true, range: [-2, 2] }],
        outputs: [{ slot: 'Out' }],
      }));
    }
  }
  // int8 fc over more rows than the GEMV kernels take (matrix-mode GEMM), full-range and 7-bit activations
  for (const [it, range] of [['uint8', undefined], ['uint8', [0, 127]], ['int8', [0, 127]]] as const) {
    out.push(mk({
      name: `fc_${it === 'uint8' ? 'u8' : 's8'}_rows11_K37_N13${range ? '_7bit' : ''}`, op: 'fc',
      attrs: { in_num_col_dims: 1, activation_type: 'relu', mkldnn_data_type: 'int8', Scale_in: 51.5, Scale_out: 13.25, Scale_weights: weightScales(13, 37) },
      inputs: [{ slot: 'Input', dims: [11, 37], dtype: it, ...(range ? { range: [...range] as [number, number] } : {}) }, { slot: 'W', dims: [37, 13], dtype: 'fp32', param: true }, { slot: 'Bias', dims: [13], dtype: 'fp32', param: true, range: [-2, 2] }],
      outputs: [{ slot: 'Out' }],
    }));
  }
  // int8 fc on the GEMV kernels (1..3 rows): K around the 16-k step, N not a multiple of the 4 features of a
  // step; full-range and 7-bit activations (the relaxed build's 7-bit GEMV), relu, u8/s8/f32 outputs
  let gi = 0;
  for (const K of [15, 16, 17, 33, 200]) {
    for (const seven of [false, true]) {
      gi++;
      const it = (gi >> 1) % 2 ? 'uint8' : 'int8', rows = 1 + (gi % 3), N = [5, 13, 4][gi % 3];
      out.push(mk({
        name: `fc_${it === 'uint8' ? 'u8' : 's8'}_gemv_rows${rows}_K${K}_N${N}${seven ? '_7bit' : ''}`, op: 'fc',
        attrs: { in_num_col_dims: 1, activation_type: gi % 4 === 1 ? '' : 'relu', mkldnn_data_type: 'int8', Scale_in: 51.5, Scale_out: 13.25, Scale_weights: weightScales(N, K), force_fp32_output: gi === 7 },
        inputs: [{ slot: 'Input', dims: [rows, K], dtype: it, ...(seven ? { range: [0, 127] as [number, number] } : {}) }, { slot: 'W', dims: [K, N], dtype: 'fp32', param: true }, { slot: 'Bias', dims: [N], dtype: 'fp32', param: true, range: [-2, 2] }],
        outputs: [{ slot: 'Out' }],
      }));
    }
  }
  out.push(mk({
    name: 'fc_f32_in_num_col_dims2_1000', op: 'fc', attrs: { in_num_col_dims: 2 },
    inputs: [{ slot: 'Input', dims: [2, 3, 4, 5], dtype: 'fp32' }, { slot: 'W', dims: [20, 1000], dtype: 'fp32', param: true }],
    outputs: [{ slot: 'Out' }],
  }));
  out.push(mk({
    name: 'mul_f32_legacy_int8_Y', op: 'mul', attrs: { x_num_col_dims: 1, y_num_col_dims: 1 },
    inputs: [{ slot: 'X', dims: [2, 4, 2, 2], dtype: 'fp32', range: [-127, 127] }, { slot: 'Y', dims: [16, 10], dtype: 'int8', param: true }],
    outputs: [{ slot: 'Out' }],
  }));
  return out;
}

function matmulCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const shapes: [number[], number[], boolean, boolean][] = [
    [[3, 17], [17, 5], false, false], [[2, 3, 16], [2, 16, 4], false, false], [[2, 1, 5, 3], [4, 5, 2], true, false],
    [[6, 33], [7, 33], false, true], [[9], [9, 4], false, false], [[2, 3, 4], [4], false, false],
  ];
  shapes.forEach(([x, y, tx, ty], i) => {
    out.push(mk({ name: `matmul_f32_${x.join('x')}_${y.join('x')}_${+tx}${+ty}`, op: 'matmul', attrs: { transpose_X: tx, transpose_Y: ty, alpha: i % 2 ? 0.5 : 1 },
      inputs: [{ slot: 'X', dims: x, dtype: 'fp32' }, { slot: 'Y', dims: y, dtype: 'fp32' }], outputs: [{ slot: 'Out' }] }));
    out.push(mk({ name: `matmul_v2_f32_${x.join('x')}_${y.join('x')}_${+tx}${+ty}`, op: 'matmul_v2', attrs: { trans_x: tx, trans_y: ty },
      inputs: [{ slot: 'X', dims: x, dtype: 'fp32' }, { slot: 'Y', dims: y, dtype: 'fp32' }], outputs: [{ slot: 'Out' }] }));
    const xt = i % 2 ? 'uint8' : 'int8', yt = i % 3 ? 'int8' : 'uint8';
    out.push(mk({ name: `matmul_${xt}_${yt}_${x.join('x')}_${y.join('x')}_${+tx}${+ty}`, op: 'matmul',
      attrs: { transpose_X: tx, transpose_Y: ty, mkldnn_data_type: 'int8', Scale_x: 63.5, Scale_y: 101, Scale_out: (9.5 + i) / 20, force_fp32_output: i === 2 },
      inputs: [{ slot: 'X', dims: x, dtype: xt }, { slot: 'Y', dims: y, dtype: yt }], outputs: [{ slot: 'Out' }] }));
  });
  return out;
}

function poolCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const geo: [string, KernelCase['attrs'], number[]][] = [
    ['3x3s2_ceil', { ksize: [3, 3], strides: [2, 2], ceil_mode: true }, [1, 3, 8, 8]],
    ['3x3s2_floor_pad1', { ksize: [3, 3], strides: [2, 2], paddings: [1, 1] }, [2, 2, 9, 7]],
    ['2x2s1_pad_asym', { ksize: [2, 3], strides: [1, 2], paddings: [1, 0, 0, 2] }, [1, 2, 5, 6]],
    ['3x3s1_pad1_inclusive', { ksize: [3, 3], strides: [1, 1], paddings: [1, 1], exclusive: false }, [1, 2, 4, 5]],
    ['global', { ksize: [1, 1], global_pooling: true }, [2, 5, 7, 7]],
    ['adaptive_3x2', { ksize: [3, 2], adaptive: true }, [1, 3, 7, 5]],
    ['same_3x3s2', { ksize: [3, 3], strides: [2, 2], padding_algorithm: 'SAME' }, [1, 2, 7, 8]],
    // rows wide enough for the SIMD max path's 16-byte (4-float) groups and their tails
    ['3x3s2_w37', { ksize: [3, 3], strides: [2, 2] }, [1, 3, 9, 37]],                          // ow 18
    ['3x3s2_ceil_w67', { ksize: [3, 3], strides: [2, 2], ceil_mode: true }, [1, 2, 6, 67]],     // ow 33, last window clipped
    ['2x2s2_w64', { ksize: [2, 2], strides: [2, 2] }, [2, 3, 4, 64]],                           // ow 32
    ['3x3s1_pad1_w40', { ksize: [3, 3], strides: [1, 1], paddings: [1, 1] }, [1, 2, 5, 40]],
    ['5x5s2_pad2_w45', { ksize: [5, 5], strides: [2, 2], paddings: [2, 2] }, [1, 2, 9, 45]],
    ['3x3s2_pad_asym_w50', { ksize: [3, 3], strides: [2, 2], paddings: [0, 1, 2, 1] }, [1, 2, 7, 50]],
    ['global_w40', { ksize: [1, 1], global_pooling: true }, [1, 3, 3, 40]],
  ];
  for (const [name, attrs, dims] of geo) {
    for (const t of ['max', 'avg']) {
      for (const dt of ['fp32', 'uint8', 'int8'] as const) {
        out.push(mk({ name: `pool2d_${t}_${dt}_${name}`, op: 'pool2d', attrs: { ...attrs, pooling_type: t }, inputs: [{ slot: 'X', dims, dtype: dt }], outputs: [{ slot: 'Out' }] }));
      }
    }
  }
  // f32 max with NaN, ±inf and −FLT_MAX among the values (NaN is never the max; an all-NaN/−inf window gives −FLT_MAX)
  out.push(mk({
    name: 'pool2d_max_fp32_specials_w41', op: 'pool2d', attrs: { ksize: [3, 3], strides: [2, 2], ceil_mode: true, pooling_type: 'max' },
    inputs: [{ slot: 'X', dims: [1, 2, 5, 41], dtype: 'fp32', values: [NaN, -Infinity, 1.5, -3.4028234663852886e38, NaN, NaN, -Infinity, -2, Infinity, 0, -0, NaN, -Infinity] }],
    outputs: [{ slot: 'Out' }],
  }));
  // windows of only NaN / −inf (rows 0, 2): −FLT_MAX, Paddle's initial max
  const nanRow = Array.from({ length: 20 }, (_, i) => (i % 3 ? -Infinity : NaN));
  out.push(mk({
    name: 'pool2d_max_fp32_nan_inf_windows_w20', op: 'pool2d', attrs: { ksize: [1, 3], strides: [1, 2], pooling_type: 'max' },
    inputs: [{ slot: 'X', dims: [1, 1, 4, 20], dtype: 'fp32', values: [...nanRow, ...Array.from({ length: 20 }, (_, i) => i - 9.5)] }],
    outputs: [{ slot: 'Out' }],
  }));
  return out;
}

function quantCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const big: [number, number] = [-3, 3];
  out.push(mk({ name: 'quantize_f32s8', op: 'quantize', attrs: { Scale: 63.5, Shift: 0, is_negative_input: true }, inputs: [{ slot: 'Input', dims: [2, 3, 5, 7], dtype: 'fp32', range: big }], outputs: [{ slot: 'Output' }] }));
  out.push(mk({ name: 'quantize_f32u8', op: 'quantize', attrs: { Scale: 127.5, Shift: 0, is_negative_input: false }, inputs: [{ slot: 'Input', dims: [1, 4, 6, 6], dtype: 'fp32', range: big }], outputs: [{ slot: 'Output' }] }));
  out.push(mk({ name: 'quantize_f32u8_shift128', op: 'quantize', attrs: { Scale: 40, Shift: 128, is_negative_input: true }, inputs: [{ slot: 'Input', dims: [3, 50], dtype: 'fp32', range: big }], outputs: [{ slot: 'Output' }] }));
  // ties: x·Scale lands on k + 0.5 exactly (Scale 2, x = k/2 + 1/4)
  out.push(mk({ name: 'quantize_f32s8_ties', op: 'quantize', attrs: { Scale: 2, is_negative_input: true }, inputs: [{ slot: 'Input', dims: [16], dtype: 'fp32', values: [0.25, 0.75, 1.25, 1.75, -0.25, -0.75, -1.25, -1.75, 63.75, -64.25, 100, -100, 0, 2.25, -2.25, 3.25] }], outputs: [{ slot: 'Output' }] }));
  for (const dt of ['uint8', 'int8'] as const) {
    out.push(mk({ name: `dequantize_${dt}`, op: 'dequantize', attrs: { Scale: 41.3 }, inputs: [{ slot: 'Input', dims: [2, 300], dtype: dt }], outputs: [{ slot: 'Output' }] }));
    out.push(mk({ name: `requantize_${dt}_up`, op: 'requantize', attrs: { Scale_in: 20.5, Scale_out: 47.25 }, inputs: [{ slot: 'Input', dims: [4, 64], dtype: dt }], outputs: [{ slot: 'Output' }] }));
    out.push(mk({ name: `requantize_${dt}_down`, op: 'requantize', attrs: { Scale_in: 47.25, Scale_out: 20.5 }, inputs: [{ slot: 'Input', dims: [4, 64], dtype: dt }], outputs: [{ slot: 'Output' }] }));
  }
  out.push(mk({ name: 'dequantize_u8_shift128', op: 'dequantize', attrs: { Scale: 40, Shift: 128 }, inputs: [{ slot: 'Input', dims: [256], dtype: 'uint8' }], outputs: [{ slot: 'Output' }] }));
  // legacy dynamic abs-max quantize and max_range dequantize
  out.push(mk({ name: 'quantize_legacy_abs_max', op: 'quantize', attrs: { bit_length: 8 }, inputs: [{ slot: 'X', dims: [2, 3, 4, 5], dtype: 'fp32', range: [-4, 2] }], outputs: [{ slot: 'Out' }, { slot: 'OutScale' }] }));
  out.push(mk({ name: 'dequantize_legacy_max_range', op: 'dequantize', attrs: { max_range: 127 * 127 / 0.73 }, inputs: [{ slot: 'X', dims: [2, 40], dtype: 'fp32', range: [-2e5, 2e5] }, { slot: 'Scale', dims: [1], dtype: 'fp32', range: [0.5, 4] }], outputs: [{ slot: 'Out' }] }));
  return out;
}

function movementCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const dt of ['fp32', 'uint8', 'int8'] as const) {
    const s = dt === 'fp32' ? 'f32' : dt === 'uint8' ? 'u8' : 's8';
    out.push(mk({ name: `concat_${s}_axis1`, op: 'concat', attrs: { axis: 1 }, inputs: [{ slot: 'X', dims: [2, 3, 4, 4], dtype: dt }, { slot: 'X', dims: [2, 5, 4, 4], dtype: dt }, { slot: 'X', dims: [2, 1, 4, 4], dtype: dt }], outputs: [{ slot: 'Out' }] }));
    out.push(mk({ name: `concat_${s}_axis_neg1`, op: 'concat', attrs: { axis: -1 }, inputs: [{ slot: 'X', dims: [3, 2, 7], dtype: dt }, { slot: 'X', dims: [3, 2, 2], dtype: dt }], outputs: [{ slot: 'Out' }] }));
    out.push(mk({ name: `transpose2_${s}_0231`, op: 'transpose2', attrs: { axis: [0, 2, 3, 1] }, inputs: [{ slot: 'X', dims: [2, 3, 4, 5], dtype: dt }], outputs: [{ slot: 'Out' }, { slot: 'XShape', aux: true }] }));
    out.push(mk({ name: `transpose2_${s}_210`, op: 'transpose2', attrs: { axis: [2, 1, 0] }, inputs: [{ slot: 'X', dims: [3, 1, 6], dtype: dt }], outputs: [{ slot: 'Out' }, { slot: 'XShape', aux: true }] }));
    out.push(mk({ name: `reshape2_${s}_0_neg1`, op: 'reshape2', attrs: { shape: [0, -1, 2] }, inputs: [{ slot: 'X', dims: [2, 3, 4, 5], dtype: dt }], outputs: [{ slot: 'Out' }, { slot: 'XShape', aux: true }] }));
  }
  out.push(mk({ name: 'split_f32_sections', op: 'split', attrs: { axis: 1, sections: [2, -1, 1] }, inputs: [{ slot: 'X', dims: [2, 6, 3], dtype: 'fp32' }], outputs: [{ slot: 'Out', count: 3 }] }));
  out.push(mk({ name: 'slice_f32_decrease', op: 'slice', attrs: { axes: [1, 2], starts: [1, -3], ends: [2, 100], decrease_axis: [1] }, inputs: [{ slot: 'Input', dims: [2, 3, 5], dtype: 'fp32' }], outputs: [{ slot: 'Out' }] }));
  out.push(mk({ name: 'flatten_contiguous_range_f32', op: 'flatten_contiguous_range', attrs: { start_axis: 1, stop_axis: -1 }, inputs: [{ slot: 'X', dims: [2, 3, 2, 2], dtype: 'fp32' }], outputs: [{ slot: 'Out' }, { slot: 'XShape', aux: true }] }));
  return out;
}

function pointwiseCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const ew: [number[], number[], number][] = [
    [[2, 3, 4, 5], [3], 1], [[2, 3, 4, 5], [4, 5], -1], [[2, 3, 4, 5], [2, 3, 4, 5], -1], [[2, 3, 4, 5], [3, 1, 1], 1],
    [[4, 5], [4, 1], -1], [[2, 5], [5, 1], 1], [[2, 3, 4], [2, 1, 4], -1], [[3], [2, 3], -1],
  ];
  for (const type of ['elementwise_add', 'elementwise_sub', 'elementwise_mul', 'elementwise_div']) {
    ew.forEach(([x, y, axis]) => out.push(mk({
      name: `${type}_f32_${x.join('x')}_${y.join('x')}_axis${axis}`, op: type, attrs: { axis },
      inputs: [{ slot: 'X', dims: x, dtype: 'fp32' }, { slot: 'Y', dims: y, dtype: 'fp32', range: type === 'elementwise_div' ? [0.5, 2] : [-1, 1] }],
      outputs: [{ slot: 'Out' }],
    })));
  }
  for (const axis of [-1, 1, 0]) out.push(mk({ name: `softmax_f32_axis${axis}`, op: 'softmax', attrs: { axis }, inputs: [{ slot: 'X', dims: [3, 10, 4], dtype: 'fp32', range: [-8, 8] }], outputs: [{ slot: 'Out' }] }));
  out.push(mk({ name: 'softmax_f32_1000', op: 'softmax', attrs: {}, inputs: [{ slot: 'X', dims: [2, 1000], dtype: 'fp32', range: [-20, 20] }], outputs: [{ slot: 'Out' }] }));
  out.push(mk({
    name: 'batch_norm_f32', op: 'batch_norm', attrs: { epsilon: 1e-5, is_test: true },
    inputs: [
      { slot: 'X', dims: [2, 7, 3, 3], dtype: 'fp32', range: [-5, 5] }, { slot: 'Scale', dims: [7], dtype: 'fp32', param: true },
      { slot: 'Bias', dims: [7], dtype: 'fp32', param: true }, { slot: 'Mean', dims: [7], dtype: 'fp32', param: true },
      { slot: 'Variance', dims: [7], dtype: 'fp32', param: true, range: [0.01, 4] },
    ],
    outputs: [{ slot: 'Y' }],
  }));
  for (const [type, attrs] of [['relu', {}], ['relu6', { threshold: 6 }], ['leaky_relu', { alpha: 0.1 }], ['tanh', {}], ['sigmoid', {}], ['hard_swish', {}], ['hard_sigmoid', {}], ['scale', { scale: 1.5, bias: -0.25, bias_after_scale: false }], ['dropout', { dropout_prob: 0.3, is_test: true }]] as const) {
    out.push(mk({ name: `${type}_f32`, op: type, attrs: { ...attrs }, inputs: [{ slot: 'X', dims: [3, 40], dtype: 'fp32', range: [-9, 9] }], outputs: type === 'dropout' ? [{ slot: 'Out' }, { slot: 'Mask', aux: true }] : [{ slot: 'Out' }] }));
  }
  out.push(mk({ name: 'relu_s8', op: 'relu', attrs: {}, inputs: [{ slot: 'X', dims: [300], dtype: 'int8' }], outputs: [{ slot: 'Out' }] }));
  out.push(mk({ name: 'lrn_f32', op: 'lrn', attrs: { n: 5, k: 1, alpha: 0.01, beta: 0.75 }, inputs: [{ slot: 'X', dims: [1, 7, 3, 2], dtype: 'fp32', range: [-3, 3] }], outputs: [{ slot: 'Out' }, { slot: 'MidOut', aux: true }] }));
  return out;
}

/**
 * INT8 cases where an s32 sum off by one changes the output: Si = Sw = So = 1 (dq = ds = 1) and biases k + 0.5,
 * small activations and weights so that acc + bias stays mostly inside the output range (as the ties cases above),
 * at the sizes of the fast paths: 1×1 direct convs over several 8-position blocks and a block tail, padded 3×3
 * with full and partial blocks per row, GEMV rows with K past the 16-k steps, GEMM fc. `7bit` inputs take the
 * relaxed build's 7-bit kernels, the others carry one byte ≥ 128 (u8) or < 0 (s8) and take the plain ones.
 */
function int8SumCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const w = [1, -1, 0, 2, -2, 1, 0, -1, 1, 1, -1, 0, -1]; // sums to 0: long sums over whole periods cancel
  const bias = [0.5, -0.5, 1.5, 100.5, 127.5, -3.5, 60.5, 30.5, -60.5];
  const scales = { mkldnn_data_type: 'int8', Scale_in: 1, Scale_out: 1, Scale_weights: [1] };
  const xs = (t: 'uint8' | 'int8', seven: boolean) => (seven ? [0, 1, 2, 3, 1, 0, 2, 3, 3, 1, 2]
    : t === 'uint8' ? [0, 1, 2, 3, 1, 0, 2, 3, 255, 1, 2, 0, 3, 1, 2, 0, 1, 3, 2, 1, 0, 2, 3, 1, 0, 2, 128, 1, 2]
      : [0, 1, -2, 3, -1, 0, 2, -3, -128, 1, 2, 0, -1, 1, 2, 0, 1, -3, 2, 1, 0, 2, 127, 1, 0, -2, 3, 1, 2]);
  const convs: [string, number[], number, number, number[], string][] = [
    // name, input dims, oc, k, pads, activation
    ['1x1_direct_P72', [1, 64, 8, 9], 10, 1, [0, 0], 'relu'],
    ['1x1_direct_P35_n2', [2, 24, 5, 7], 9, 1, [0, 0], ''],
    ['1x1_direct_K33_P300', [1, 33, 15, 20], 8, 1, [0, 0], 'relu6'],
    ['3x3_padded_w17', [1, 8, 10, 17], 8, 3, [1, 1], 'relu'],
    ['3x3_padded_w16_n2', [2, 5, 6, 16], 6, 3, [1, 1], ''],
    // a wider layer: K = 1152, 30 channel tiles
    ['3x3_padded_compact_w', [1, 128, 5, 9], 120, 3, [1, 1], 'relu'],
  ];
  let i = 0;
  for (const [name, dims, oc, k, pads, act] of convs) {
    for (const [t, seven] of [['uint8', true], ['uint8', false], ['int8', true], ['int8', false]] as const) {
      i++;
      const attrs: KernelCase['attrs'] = { strides: [1, 1], paddings: pads, dilations: [1, 1], groups: 1, ...scales, fuse_activation: act, ...(act === 'relu6' ? { fuse_alpha: 100.5 } : {}) };
      const inputs: CaseInput[] = [
        { slot: 'Input', dims, dtype: t, values: xs(t, seven) },
        { slot: 'Filter', dims: [oc, dims[1], k, k], dtype: 'fp32', param: true, values: w },
        { slot: 'Bias', dims: [oc], dtype: 'fp32', param: true, values: bias },
      ];
      if (i % 4 === 2 && act !== 'relu6') { // residual with its own scale 1
        attrs.fuse_residual_connection = true; attrs.Scale_in_eltwise = 1;
        inputs.push({ slot: 'ResidualData', dims: [dims[0], oc, dims[2] - k + 1 + 2 * pads[0], dims[3] - k + 1 + 2 * pads[0]], dtype: 'uint8', values: [0, 1, 2, 5, 9] });
      }
      if (i % 5 === 3) attrs.force_fp32_output = true;
      out.push(mk({ name: `conv2d_${t === 'uint8' ? 'u8' : 's8'}_sum_${name}${seven ? '_7bit' : ''}`, op: 'conv2d', attrs, inputs, outputs: [{ slot: 'Output' }] }));
    }
  }
  // Scale_in = 0 makes dq infinite (a zero weight scale gives dq = 1 in the contract): acc = 0 gives NaN (→ 0 in
  // every output type, the s8 clamp must not turn it into −128), others ±inf (→ saturate)
  const zs = (n: number) => Array.from({ length: n }, (_, c) => (c % 5 === 1 ? 0 : 1));
  for (const [t, act] of [['uint8', ''], ['int8', ''], ['uint8', 'relu'], ['int8', 'relu6']] as const) {
    out.push(mk({
      name: `conv2d_${t === 'uint8' ? 'u8' : 's8'}_sum_inf_scale_${act || 'none'}`, op: 'conv2d',
      attrs: { strides: [1, 1], paddings: [0, 0], dilations: [1, 1], groups: 1, ...scales, Scale_in: 0, Scale_weights: zs(12), fuse_activation: act, ...(act === 'relu6' ? { fuse_alpha: 100.5 } : {}) },
      inputs: [
        { slot: 'Input', dims: [1, 16, 5, 7], dtype: t, values: [...new Array<number>(35).fill(0), 1, 3] }, // many all-zero columns: acc = 0
        { slot: 'Filter', dims: [12, 16, 1, 1], dtype: 'fp32', param: true, values: w },
        { slot: 'Bias', dims: [12], dtype: 'fp32', param: true, values: [0, 0.5, 0, -3.5] },
      ],
      outputs: [{ slot: 'Output' }],
    }));
  }
  const fcs: [number, number, number][] = [[1, 2048, 7], [3, 40, 9], [11, 100, 9], [50, 70, 13], [11, 1100, 130]];
  for (const [rows, K, N] of fcs) {
    for (const [t, seven] of [['uint8', true], ['uint8', false], ['int8', true], ['int8', false]] as const) {
      out.push(mk({
        name: `fc_${t === 'uint8' ? 'u8' : 's8'}_sum_rows${rows}_K${K}_N${N}${seven ? '_7bit' : ''}`, op: 'fc',
        attrs: { in_num_col_dims: 1, activation_type: seven ? 'relu' : '', ...scales, Scale_weights: new Array<number>(N).fill(1) },
        inputs: [{ slot: 'Input', dims: [rows, K], dtype: t, values: xs(t, seven) }, { slot: 'W', dims: [K, N], dtype: 'fp32', param: true, values: w }, { slot: 'Bias', dims: [N], dtype: 'fp32', param: true, values: bias }],
        outputs: [{ slot: 'Out' }],
      }));
    }
  }
  return out;
}

/**
 * INT8 3×3 stride-1 convs, which the wasm backend runs by integer Winograd F(2×2, 3×3): output widths around its
 * 8-tile (16-column) blocks and odd sizes (half tiles), pads 0/1/2 and asymmetric, channel pairs and tails, every
 * epilogue variant, full-range u8/s8; and the largest sums the path accepts (|4·Y| just under 2^31 at IC = 1827
 * with x = 255, w = −128), seen exactly through an f32 output
 */
function winogradCases(): KernelCase[] {
  const out: KernelCase[] = [];
  const specs: ConvSpec[] = [
    { n: 1, ic: 9, oc: 4, h: 1, w: 1, k: 3, s: 1, pad: [1, 1], groups: 1 },            // one output, odd IC
    { n: 2, ic: 11, oc: 5, h: 5, w: 15, k: 3, s: 1, pad: [1, 1], groups: 1 },          // ow 15, oh 5
    { n: 1, ic: 33, oc: 13, h: 7, w: 16, k: 3, s: 1, pad: [1, 1], groups: 1 },         // one full block
    { n: 1, ic: 8, oc: 9, h: 4, w: 17, k: 3, s: 1, pad: [1, 1], groups: 1 },           // a 1-tile second block
    { n: 1, ic: 10, oc: 8, h: 6, w: 35, k: 3, s: 1, pad: [0, 0], groups: 1 },          // valid: ow 33
    { n: 1, ic: 13, oc: 7, h: 9, w: 24, k: 3, s: 1, pad: [0, 1, 2, 0], groups: 1 },    // asymmetric
    { n: 2, ic: 15, oc: 6, h: 3, w: 9, k: 3, s: 1, pad: [2, 2], groups: 1 },           // pad 2: ow = w + 2
    { n: 1, ic: 64, oc: 20, h: 12, w: 56, k: 3, s: 1, pad: [1, 1], groups: 1 },        // 3.5 blocks, as ResNet's 56
  ];
  let i = 0;
  for (const s of specs) {
    for (const inType of ['uint8', 'int8'] as const) {
      for (const variant of [0, 1, 2, 3, 4]) {
        if ((i++ % 2) && s.ic > 16) continue; // the wide ones: every variant once over u8/s8
        const act = variant === 1 ? 'relu' : variant === 2 ? 'relu6' : '';
        const attrs: KernelCase['attrs'] = {
          ...convAttrs(s), mkldnn_data_type: 'int8', Scale_in: 37.5 + variant, Scale_out: 18 + variant * 2.5,
          Scale_weights: variant % 2 ? [150] : weightScales(s.oc, variant + 3, 1), fuse_activation: act,
        };
        if (act === 'relu6') attrs.fuse_alpha = 6;
        const inputs: CaseInput[] = [
          { slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: inType },
          { slot: 'Filter', dims: [s.oc, s.ic, 3, 3], dtype: 'fp32', param: true, range: [-0.8, 0.8] },
          { slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true, range: [-3, 3] },
        ];
        const [oh, ow] = convOut(s);
        if (variant === 3) {
          attrs.fuse_residual_connection = true; attrs.Scale_in_eltwise = 29.5;
          inputs.push({ slot: 'ResidualData', dims: [s.n, s.oc, oh, ow], dtype: inType });
        }
        if (variant === 4) attrs.force_fp32_output = true;
        out.push(mk({ name: `conv2d_${inType === 'uint8' ? 'u8' : 's8'}_wino_${convName(s)}_v${variant}`, op: 'conv2d', attrs, inputs, outputs: [{ slot: 'Output' }] }));
      }
    }
  }
  // FP32 (the Winograd FP32 kernel): every spec, each fused activation once, residuals, no bias
  const acts = ['', 'relu', 'relu6', 'leaky_relu', 'hard_swish', 'swish'];
  specs.forEach((s, k) => {
    const act = acts[k % acts.length];
    const [oh, ow] = convOut(s);
    const inputs: CaseInput[] = [
      { slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: 'fp32', range: [-2, 2] },
      { slot: 'Filter', dims: [s.oc, s.ic, 3, 3], dtype: 'fp32', param: true },
    ];
    if (k % 3 !== 2) inputs.push({ slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true });
    const attrs: KernelCase['attrs'] = { ...convAttrs(s), fuse_activation: act, fuse_alpha: act === 'relu6' ? 0.5 : act === 'hard_swish' ? 1 / 6 : 0.1, fuse_beta: act === 'hard_swish' ? 0.5 : 0 };
    if (k % 2) { attrs.fuse_residual_connection = true; inputs.push({ slot: 'ResidualData', dims: [s.n, s.oc, oh, ow], dtype: 'fp32' }); }
    out.push(mk({ name: `conv2d_f32_wino_${convName(s)}_${act || 'none'}${k % 2 ? '_residual' : ''}`, op: 'conv2d', attrs, inputs, outputs: [{ slot: 'Output' }] }));
  });
  for (const [t, ic, x] of [['uint8', 1827, 255], ['int8', 1500, -128]] as const) {
    out.push(mk({
      name: `conv2d_${t === 'uint8' ? 'u8' : 's8'}_wino_largest_sums_ic${ic}`, op: 'conv2d',
      attrs: { strides: [1, 1], paddings: [1, 1], dilations: [1, 1], groups: 1, mkldnn_data_type: 'int8', Scale_in: 1, Scale_out: 1, Scale_weights: [128], force_fp32_output: true },
      inputs: [
        { slot: 'Input', dims: [1, ic, 3, 4], dtype: t, values: [x] },
        // −128 everywhere but a few −127 and 0 (so outputs differ by position and channel, and a wrap would show)
        { slot: 'Filter', dims: [3, ic, 3, 3], dtype: 'fp32', param: true, values: [-1, -1, -1, -1, -1, -1, -1, -127 / 128, -1, -1, 0] },
        { slot: 'Bias', dims: [3], dtype: 'fp32', param: true, values: [0.5, -0.5, 0] },
      ],
      outputs: [{ slot: 'Output' }],
    }));
  }
  return out;
}

/** every case, in a stable order */
/**
 * depthwise with output rows of several 8-wide blocks plus tails (the wasm 3x3 path and its 8-output epilogue):
 * stride 1 and 2, asymmetric pads, dilation, 5x5, channel counts 2..100, u8/s8 in full range, every int8 variant
 * (none, relu, relu6, residual, fp32 output), fp32 plain and with relu6
 */
function dwCases(): KernelCase[] {
  const specs: ConvSpec[] = [
    { n: 1, ic: 17, oc: 17, h: 11, w: 21, k: 3, s: 1, pad: [1, 1], groups: 17 },            // ow 21
    { n: 2, ic: 24, oc: 24, h: 13, w: 35, k: 3, s: 2, pad: [0, 1, 1, 0], groups: 24 },      // s2, asymmetric
    { n: 1, ic: 100, oc: 100, h: 9, w: 16, k: 3, s: 2, pad: [1, 1], groups: 100 },          // ow 8 exactly
    { n: 1, ic: 3, oc: 3, h: 12, w: 20, k: 3, s: 1, pad: [2, 2], groups: 3, dil: 2 },       // dilation
    { n: 1, ic: 8, oc: 8, h: 13, w: 18, k: 5, s: 2, pad: [2, 2], groups: 8 },               // 5x5 s2
    { n: 1, ic: 2, oc: 2, h: 7, w: 33, k: 3, s: 2, pad: [1, 2, 0, 1], groups: 2 },          // ow 16
  ];
  const out: KernelCase[] = [];
  for (const s of specs) {
    const filter: CaseInput = { slot: 'Filter', dims: [s.oc, 1, s.k, s.k], dtype: 'fp32', param: true };
    for (const act of ['', 'relu6']) {
      out.push(mk({
        name: `depthwise_conv2d_f32_wide_${convName(s)}${act ? `_${act}` : ''}`, op: 'depthwise_conv2d', attrs: { ...convAttrs(s), fuse_activation: act, fuse_alpha: act ? 0.5 : 0 },
        inputs: [{ slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: 'fp32' }, filter, { slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true }],
        outputs: [{ slot: 'Output' }],
      }));
    }
    const [oh, ow] = convOut(s);
    for (const inType of ['uint8', 'int8'] as const) {
      for (let variant = 0; variant < 5; variant++) {
        const act = variant === 1 ? 'relu' : variant === 2 ? 'relu6' : '';
        const attrs: KernelCase['attrs'] = {
          ...convAttrs(s), mkldnn_data_type: 'int8', Scale_in: 40.5 + variant, Scale_out: 20 + variant * 3.25,
          Scale_weights: weightScales(s.oc, variant, s.oc > 2 ? 1 : -1), fuse_activation: act,
        };
        if (act === 'relu6') attrs.fuse_alpha = 6;
        const inputs: CaseInput[] = [
          { slot: 'Input', dims: [s.n, s.ic, s.h, s.w], dtype: inType },
          { slot: 'Filter', dims: [s.oc, 1, s.k, s.k], dtype: 'fp32', param: true, range: [-0.8, 0.8] },
          { slot: 'Bias', dims: [s.oc], dtype: 'fp32', param: true, range: [-3, 3] },
        ];
        if (variant === 3) {
          attrs.fuse_residual_connection = true;
          attrs.Scale_in_eltwise = 31.75;
          inputs.push({ slot: 'ResidualData', dims: [s.n, s.oc, oh, ow], dtype: inType });
        }
        if (variant === 4) attrs.force_fp32_output = true;
        out.push(mk({ name: `depthwise_conv2d_${inType === 'uint8' ? 'u8' : 's8'}_wide_${convName(s)}_v${variant}`, op: 'depthwise_conv2d', attrs, inputs, outputs: [{ slot: 'Output' }] }));
      }
    }
  }
  return out;
}

export function kernelCases(): KernelCase[] {
  seedCounter = 1;
  return [...convCases(), ...fcCases(), ...matmulCases(), ...poolCases(), ...quantCases(), ...movementCases(), ...pointwiseCases(), ...int8SumCases(), ...dwCases(), ...winogradCases()];
}
