// Paddle model I/O: framework.proto programs, LoDTensor streams, the separate/combined model layouts.
// (The dataset .bin layout lives in dataset_bin.ts, exported on its own.)
export { FRAMEWORK_PROTO, frameworkTypes } from './framework_proto';
export { decodeProgram, encodeProgram, checkProgram } from './program';
export { countUnknownFields } from './proto_plain';
export { readTensor, writeTensor, type LoD, type TensorRecord } from './tensor_stream';
export {
  persistableVars, checkVarFileName, checkParamAgainstDesc, compareNames, decodeCombinedParams, encodeCombinedParams,
  decodeParamFile, type ParamSet,
} from './params';
export {
  loadModel, saveModel, resolveModelFiles, saveFileNames,
  type LoadModelOptions, type LoadedModel, type ModelFiles, type ModelLayout, type ModelToSave, type SaveModelOptions,
} from './model_dir';
