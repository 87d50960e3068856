// Which ops pass an INT8 scale through: their output's quantization scale is their input's. One list for the
// propagate_scales pass and for reading the scale of an int8 tensor back (compare's per-layer errors).
// Paddle's list is scale_immutable_ops of PaddlePaddle/Paddle:paddle/fluid/framework/ir/onednn/
// compute_propagate_scales_onednn_pass.cc (ApplyImpl; the input slot as UpdateScales reads it: Input for slice and
// shape, X otherwise), kept as Paddle has it but for fused_transpose, an op only Paddle's own fuse passes create.
// cpu_quantize_pass.cc quantizes these ops' inputs at their output's scale (QuantizeImmutable, QuantizePool), so
// their int8 outputs hold values in the input's scale. concat is not on Paddle's list (UpdateScales gives every
// input the output's scale instead), but QuantizeConcat quantizes every input at the output's scale, so its int8
// output carries the scale of any input, X[0] included.

/** op type → the input slot whose scale the output keeps (Paddle's scale_immutable_ops) */
export const SCALE_IMMUTABLE_OPS: Readonly<Record<string, string>> = {
  transpose2: 'X', reshape2: 'X', pool2d: 'X', slice: 'Input', shape: 'Input', nearest_interp: 'X', nearest_interp_v2: 'X', split: 'X',
};

/** the input slot whose INT8 scale an int8 output of this op type is in, or undefined when the op sets its own */
export function int8ScaleSource(type: string): string | undefined {
  return type === 'concat' ? 'X' : SCALE_IMMUTABLE_OPS[type];
}
