// elementwise_add/sub/mul/div (fp32) with Paddle's axis broadcasting (src/ops/attrs.ts broadcast()). Each
// value is computed in double from the two float32 operands and rounded once, which for + − × ÷ is exactly the
// float32 IEEE result.
import { attrNum, broadcast, type Broadcast } from '../../../runtime/op_rules';
import { registerRef } from '../registry';
import { f32, needF32, type Num } from './util';

const OPS: Record<string, (a: number, b: number) => number> = {
  elementwise_add: (a, b) => a + b,
  elementwise_sub: (a, b) => a - b,
  elementwise_mul: (a, b) => a * b,
  elementwise_div: (a, b) => a / b,
};

for (const [type, fn] of Object.entries(OPS)) {
  registerRef(type, {
    check: (n) => needF32(n, 'X', 'Y'),
    prepare: (n) => broadcast(n.op, n.inputs.X[0].dims, n.inputs.Y[0].dims, attrNum(n.op, 'axis')),
    run: (c) => {
      const b = c.state as Broadcast;
      const x = c.in('X') as Num, y = c.in('Y') as Num, out = c.out('Out') as unknown as { [i: number]: number };
      const r = b.out.length;
      if (r === 0) { out[0] = f32(fn(x[0], y[0])); return; }
      const last = r - 1, len = b.out[last], xs = b.xStrides[last], ys = b.yStrides[last];
      const idx = new Array<number>(r).fill(0);
      let o = 0;
      for (;;) {
        let xo = 0, yo = 0;
        for (let i = 0; i < last; i++) { xo += idx[i] * b.xStrides[i]; yo += idx[i] * b.yStrides[i]; }
        for (let j = 0; j < len; j++) out[o++] = f32(fn(x[xo + j * xs], y[yo + j * ys]));
        let i = last - 1;
        while (i >= 0) { if (++idx[i] < b.out[i]) break; idx[i] = 0; i--; }
        if (i < 0) break;
      }
    },
    name: `${type}_f32_broadcast_ref`,
  });
}
