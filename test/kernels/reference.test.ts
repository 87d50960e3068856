// The kernel suite on the reference backend. Three layers:
//  1. every case runs twice on fresh reference backends and the harness compares them (the comparison rule is
//     exercised on real outputs; outputs must be non-trivial: not all one value);
//  2. independent oracles written here: conv/depthwise (fp32 and int8) as im2col + matmul in float64, fc and
//     matmul int8 as plain sums, quantize/dequantize/requantize as their formulas;
//  3. the comparison rule itself (bit-exact ints, 1e-5 relative fp32) on hand-made tensors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { referenceBackend } from '../../src/backends/reference/backend';
import { epilogue, int8Scales, quantizeWeight, rne, saturate, type Int8Epilogue } from '../../src/int8/contract';
import type { Tensor } from '../../src/util/dtype';
import { kernelCases, type KernelCase } from './cases';
import { caseInputs, checkCase, compareOutputs, runCase } from './harness';

const cases = kernelCases();
const f = Math.fround;

test('case list covers the op set and the edge sizes', () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ['conv2d', 'depthwise_conv2d', 'fc', 'matmul', 'matmul_v2', 'pool2d', 'quantize', 'dequantize', 'requantize', 'concat', 'transpose2', 'reshape2', 'elementwise_add', 'softmax', 'batch_norm']) {
    assert.ok(ops.has(op), `no case for ${op}`);
  }
  const names = cases.map((c) => c.name);
  assert.is(new Set(names).size, names.length, 'case names are unique');
  assert.ok(cases.some((c) => c.inputs.some((i) => i.dtype === 'uint8')) && cases.some((c) => c.inputs.some((i) => i.dtype === 'int8')));
  assert.ok(cases.filter((c) => c.name.startsWith('conv2d_u8') || c.name.startsWith('conv2d_s8')).length >= 20);
  assert.ok(cases.length > 150, `${cases.length} cases`);
});

test('generated u8/s8 inputs span the full range', () => {
  const c = cases.find((x) => x.name === 'dequantize_uint8')!;
  const d = caseInputs(c)[0].data as Uint8Array;
  assert.is(Math.min(...d), 0);
  assert.is(Math.max(...d), 255);
  const s = cases.find((x) => x.name === 'dequantize_int8')!;
  const e = caseInputs(s)[0].data as Int8Array;
  assert.is(Math.min(...e), -128);
  assert.is(Math.max(...e), 127);
});

for (const c of cases) {
  test(`reference vs reference: ${c.name}`, () => {
    const r = checkCase(referenceBackend(), c, referenceBackend());
    assert.ok(r.kernel.length > 0);
    const out = runCase(referenceBackend(), c).outputs[0];
    const v = out.data as unknown as ArrayLike<number>;
    if (v.length >= 4) {
      const distinct = new Set(Array.from(v));
      assert.ok(distinct.size >= 2, `${c.name}: output is constant (${v[0]})`);
    }
    // finite outputs, except where the case feeds ±inf / NaN on purpose
    const specials = c.inputs.some((i) => i.values?.some((x) => !Number.isFinite(x)));
    if (!specials) for (let i = 0; i < v.length; i++) assert.ok(Number.isFinite(v[i]), `${c.name}: non-finite output at ${i}`);
  });
}

// ---- oracle: conv as im2col + matmul (float64), geometry re-derived here ----
interface ConvParams { n: number; ic: number; h: number; w: number; oc: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; groups: number; pt: number; pl: number; oh: number; ow: number }

