// Pool family: pool2d max / avg on f32, u8, s8 (wasm/assembly/pool.ts). describe() picks the SIMD-rows mode (max,
// regular windows, stride 1 or 2) and its row buffer; prepare() uploads the window bounds (op_rules poolWindow, so
// ceil_mode, padding, adaptive and exclusive follow one definition).
import { poolGeom, poolWindow } from '../../../runtime/op_rules';
import { family, tcode, tname } from '../family';
import { PF, PL, poolFn } from '../params';

interface PoolPlan { g: ReturnType<typeof poolGeom>; rows: boolean; t0: number; twd: number; scratch: number; flags: number }

export const poolFamily = family<PoolPlan>({
  name: 'pool',
  ops: ['pool2d'],
  describe(node) {
    const x = node.inputs.X[0];
    const g = poolGeom(node.op, x.dims);
    // max pooling with regular windows and stride 1 or 2: SIMD rows over a row buffer holding input column w at
    // t0 + w, identities around it: t0 ≥ the left pad (16-aligned), room for the last 16 outputs' taps
    const rows = g.type === 'max' && !g.adaptive && (g.sw === 1 || g.sw === 2);
    const es = x.dtype === 'fp32' ? 4 : 1;
    const t0 = Math.ceil(g.pad[2] / 16) * 16;
    const twd = Math.ceil((t0 + Math.ceil(g.ow / 16) * 16 * g.sw + g.kw + 32) / 16) * 16;
    const flags = tcode(x.dtype) | (g.type === 'avg' ? PF.AVG : 0) | (g.exclusive || g.adaptive ? PF.EXCLUSIVE : 0) | (rows ? PF.ROWS : 0);
    const t = tname(x.dtype);
    const variant = rows ? `pool2d_max_${t}_rows_simd128` : `pool2d_${g.type}_${t}_wasm`;
    return { fn: 'pool2d', variant, plan: { g, rows, t0, twd, scratch: 64 + twd * es, flags } };
  },
  prepare(_node, { g, rows, t0, twd, scratch, flags }, _w, ctx) {
    const { mem } = ctx;
    const hw = new Int32Array(g.oh * 2), ww = new Int32Array(g.ow * 2);
    for (let o = 0; o < g.oh; o++) { const [a, b2] = poolWindow(g, o, 'h'); hw[2 * o] = a; hw[2 * o + 1] = b2; }
    for (let o = 0; o < g.ow; o++) { const [a, b2] = poolWindow(g, o, 'w'); ww[2 * o] = a; ww[2 * o + 1] = b2; }
    const b = mem.block();
    if (rows) {
      mem.ensureScratch(scratch);
      b.i(PL.KW, g.kw); b.i(PL.SW, g.sw); b.i(PL.PLEFT, g.pad[2]); b.i(PL.T0, t0); b.i(PL.TWD, twd);
    }
    b.i(PL.IH, g.ih); b.i(PL.IW, g.iw); b.i(PL.OH, g.oh); b.i(PL.OW, g.ow); b.i(PL.KHW, g.kh * g.kw);
    b.i(PL.FLAGS, flags);
    b.i(PL.HW, mem.upload(hw)); b.i(PL.WW, mem.upload(ww));
    const items = g.n * g.c, f = poolFn('pool2d');
    return (io, a) => {
      b.i(PL.X, a(io.inputs.X[0])); b.i(PL.Y, a(io.outputs.Out[0]));
      if (rows) { b.i(PL.SCR, mem.scratchBase); b.i(PL.SCRSTRIDE, mem.scratchStride); }
      ctx.par(f, b.p, items);
    };
  },
});
