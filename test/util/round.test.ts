// Round half to even, the one rounding of the INT8 contract, fake-quant round_type 0, np.round and Python's round().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { roundHalfEven } from '../../src/util/round';

test('ties go to the even neighbour, both signs; non-ties to the nearer', () => {
  assert.equal([0.5, 1.5, 2.5, 3.5, 126.5, 127.5, 255.5, 256.5].map(roundHalfEven), [0, 2, 2, 4, 126, 128, 256, 256]);
  assert.equal([-0.5, -1.5, -2.5, -3.5, -127.5, -128.5].map(roundHalfEven), [-0, -2, -2, -4, -128, -128]);
  assert.equal([2.4999, 2.5001, -2.4999, -2.5001, 0.49999999999999994].map(roundHalfEven), [2, 3, -2, -3, 0]);
});

test('−0 for (−0.5, −0] as np.round gives it; integers, huge values and non-finite values pass through', () => {
  assert.ok(Object.is(roundHalfEven(-0.4), -0));
  assert.ok(Object.is(roundHalfEven(-0.5), -0));
  assert.ok(Object.is(roundHalfEven(0.5), 0));
  assert.equal([7, -7, 2 ** 40 + 0.5, -(2 ** 40) - 0.5, 2 ** 53].map(roundHalfEven), [7, -7, 2 ** 40, -(2 ** 40), 2 ** 53]);
  assert.equal([Infinity, -Infinity].map(roundHalfEven), [Infinity, -Infinity]);
  assert.ok(Number.isNaN(roundHalfEven(NaN)));
});

test.run();
