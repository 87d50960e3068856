// The few ONNX messages the bench needs (field numbers as in onnx/onnx:onnx/onnx.proto), encoded with
// protobufjs, and the layer graphs for onnxruntime-web: QLinearConv / QLinearMatMul for INT8 (u8 activations,
// s8 per-channel weights, zero points 0, so the u8 output saturation is the fused relu), Conv+Relu / Gemm+Relu
// for FP32.
import protobuf from 'protobufjs';
import { type Layer, weights } from './wasm_layers_lib';

const SCHEMA = `
syntax = "proto2";
package onnx;
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; repeated int64 ints = 8; optional int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; optional string domain = 7; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
const Model = root.lookupType('onnx.ModelProto');

const DT = { float: 1, uint8: 2, int8: 3, int32: 6 } as const;
type DTName = keyof typeof DT;

function tensor(name: string, dt: DTName, dims: number[], data: ArrayBufferView) {
  return { name, data_type: DT[dt], dims, raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
const scalarF = (name: string, v: number) => tensor(name, 'float', [], new Float32Array([v]));
const vi = (name: string, dt: DTName, dims: number[]) => ({ name, type: { tensor_type: { elem_type: DT[dt], shape: { dim: dims.map((d) => ({ dim_value: d })) } } } });
const ints = (name: string, v: number[]) => ({ name, ints: v, type: 7 });
const int = (name: string, v: number) => ({ name, i: v, type: 2 });

export const X_SCALE = 60, Y_SCALE = 30;
export const wScale = (oc: number) => Float32Array.from({ length: oc }, (_, i) => 200 + (i % 50));

function model(nodes: object[], inits: object[], input: object, output: object): Uint8Array {
  const msg = Model.fromObject({
    ir_version: 8, producer_name: 'qdeploy-bench', opset_import: [{ domain: '', version: 13 }],
    graph: { name: 'layer', node: nodes, initializer: inits, input: [input], output: [output] },
  });
  return Model.encode(msg).finish();
}

/** an ONNX model of the layer for batch n */
export function onnxLayer(l: Layer, int8: boolean, n: number): Uint8Array {
  const { w, b, wDims } = weights(l);
  const [oh, ow] = [Math.floor((l.h + 2 * l.pad - l.k) / l.s) + 1, Math.floor((l.w + 2 * l.pad - l.k) / l.s) + 1];
  const xDims = l.kind === 'fc' ? [n, l.ic] : [n, l.ic, l.h, l.w];
  const yDims = l.kind === 'fc' ? [n, l.oc] : [n, l.oc, oh, ow];
  const convAttrs = l.kind === 'conv' ? [ints('kernel_shape', [l.k, l.k]), ints('strides', [l.s, l.s]), ints('pads', [l.pad, l.pad, l.pad, l.pad]), ints('dilations', [1, 1]), int('group', l.groups)] : [];
  if (!int8) {
    const inits = [tensor('w', 'float', wDims, w), tensor('b', 'float', [l.oc], b)];
    const nodes = l.kind === 'fc'
      ? [{ op_type: 'Gemm', input: ['x', 'w', 'b'], output: ['t'], name: 'fc' }, { op_type: 'Relu', input: ['t'], output: ['y'], name: 'relu' }]
      : [{ op_type: 'Conv', input: ['x', 'w', 'b'], output: ['t'], name: 'conv', attribute: convAttrs }, { op_type: 'Relu', input: ['t'], output: ['y'], name: 'relu' }];
    return model(nodes, inits, vi('x', 'float', xDims), vi('y', 'float', yDims));
  }
  // int8: per output channel weight scales like the qdeploy layer; bias in s32 (Si·Sw[c])
  const sw = wScale(l.oc);
  const wq = new Int8Array(w.length);
  if (l.kind === 'fc') {
    for (let k = 0; k < l.ic; k++) for (let j = 0; j < l.oc; j++) wq[k * l.oc + j] = Math.max(-128, Math.min(127, Math.round(w[k * l.oc + j] * sw[j])));
  } else {
    const per = w.length / l.oc;
    for (let c = 0; c < l.oc; c++) for (let i = 0; i < per; i++) wq[c * per + i] = Math.max(-128, Math.min(127, Math.round(w[c * per + i] * sw[c])));
  }
  const inits: object[] = [
    scalarF('xs', 1 / X_SCALE), tensor('xz', 'uint8', [], new Uint8Array([0])),
    scalarF('ys', 1 / Y_SCALE), tensor('yz', 'uint8', [], new Uint8Array([0])),
  ];
  if (l.kind === 'fc') {
    // QLinearMatMul: scalar weight scale (per-column b_scale is not accepted by every ORT build)
    inits.push(tensor('w', 'int8', wDims, wq), scalarF('ws', 1 / 200), tensor('wz', 'int8', [], new Int8Array([0])));
    return model([{ op_type: 'QLinearMatMul', input: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], output: ['y'], name: 'fc' }], inits, vi('x', 'uint8', xDims), vi('y', 'uint8', yDims));
  }
  const bq = Int32Array.from(b, (v, c) => Math.round(v * X_SCALE * sw[c]));
  inits.push(tensor('w', 'int8', wDims, wq), tensor('ws', 'float', [l.oc], Float32Array.from(sw, (s) => 1 / s)), tensor('wz', 'int8', [l.oc], new Int8Array(l.oc)), tensor('b', 'int32', [l.oc], bq));
  return model([{ op_type: 'QLinearConv', input: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], output: ['y'], name: 'conv', attribute: convAttrs }], inits, vi('x', 'uint8', xDims), vi('y', 'uint8', yDims));
}