function convParams(c: KernelCase): ConvParams {
  const [n, ic, h, w] = c.inputs[0].dims;
  const [oc, , kh, kw] = c.inputs[1].dims;
  const a = c.attrs;
  const [sh, sw] = a.strides as number[];
  let [dh, dw] = (a.dilations as number[]) ?? [1, 1];
  let p = a.paddings as number[];
  if (p.length === 2) p = [p[0], p[0], p[1], p[1]];
  if (a.padding_algorithm === 'VALID') p = [0, 0, 0, 0];
  if (a.padding_algorithm === 'SAME') {
    const same = (i: number, k: number, s: number) => { const o = Math.ceil(i / s); const t = Math.max(0, (o - 1) * s + k - i); return [Math.floor(t / 2), t - Math.floor(t / 2)]; };
    p = [...same(h, kh, sh), ...same(w, kw, sw)];
    dh = 1; dw = 1;
  }
  const oh = Math.floor((h + p[0] + p[1] - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + p[2] + p[3] - dw * (kw - 1) - 1) / sw) + 1;
  return { n, ic, h, w, oc, kh, kw, sh, sw, dh, dw, groups: (a.groups as number) ?? 1, pt: p[0], pl: p[2], oh, ow };
}

/** out[n][oc][p] = Σ_r W[oc][r] · cols[r][p], with cols the zero-padded patches of group g */
function convIm2col(P: ConvParams, x: ArrayLike<number>, wgt: ArrayLike<number>): Float64Array {
  const icg = P.ic / P.groups, ocg = P.oc / P.groups, R = icg * P.kh * P.kw, Pn = P.oh * P.ow;
  const out = new Float64Array(P.n * P.oc * Pn);
  for (let n = 0; n < P.n; n++) {
    for (let g = 0; g < P.groups; g++) {
      const cols = new Float64Array(R * Pn);
      for (let ci = 0; ci < icg; ci++) for (let ky = 0; ky < P.kh; ky++) for (let kx = 0; kx < P.kw; kx++) {
        const r = (ci * P.kh + ky) * P.kw + kx;
        for (let oy = 0; oy < P.oh; oy++) for (let ox = 0; ox < P.ow; ox++) {
          const iy = oy * P.sh - P.pt + ky * P.dh, ix = ox * P.sw - P.pl + kx * P.dw;
          const inside = iy >= 0 && iy < P.h && ix >= 0 && ix < P.w;
          cols[r * Pn + oy * P.ow + ox] = inside ? x[((n * P.ic + g * icg + ci) * P.h + iy) * P.w + ix] : 0;
        }
      }
      for (let o = 0; o < ocg; o++) {
        const oc = g * ocg + o;
        for (let p = 0; p < Pn; p++) {
          let s = 0;
          for (let r = 0; r < R; r++) s += wgt[oc * R + r] * cols[r * Pn + p];
          out[(n * P.oc + oc) * Pn + p] = s;
        }
      }
    }
  }
  return out;
}

const isConv = (c: KernelCase) => c.op === 'conv2d' || c.op === 'depthwise_conv2d';

for (const c of cases.filter((x) => isConv(x) && x.inputs[0].dtype === 'fp32' && !x.attrs.fuse_activation)) {
  test(`oracle im2col fp32: ${c.name}`, () => {
    const vals = caseInputs(c);
    const P = convParams(c);
    const ref = convIm2col(P, vals[0].data as Float32Array, vals[1].data as unknown as ArrayLike<number>);
    const bias = c.inputs[2] ? (vals[2].data as Float32Array) : undefined;
    const plane = P.oh * P.ow;
    const want = new Float32Array(ref.length);
    for (let i = 0; i < ref.length; i++) want[i] = ref[i] + (bias ? bias[Math.floor(i / plane) % P.oc] : 0);
    const got = runCase(referenceBackend(), c).outputs;
    assert.equal(got[0].dims, [P.n, P.oc, P.oh, P.ow]);
    const why = compareOutputs(got, [{ dtype: 'fp32', dims: [P.n, P.oc, P.oh, P.ow], data: want }]);
    assert.is(why, undefined, why);
  });
}

