// Paddle's framework.proto (package paddle.framework.proto, proto2), written from the field tables of
// spec §1.1 (which were read from PaddlePaddle/Paddle:paddle/fluid/framework/framework.proto). It lives
// here as a string so the esbuild bundle needs no .proto file at run time; it is parsed once, lazily.
//
// Only the messages a model file holds are declared (ProgramDesc and what it contains, plus
// VarType.TensorDesc for tensor streams). Field numbers are the wire contract; names match
// src/util/program_desc.ts so decoded objects need no renaming.
import protobuf from 'protobufjs';

export const FRAMEWORK_PROTO = `
syntax = "proto2";
package paddle.framework.proto;

message Version { optional int64 version = 1 [ default = 0 ]; }

enum AttrType {
  INT = 0;
  FLOAT = 1;
  STRING = 2;
  INTS = 3;
  FLOATS = 4;
  STRINGS = 5;
  BOOLEAN = 6;
  BOOLEANS = 7;
  BLOCK = 8;
  LONG = 9;
  BLOCKS = 10;
  LONGS = 11;
  FLOAT64S = 12;
  VAR = 13;
  VARS = 14;
  FLOAT64 = 15;
}

message OpDesc {
  message Attr {
    required string name = 1;
    required AttrType type = 2;
    optional int32 i = 3;
    optional float f = 4;
    optional string s = 5;
    repeated int32 ints = 6;
    repeated float floats = 7;
    repeated string strings = 8;
    optional bool b = 10;
    repeated bool bools = 11;
    optional int32 block_idx = 12;
    optional int64 l = 13;
    repeated int32 blocks_idx = 14;
    repeated int64 longs = 15;
    repeated double float64s = 16;
    optional string var_name = 17;
    repeated string vars_name = 18;
    optional double float64 = 19;
  }

  message Var {
    required string parameter = 1;
    repeated string arguments = 2;
  }

  required string type = 3;
  repeated Var inputs = 1;
  repeated Var outputs = 2;
  repeated Attr attrs = 4;
  optional bool is_target = 5 [ default = false ];
}

message VarType {
  enum Type {
    BOOL = 0;
    INT16 = 1;
    INT32 = 2;
    INT64 = 3;
    FP16 = 4;
    FP32 = 5;
    FP64 = 6;
    SIZE_T = 19;
    UINT8 = 20;
    INT8 = 21;
    BF16 = 22;
    COMPLEX64 = 23;
    COMPLEX128 = 24;
    LOD_TENSOR = 7;
    SELECTED_ROWS = 8;
    FEED_MINIBATCH = 9;
    FETCH_LIST = 10;
    STEP_SCOPES = 11;
    LOD_RANK_TABLE = 12;
    LOD_TENSOR_ARRAY = 13;
    PLACE_LIST = 14;
    READER = 15;
    RAW = 17;
    TUPLE = 18;
    STRING = 25;
    STRINGS = 26;
    VOCAB = 27;
    FEED_LIST = 28;
    PSTRING = 29;
    SPARSE_COO = 30;
  }

  required Type type = 1;

  message TensorDesc {
    required Type data_type = 1;
    repeated int64 dims = 2;
  }
  optional TensorDesc selected_rows = 2;

  message LoDTensorDesc {
    required TensorDesc tensor = 1;
    optional int32 lod_level = 2 [ default = 0 ];
  }
  optional LoDTensorDesc lod_tensor = 3;

  message LoDTensorArrayDesc {
    required TensorDesc tensor = 1;
    optional int32 lod_level = 2 [ default = 0 ];
  }
  optional LoDTensorArrayDesc tensor_array = 4;

  message ReaderDesc { repeated LoDTensorDesc lod_tensor = 1; }
  optional ReaderDesc reader = 5;

  message Tuple { repeated Type element_type = 1; }
  optional Tuple tuple = 7;

  optional TensorDesc string = 8;
  optional TensorDesc strings = 9;
  optional TensorDesc vocab = 10;
  optional TensorDesc sparse_coo = 11;
}

message VarDesc {
  message Attr {
    required string name = 1;
    required AttrType type = 2;
    optional int32 i = 3;
    optional string s = 4;
    repeated int32 ints = 5;
  }

  required string name = 1;
  required VarType type = 2;
  optional bool persistable = 3 [ default = false ];
  optional bool need_check_feed = 4 [ default = false ];
  optional bool is_parameter = 5 [ default = false ];
  optional bool stop_gradient = 6 [ default = false ];
  repeated Attr attrs = 7;
}

message BlockDesc {
  required int32 idx = 1;
  required int32 parent_idx = 2;
  repeated VarDesc vars = 3;
  repeated OpDesc ops = 4;
  optional int32 forward_block_idx = 5 [ default = -1 ];
}

message OpVersion { required int32 version = 1; }

message OpVersionMap {
  message OpVersionPair {
    required string op_name = 1;
    required OpVersion op_version = 2;
  }
  repeated OpVersionPair pair = 1;
}

message ProgramDesc {
  reserved 2, 3;
  repeated BlockDesc blocks = 1;
  optional Version version = 4;
  optional OpVersionMap op_version_map = 5;
}
`;

export interface FrameworkTypes {
  ProgramDesc: protobuf.Type;
  TensorDesc: protobuf.Type;
}

let cached: FrameworkTypes | undefined;

/** The resolved message types (parsed on first use; protobufjs compiles the codecs lazily per type). */
export function frameworkTypes(): FrameworkTypes {
  if (!cached) {
    const root = protobuf.parse(FRAMEWORK_PROTO, { keepCase: true }).root;
    root.resolveAll();
    cached = {
      ProgramDesc: root.lookupType('paddle.framework.proto.ProgramDesc'),
      TensorDesc: root.lookupType('paddle.framework.proto.VarType.TensorDesc'),
    };
  }
  return cached;
}
