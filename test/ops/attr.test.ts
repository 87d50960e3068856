// Attributes read with the defaults the op schemas state (src/ops/attr.ts), and relu6's bound (src/ops/conv.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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

test.run();
