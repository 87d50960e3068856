// Round half to even, the one rounding every INT8 and NumPy/Python rule here uses: what cvtps2dq does under the
// default MXCSR (oneDNN's quantize/reorders), np.round / np.around, Python 3's round() and C++'s
// roundWithTiesToEven (Paddle's fake-quant round_type 0) all round a tie to the even neighbour.
// (Half away from zero, std::round, is a different rule: src/ops/fake_quant.ts roundHalfAway.)

/** nearest integer, ties to even; −0 stays −0 (as cvtps2dq and np.round give it) */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties go up (toward +∞)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r; // a tie that went up to an odd number goes down to the even one
}
