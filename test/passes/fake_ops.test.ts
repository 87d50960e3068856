import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAKE_DIALECTS, FAKE_QUANT_OPS, fakeDialect, isLegacyQuant, isOneDnnQuantOp, looksLikeUnknownFake } from '../../src/ops/fake_dialects';
import { getSchema } from '../../src/ops/schema';
import '../../src/ops/all';
import { build } from './util';

test('every dialect PaddleSlim has written is in the table', () => {
  const want = ['fake_quantize_abs_max', 'fake_quantize_moving_average_abs_max', 'fake_quantize_range_abs_max',
    'fake_channel_wise_quantize_abs_max', 'fake_quantize_dequantize_moving_average_abs_max', 'fake_quantize_dequantize_abs_max',
    'fake_channel_wise_quantize_dequantize_abs_max', 'fake_dequantize_max_abs', 'fake_channel_wise_dequantize_max_abs',
    'quantize_linear', 'dequantize_linear', 'quantize', 'dequantize'];
  for (const t of want) assert.ok(FAKE_DIALECTS.some((d) => d.type === t), t);
});

test('one op list: every non-legacy dialect has an op schema, and FAKE_QUANT_OPS is exactly those types', () => {
  assert.equal([...FAKE_QUANT_OPS].sort(), ['dequantize_linear', 'fake_channel_wise_dequantize_max_abs',
    'fake_channel_wise_quantize_abs_max', 'fake_channel_wise_quantize_dequantize_abs_max', 'fake_dequantize_max_abs',
    'fake_quantize_abs_max', 'fake_quantize_dequantize_abs_max', 'fake_quantize_dequantize_moving_average_abs_max',
    'fake_quantize_moving_average_abs_max', 'fake_quantize_range_abs_max', 'moving_average_abs_max_scale', 'quantize_linear']);
  for (const t of FAKE_QUANT_OPS) assert.ok(getSchema(t), `schema for ${t}`);
});

test('legacy quantize (slot X) is a fake op; oneDNN quantize (slot Input) is not', () => {
  const g = build([
    { type: 'quantize', inputs: { X: ['a'] }, outputs: { Out: ['b'], OutScale: ['b.scale'] }, attrs: { bit_length: 8 } },
    { type: 'quantize', inputs: { Input: ['a'] }, outputs: { Output: ['c'] }, attrs: { Scale: 2.5 } },
    { type: 'dequantize', inputs: { X: ['b'], Scale: ['b.scale'] }, outputs: { Out: ['d'] }, attrs: { max_range: 100.5 } },
    { type: 'fake_quantize_something_new', inputs: { X: ['a'] }, outputs: { Out: ['e'] } },
    { type: 'requantize', inputs: { Input: ['c'] }, outputs: { Output: ['f'] } },
  ]);
  const [lq, oq, ld, unk, rq] = g.ops;
  assert.is(fakeDialect(lq)?.kind, 'quantize');
  assert.is(fakeDialect(lq)?.storedScale, undefined); // dynamic abs_max: no stored scale
  assert.is(fakeDialect(oq), undefined);
  assert.ok(isOneDnnQuantOp(oq));
  assert.is(fakeDialect(ld)?.weightThreshold, 'max_range');
  assert.ok(looksLikeUnknownFake(unk));
  assert.not.ok(looksLikeUnknownFake(rq));
  assert.ok(isOneDnnQuantOp(rq));
  assert.equal([lq, oq, ld, unk, rq].map(isLegacyQuant), [true, false, true, false, false]);
});

test.run();
