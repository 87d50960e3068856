// The op rules backends share with shape inference (conv/pool geometry, broadcasting, slicing, the
// fake-quant and legacy quant arithmetic), re-exported here so that backends import only src/runtime,
// as the folder table says, while each rule is still stated once in src/ops.
export * from '../ops/attr';
export * from '../ops/attrs';
export { relu6Bound } from '../ops/conv';
export * from '../ops/quant';
export * from '../ops/shape_ops';
export * from '../ops/fake_quant';
export * from '../ops/fake_dialects';
