// Attributes read with the defaults the op schemas state (src/ops/attr.ts), and relu6's bound (src/ops/conv.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Op } from '../../src/graph/op';
import { attrBool, attrInts, attrNum, attrStr } from '../../src/ops/attr';
import { relu6Bound } from '../../src/ops/conv';
import { QdeployError } from '../../src/util/errors';
import { AttrType } from '../../src/util/program_desc';

const op = (type: string, attrs: Record<string, number> = {}) =>
  new Op(7, type, [], [], Object.entries(attrs).map(([name, f]) => ({ name, type: AttrType.FLOAT, f })));

test("absent attributes read as Paddle's defaults from the schema; present ones as stored", () => {
  const c = op('conv2d');
  assert.equal([attrNum(c, 'groups'), attrInts(c, 'strides'), attrStr(c, 'padding_algorithm'), attrBool(c, 'fuse_residual_connection')],
    [1, [1, 1], 'EXPLICIT', false]);
  assert.is(attrNum(c, 'fuse_alpha'), 0); // conv_op.cc Conv2DOpMaker: SetDefault(0.0f)
  assert.is(attrBool(op('pool2d'), 'exclusive'), true);
  assert.is(attrNum(op('relu6'), 'threshold'), 6);
  assert.is(attrNum(op('leaky_relu', { alpha: 0.1 }), 'alpha'), 0.1);
});

test('an attribute the schema gives no default for is our bug, named', () => {
  try {
    attrNum(op('conv2d'), 'no_such_attr');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, QdeployError);
    assert.is((e as QdeployError).code, 'internal');
    assert.match((e as Error).message, 'conv2d(7)');
    assert.match((e as Error).message, 'no_such_attr');
  }
});

test("relu6Bound: fuse_alpha where the fuse passes put the threshold; unset (Paddle's default 0) is relu6's 6", () => {
  assert.is(relu6Bound(op('conv2d', { fuse_alpha: 0.5 })), 0.5);
  assert.is(relu6Bound(op('conv2d', { fuse_alpha: 100.5 })), 100.5);
  assert.is(relu6Bound(op('conv2d')), 6);
  assert.is(relu6Bound(op('conv2d', { fuse_alpha: 0 })), 6);
});

test('defaults added for the readers that moved over (issue #16), as Paddle states them', () => {
  // Conv2DOpMaker's pre-2.0 activation attrs, read by update_activations
  assert.equal([attrBool(op('conv2d'), 'fuse_relu'), attrBool(op('depthwise_conv2d'), 'fuse_brelu'), attrNum(op('conv2d'), 'fuse_brelu_threshold')], [false, false, 6]);
  assert.is(attrBool(op('mul'), 'use_mkldnn'), false); // MulOpMaker
  // matmul_v2: the oneDNN kernel reads these only where present, with matmul's values when absent
  const v2 = op('matmul_v2');
  assert.equal([attrNum(v2, 'alpha'), attrNum(v2, 'Scale_x'), attrNum(v2, 'Scale_y'), attrNum(v2, 'Scale_out'), attrBool(v2, 'force_fp32_output')], [1, 1, 1, 1, false]);
  assert.is(attrNum(op('matmul_v2', { Scale_out: 0.5 }), 'Scale_out'), 0.5);
});

// Reads that still restate a default at the call site, by file: qdeploy rules, not Paddle defaults (attributes of
// any op type such as skip_quant / op_role / out_threshold, attrs qdeploy writes itself in the squash pass,
// required ones like max_range). A new one belongs in a schema and is read through attr.ts.
const RESTATED: Record<string, number> = {
  'app/layer_match.ts': 3, 'graph/graph.ts': 2, 'ops/attrs.ts': 1, 'ops/conv.ts': 1, 'ops/fake_quant.ts': 3,
  'passes/check_fake_dialects.ts': 1, 'passes/conv_activation_mkldnn_fuse_pass.ts': 1, 'passes/cpu_quantize_placement_pass.ts': 1,
  'passes/cpu_quantize_squash_pass.ts': 11, 'passes/fake_ops.ts': 3, 'passes/gather_output_scales.ts': 1,
  'passes/gather_weight_thresholds.ts': 1, 'quant/index.ts': 1, 'quant/layout.ts': 6, 'quant/legacy.ts': 1,
};

test('no call site restates an attribute default beyond the known qdeploy rules', () => {
  const src = join(__dirname, '../../src');
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const found: Record<string, number> = {};
  for (const f of files) {
    const n = readFileSync(join(src, f), 'utf8').split('\n').filter((l) => /\.(num|str|bool|ints|floats)\('[a-zA-Z_]+', /.test(l)).length;
    if (n) found[f.split('\\').join('/')] = n;
  }
  assert.equal(found, RESTATED);
});

test.run();
