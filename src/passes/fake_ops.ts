// What the convert passes check of fake-quant ops beyond the op list (src/ops/fake_dialects.ts): Quant2Int8's
// 8-bit requirement and the error for an op that looks like a fake op but is in no known dialect.
import type { Op } from '../graph/op';
import { FAKE_DIALECTS } from '../ops/fake_dialects';
import { QdeployError } from '../util/errors';

/** bin_cnt = 2^(bit_length-1) - 1; Quant2 supports 8 bits only (quant2_int8_mkldnn_pass.py asserts bit_length == 8) */
export function checkBits(op: Op): void {
  const bits = op.num('bit_length', 8);
  if (bits !== 8) throw new QdeployError('quant', `op ${op.label}: bit_length ${bits} is not supported (INT8 needs 8)`);
  for (const b of op.ints('quant_bits', [8])) {
    if (b !== 8) throw new QdeployError('quant', `op ${op.label}: quant_bits ${op.ints('quant_bits', []).join(',')} is not supported (INT8 needs 8)`);
  }
}

export function unknownFakeError(op: Op): QdeployError {
  return new QdeployError('quant', `op ${op.label}: unknown fake-quant dialect '${op.type}' (known: ${FAKE_DIALECTS.map((d) => d.type).join(', ')})`);
}
