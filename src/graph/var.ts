// A variable of block 0: a thin wrapper over its VarDesc so that edits keep the record round-trippable.
import { VarTypeId, dtypeFromId, dtypeId, type DType } from '../util/dtype';
import type { VarDesc } from '../util/program_desc';

export class Var {
  constructor(public desc: VarDesc) {}

  static create(name: string, dtype: DType, dims: number[], persistable = false): Var {
    const desc: VarDesc = {
      name,
      type: { type: VarTypeId.LOD_TENSOR, lod_tensor: { tensor: { data_type: dtypeId(dtype), dims: [...dims] } } },
    };
    if (persistable) desc.persistable = true;
    return new Var(desc);
  }

  get name(): string { return this.desc.name; }
  get persistable(): boolean { return this.desc.persistable === true; }
  set persistable(p: boolean) { this.desc.persistable = p; }
  /** LOD_TENSOR (7), FEED_MINIBATCH (9), FETCH_LIST (10), ... */
  get kind(): number { return this.desc.type.type; }
  get isTensor(): boolean { return this.kind === VarTypeId.LOD_TENSOR; }

  private get tensorDesc() { return this.desc.type.lod_tensor?.tensor ?? this.desc.type.selected_rows; }

  get dtype(): DType | undefined {
    const t = this.tensorDesc;
    if (!t) return undefined;
    try { return dtypeFromId(t.data_type, `var ${this.name}`); } catch { return undefined; }
  }
  set dtype(d: DType | undefined) {
    if (d === undefined) return;
    const t = this.tensorDesc;
    if (t) t.data_type = dtypeId(d);
  }
  /** declared dims (-1 = batch or unknown) */
  get dims(): number[] { return this.tensorDesc?.dims ?? []; }
  set dims(d: number[]) {
    const t = this.tensorDesc;
    if (t) t.dims = [...d];
  }
}
