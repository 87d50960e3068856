// is_test_pass (spec 3.5; PaddlePaddle/Paddle:paddle/fluid/framework/ir/is_test_pass.cc): every op that has
// an is_test attribute runs in inference mode.
import { setBool, type Pass } from './pass';

export const isTestPass: Pass = {
  name: 'is_test_pass',
  doc: 'is_test = true on every op that has the attribute',
  run(g) {
    for (const op of g.ops) if (op.hasAttr('is_test')) setBool(op, 'is_test', true);
  },
};