for (const c of cases.filter((x) => isConv(x) && x.inputs[0].dtype !== 'fp32')) {
  test(`oracle im2col int8: ${c.name}`, () => {
    const vals = caseInputs(c);
    const P = convParams(c);
    const a = c.attrs;
    const swAttr = a.Scale_weights as number[];
    const sw = Array.from({ length: P.oc }, (_, i) => (swAttr.length === 1 ? swAttr[0] : swAttr[i]));
    const per = (P.ic / P.groups) * P.kh * P.kw;
    const w = vals[1].data as Float32Array;
    const wq = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) wq[i] = quantizeWeight(w[i], sw[Math.floor(i / per)]);
    const acc = convIm2col(P, vals[0].data as unknown as ArrayLike<number>, wq);
    const fp32Out = a.force_fp32_output === true;
    const { deq, dstScale } = int8Scales(sw, a.Scale_in as number, a.Scale_out as number, fp32Out);
    const act = (a.fuse_activation as string) || '';
    const b = vals[2].data as Float32Array;
    const e: Int8Epilogue = { deq, dstScale, bias: b, activation: act as Int8Epilogue['activation'], out: fp32Out ? 'f32' : act ? 'u8' : 's8' };
    // Conv2DOpMaker's fuse_alpha default is 0, which relu6 reads as its own threshold 6 (Paddle's fuse passes write it)
    if (act === 'relu6') e.alpha = (a.fuse_alpha as number | undefined) || 6;
    const residual = a.fuse_residual_connection === true ? (vals[3].data as unknown as ArrayLike<number>) : undefined;
    if (residual) e.sumScale = f(1 / (a.Scale_in_eltwise as number));
    const plane = P.oh * P.ow;
    const want = fp32Out ? new Float32Array(acc.length) : act ? new Uint8Array(acc.length) : new Int8Array(acc.length);
    for (let i = 0; i < acc.length; i++) {
      const oc = Math.floor(i / plane) % P.oc;
      assert.ok(Number.isInteger(acc[i]) && Math.abs(acc[i]) < 2 ** 31, 'exact s32 sum');
      want[i] = epilogue(acc[i], oc, e, residual ? residual[i] : 0);
    }
    const got = runCase(referenceBackend(), c).outputs;
    const why = compareOutputs(got, [{ dtype: fp32Out ? 'fp32' : act ? 'uint8' : 'int8', dims: [P.n, P.oc, P.oh, P.ow], data: want } as Tensor]);
    assert.is(why, undefined, why);
  });
}

for (const c of cases.filter((x) => x.op === 'fc' && x.inputs[0].dtype !== 'fp32')) {
  test(`oracle fc int8: ${c.name}`, () => {
    const vals = caseInputs(c);
    const [M, K] = c.inputs[0].dims, N = c.inputs[1].dims[1];
    const a = c.attrs;
    const sw = a.Scale_weights as number[];
    const fp32Out = a.force_fp32_output === true;
    const { deq, dstScale } = int8Scales(sw, a.Scale_in as number, a.Scale_out as number, fp32Out);
    const relu = a.activation_type === 'relu';
    const x = vals[0].data as unknown as ArrayLike<number>, w = vals[1].data as Float32Array, b = vals[2].data as Float32Array;
    const e: Int8Epilogue = { deq, dstScale, bias: b, activation: relu ? 'relu' : '', out: fp32Out ? 'f32' : relu ? 'u8' : 's8' };
    const want = fp32Out ? new Float32Array(M * N) : relu ? new Uint8Array(M * N) : new Int8Array(M * N);
    for (let m = 0; m < M; m++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * quantizeWeight(w[k * N + j], sw[j]);
      want[m * N + j] = epilogue(s, j, e);
    }
    const why = compareOutputs(runCase(referenceBackend(), c).outputs, [{ dtype: fp32Out ? 'fp32' : relu ? 'uint8' : 'int8', dims: [M, N], data: want } as Tensor]);
    assert.is(why, undefined, why);
  });
}

test('oracle matmul int8 (2-D case): acc · f32(f32(1/Sx)·f32(1/Sy)), × f32(1/f32(1/So)), then rne/saturate', () => {
  const c = cases.find((x) => x.name.startsWith('matmul_int8_uint8_3x17_17x5'))!;
  const vals = caseInputs(c);
  const x = vals[0].data as Int8Array, y = vals[1].data as Uint8Array;
  const dq = f(f(1 / (c.attrs.Scale_x as number)) * f(1 / (c.attrs.Scale_y as number)));
  const ds = f(1 / f(1 / (c.attrs.Scale_out as number)));
  const want = new Int8Array(15);
  for (let m = 0; m < 3; m++) for (let j = 0; j < 5; j++) {
    let s = 0;
    for (let k = 0; k < 17; k++) s += x[m * 17 + k] * y[k * 5 + j];
    want[m * 5 + j] = saturate(rne(f(f(f(s) * dq) * ds)), 's8');
  }
  const got = runCase(referenceBackend(), c).outputs[0];
  assert.is(got.dtype, 'int8');
  assert.equal(Array.from(got.data as Int8Array), Array.from(want));
});

