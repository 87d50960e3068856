// Pointwise fp32 kernels: activations, batch_norm, scale, dropout, lrn, softmax. Each value is computed in a JS
// double from float32 inputs and rounded once to float32 (formulas and sources in src/ops/activations.ts,
// batch_norm.ts, misc.ts, lrn.ts).
import type { OpNode } from '../../../runtime/backend';
import { attrBool, attrNum, attrStr, normAxis, prod } from '../../../runtime/op_rules';
import { registerRef, type RefCtx } from '../registry';
import { f32, needF32, type Num } from './util';

type W = { [i: number]: number };

function unary(type: string, make: (node: OpNode) => (v: number) => number): void {
  registerRef(type, {
    check: (n) => needF32(n, 'X'),
    prepare: (n) => make(n),
    run: (c) => {
      const fn = c.state as (v: number) => number;
      const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
      for (let i = 0; i < x.length; i++) y[i] = f32(fn(x[i]));
    },
    name: `${type}_f32_ref`,
  });
}

unary('relu6', (n) => { const t = attrNum(n.op, 'threshold'); return (v) => (v < 0 ? 0 : v > t ? t : v); });
unary('leaky_relu', (n) => { const a = attrNum(n.op, 'alpha'); return (v) => (v > 0 ? v : a * v); });
unary('tanh', () => Math.tanh);
unary('sigmoid', () => (v) => 1 / (1 + Math.exp(-v)));
unary('hard_swish', (n) => {
  const t = attrNum(n.op, 'threshold'), s = attrNum(n.op, 'scale'), o = attrNum(n.op, 'offset');
  return (v) => { const z = v + o; return (v * (z < 0 ? 0 : z > t ? t : z)) / s; };
});
unary('hard_sigmoid', (n) => {
  const s = attrNum(n.op, 'slope'), o = attrNum(n.op, 'offset');
  return (v) => { const z = s * v + o; return z < 0 ? 0 : z > 1 ? 1 : z; };
});

registerRef('scale', {
  check: (n) => needF32(n, 'X'),
  run: (c) => {
    const op = c.node.op;
    const s = attrNum(op, 'scale'), b = attrNum(op, 'bias'), after = attrBool(op, 'bias_after_scale');
    const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
    for (let i = 0; i < x.length; i++) y[i] = f32(after ? s * x[i] + b : s * (x[i] + b));
  },
  name: 'scale_f32_ref',
});

registerRef('dropout', {
  check: (n) => needF32(n, 'X'),
  run: (c) => {
    const op = c.node.op;
    const k = attrStr(op, 'dropout_implementation') === 'upscale_in_train' ? 1 : 1 - attrNum(op, 'dropout_prob');
    const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
    for (let i = 0; i < x.length; i++) y[i] = f32(x[i] * k);
    if (c.hasOut('Mask')) (c.out('Mask') as Uint8Array).fill(1);
  },
  name: 'dropout_infer_f32_ref',
});

registerRef('batch_norm', {
  check: (n) => needF32(n, 'X', 'Scale', 'Bias', 'Mean', 'Variance'),
  run: (c: RefCtx) => {
    const eps = attrNum(c.node.op, 'epsilon');
    const dims = c.inSpec('X').dims;
    const N = dims[0], C = dims[1], inner = prod(dims, 2);
    const x = c.in('X') as Num, y = c.out('Y') as unknown as W;
    const sc = c.in('Scale') as Num, bi = c.in('Bias') as Num, mean = c.in('Mean') as Num, vr = c.in('Variance') as Num;
    for (let ch = 0; ch < C; ch++) {
      const sd = Math.sqrt(vr[ch] + eps), m = mean[ch], s = sc[ch], b = bi[ch];
      for (let n = 0; n < N; n++) {
        const base = (n * C + ch) * inner;
        for (let i = 0; i < inner; i++) y[base + i] = f32(((x[base + i] - m) / sd) * s + b);
      }
    }
  },
  name: 'batch_norm_infer_f32_ref',
});

registerRef('lrn', {
  check: (n) => needF32(n, 'X'),
  run: (c) => {
    const op = c.node.op;
    const size = attrNum(op, 'n'), k = attrNum(op, 'k'), alpha = attrNum(op, 'alpha'), beta = attrNum(op, 'beta');
    const [N, C, H, Wd] = c.inSpec('X').dims;
    const plane = H * Wd;
    const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
    const mid = c.hasOut('MidOut') ? (c.out('MidOut') as unknown as W) : undefined;
    const pre = Math.floor((size - 1) / 2);
    for (let n = 0; n < N; n++) {
      for (let ch = 0; ch < C; ch++) {
        const lo = Math.max(0, ch - pre), hi = Math.min(C - 1, ch - pre + size - 1);
        for (let p = 0; p < plane; p++) {
          let sum = 0;
          for (let j = lo; j <= hi; j++) { const v = x[(n * C + j) * plane + p]; sum += v * v; }
          const m = k + alpha * sum;
          const i = (n * C + ch) * plane + p;
          y[i] = f32(x[i] / Math.pow(m, beta));
          if (mid) mid[i] = f32(m);
        }
      }
    }
  },
  name: 'lrn_across_channels_f32_ref',
});

registerRef('softmax', {
  check: (n) => needF32(n, 'X'),
  run: (c) => {
    const dims = c.inSpec('X').dims;
    const axis = normAxis(c.node.op, attrNum(c.node.op, 'axis'), dims.length);
    const outer = prod(dims, 0, axis), d = dims[axis], inner = prod(dims, axis + 1);
    const x = c.in('X') as Num, y = c.out('Out') as unknown as W;
    const e = new Float64Array(d);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number) => (o * d + j) * inner + i;
        let m = -Infinity;
        for (let j = 0; j < d; j++) m = Math.max(m, x[at(j)]);
        let s = 0;
        for (let j = 0; j < d; j++) { e[j] = Math.exp(x[at(j)] - m); s += e[j]; }
        for (let j = 0; j < d; j++) y[at(j)] = f32(e[j] / s);
      }
    }
  },
  name: 'softmax_f32_ref',
});
