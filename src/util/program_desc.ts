// The decoded shape of Paddle's framework.proto messages (ProgramDesc and friends), as protobufjs yields
// them with `{ longs: Number }`-style plain objects. Shared by src/format/paddle (which reads/writes bytes)
// and src/graph (which builds the IR from it), so neither has to import the other.
// Field presence matters for byte-exact round trips: an absent optional field stays absent (undefined).

export const enum AttrType {
  INT = 0, FLOAT = 1, STRING = 2, INTS = 3, FLOATS = 4, STRINGS = 5, BOOLEAN = 6, BOOLEANS = 7,
  BLOCK = 8, LONG = 9, BLOCKS = 10, LONGS = 11, FLOAT64S = 12, VAR = 13, VARS = 14, FLOAT64 = 15,
}

export interface OpDescVar { parameter: string; arguments: string[] }

export interface OpDescAttr {
  name: string;
  type: AttrType;
  i?: number; f?: number; s?: string; ints?: number[]; floats?: number[]; strings?: string[];
  b?: boolean; bools?: boolean[]; block_idx?: number; l?: number; blocks_idx?: number[]; longs?: number[];
  float64s?: number[]; var_name?: string; vars_name?: string[]; float64?: number;
}

export interface OpDesc {
  type: string;
  inputs: OpDescVar[];
  outputs: OpDescVar[];
  attrs: OpDescAttr[];
  is_target?: boolean;
}

export interface TensorDesc { data_type: number; dims: number[] }
export interface LoDTensorDesc { tensor: TensorDesc; lod_level?: number }

export interface VarTypeDesc {
  type: number;
  selected_rows?: TensorDesc;
  lod_tensor?: LoDTensorDesc;
  tensor_array?: LoDTensorDesc;
  reader?: { lod_tensor: LoDTensorDesc[] };
  tuple?: { element_type: number[] };
  string?: TensorDesc; strings?: TensorDesc; vocab?: TensorDesc; sparse_coo?: TensorDesc;
}

export interface VarDescAttr { name: string; type: AttrType; i?: number; s?: string; ints?: number[] }

export interface VarDesc {
  name: string;
  type: VarTypeDesc;
  persistable?: boolean;
  need_check_feed?: boolean;
  is_parameter?: boolean;
  stop_gradient?: boolean;
  attrs?: VarDescAttr[];
}

export interface BlockDesc {
  idx: number;
  parent_idx: number;
  vars: VarDesc[];
  ops: OpDesc[];
  forward_block_idx?: number;
}

export interface ProgramDesc {
  blocks: BlockDesc[];
  version?: { version?: number };
  op_version_map?: { pair: { op_name: string; op_version: { version: number } }[] };
}