test('oracle quantize / dequantize / requantize formulas', () => {
  const q = cases.find((x) => x.name === 'quantize_f32s8')!;
  const xv = caseInputs(q)[0].data as Float32Array;
  const got = runCase(referenceBackend(), q).outputs[0].data as Int8Array;
  for (let i = 0; i < xv.length; i++) assert.is(got[i], saturate(rne(f(xv[i] * 63.5)), 's8'));
  const t = runCase(referenceBackend(), cases.find((x) => x.name === 'quantize_f32s8_ties')!).outputs[0].data as Int8Array;
  // 0.5→0, 1.5→2, 2.5→2, 3.5→4 (half to even), negatives mirrored; 127.5→127 (even 128 saturates), −128.5→−128
  assert.equal(Array.from(t), [0, 2, 2, 4, 0, -2, -2, -4, 127, -128, 127, -128, 0, 4, -4, 6]);
  const d = cases.find((x) => x.name === 'dequantize_int8')!;
  const dv = caseInputs(d)[0].data as Int8Array;
  const dg = runCase(referenceBackend(), d).outputs[0].data as Float32Array;
  for (let i = 0; i < dv.length; i++) assert.is(dg[i], f(dv[i] * f(1 / f(41.3))));
  const r = cases.find((x) => x.name === 'requantize_uint8_up')!;
  const rv = caseInputs(r)[0].data as Uint8Array;
  const rg = runCase(referenceBackend(), r).outputs[0].data as Uint8Array;
  const ratio = f(47.25 / 20.5);
  for (let i = 0; i < rv.length; i++) assert.is(rg[i], Math.min(255, rne(f(rv[i] * ratio))));
});

test('oracle legacy quantize: whole-tensor abs max, round half away from zero', () => {
  const c = cases.find((x) => x.name === 'quantize_legacy_abs_max')!;
  const xv = caseInputs(c)[0].data as Float32Array;
  let s = 0;
  for (const v of xv) s = Math.max(s, Math.abs(v));
  const [out, scale] = runCase(referenceBackend(), c).outputs;
  assert.is((scale.data as Float32Array)[0], s);
  const o = out.data as Float32Array;
  for (let i = 0; i < xv.length; i++) {
    const v = (xv[i] * 127) / s;
    assert.is(o[i], Math.sign(v) * Math.floor(Math.abs(v) + 0.5));
  }
  assert.ok(o.includes(-127), 'the abs-max element maps to ±127');
});

test('comparison rule: ints bit-exact, fp32 1e-5 relative to max(1, max|ref|)', () => {
  const t = (dtype: 'int8' | 'fp32', v: number[]): Tensor => ({ dtype, dims: [v.length], data: dtype === 'int8' ? Int8Array.from(v) : Float32Array.from(v) });
  assert.is(compareOutputs([t('int8', [1, 2, 3])], [t('int8', [1, 2, 3])]), undefined);
  assert.ok(compareOutputs([t('int8', [1, 2, 4])], [t('int8', [1, 2, 3])])?.includes('1/3 ints differ'));
  assert.is(compareOutputs([t('fp32', [100, 0.5])], [t('fp32', [100.0009, 0.5])]), undefined); // 9e-4 <= 1e-5·100
  assert.ok(compareOutputs([t('fp32', [0.1, 0.5])], [t('fp32', [0.1, 0.50002])]) !== undefined); // limit 1e-5
  assert.ok(compareOutputs([t('fp32', [NaN])], [t('fp32', [1])]) !== undefined);
});

test.run();
