// pool2d (NCHW): windows from poolWindow (src/ops/attrs.ts; Paddle math/pooling.cc). fp32: max, or the double
// sum of the window in row order divided by the pool size and rounded once to float32. u8/s8 (spec 4.6, int8.ts):
// max is the plain max of the stored ints; avg is avgPoolValue(exact sum, count).
import { attrStr, poolGeom, poolWindow, type PoolGeom } from '../../../runtime/op_rules';
import { avgPoolValue } from '../../../int8/contract';
import { registerRef } from '../registry';
import { f32, intShort, short, type Num } from './util';

const FLT_MAX = 3.4028234663852886e38;

registerRef('pool2d', {
  check: (n) => {
    const d = n.inputs.X[0].dtype;
    return d === 'fp32' || d === 'int8' || d === 'uint8' ? undefined : `X dtype ${d}`;
  },
  prepare: (n) => poolGeom(n.op, n.inputs.X[0].dims),
  run: (c) => {
    const g = c.state as PoolGeom;
    const dt = c.inSpec('X').dtype;
    const isInt = dt !== 'fp32';
    const x = c.in('X') as Num, y = c.out('Out') as unknown as { [i: number]: number };
    const iplane = g.ih * g.iw, oplane = g.oh * g.ow;
    for (let nc = 0; nc < g.n * g.c; nc++) {
      for (let oy = 0; oy < g.oh; oy++) {
        const [h0, h1] = poolWindow(g, oy, 'h');
        for (let ox = 0; ox < g.ow; ox++) {
          const [w0, w1] = poolWindow(g, ox, 'w');
          let v: number;
          if (g.type === 'max') {
            v = isInt ? (dt === 'uint8' ? 0 : -128) : -FLT_MAX;
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) { const t = x[nc * iplane + h * g.iw + w]; if (t > v) v = t; }
          } else {
            let s = 0;
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[nc * iplane + h * g.iw + w];
            const count = g.exclusive || g.adaptive ? (h1 - h0) * (w1 - w0) : g.kh * g.kw;
            v = isInt ? avgPoolValue(s, count, intShort(dt)) : f32(s / count);
          }
          y[nc * oplane + oy * g.ow + ox] = v;
        }
      }
    }
  },
  name: (n) => `pool2d_${attrStr(n.op, 'pooling_type')}_${short(n.inputs.X[0].dtype)}_ref`,
});
