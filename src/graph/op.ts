// One operator of the IR. It keeps Paddle's slot/argument lists and attribute records in their original
// order so that a program read and written back is byte-identical; accessors make passes readable.
import { AttrType, type OpDesc, type OpDescAttr, type OpDescVar } from '../util/program_desc';

export type AttrValue = number | string | boolean | number[] | string[] | boolean[];

const VALUE_FIELD: Record<number, keyof OpDescAttr> = {
  [AttrType.INT]: 'i', [AttrType.FLOAT]: 'f', [AttrType.STRING]: 's', [AttrType.INTS]: 'ints',
  [AttrType.FLOATS]: 'floats', [AttrType.STRINGS]: 'strings', [AttrType.BOOLEAN]: 'b', [AttrType.BOOLEANS]: 'bools',
  [AttrType.BLOCK]: 'block_idx', [AttrType.LONG]: 'l', [AttrType.BLOCKS]: 'blocks_idx', [AttrType.LONGS]: 'longs',
  [AttrType.FLOAT64S]: 'float64s', [AttrType.VAR]: 'var_name', [AttrType.VARS]: 'vars_name', [AttrType.FLOAT64]: 'float64',
};

export function attrValue(a: OpDescAttr): AttrValue | undefined {
  const v = a[VALUE_FIELD[a.type]] as AttrValue | undefined;
  if (v !== undefined) return v;
  // proto2 repeated fields that are empty are absent on the wire
  switch (a.type) {
    case AttrType.INTS: case AttrType.FLOATS: case AttrType.STRINGS: case AttrType.BOOLEANS:
    case AttrType.LONGS: case AttrType.FLOAT64S: case AttrType.BLOCKS: case AttrType.VARS:
      return [];
  }
  return undefined;
}

/** Guess the Paddle attr type for a JS value (used when a pass adds a new attribute). */
export function inferAttrType(v: AttrValue): AttrType {
  if (typeof v === 'boolean') return AttrType.BOOLEAN;
  if (typeof v === 'string') return AttrType.STRING;
  if (typeof v === 'number') return Number.isInteger(v) ? AttrType.INT : AttrType.FLOAT;
  if (v.length === 0) return AttrType.INTS;
  const e = v[0];
  if (typeof e === 'boolean') return AttrType.BOOLEANS;
  if (typeof e === 'string') return AttrType.STRINGS;
  return (v as number[]).every(Number.isInteger) ? AttrType.INTS : AttrType.FLOATS;
}

export class Op {
  constructor(
    public id: number,
    public type: string,
    public inputs: OpDescVar[] = [],
    public outputs: OpDescVar[] = [],
    public attrs: OpDescAttr[] = [],
    public isTarget?: boolean,
  ) {}

  static fromDesc(id: number, d: OpDesc): Op {
    return new Op(
      id, d.type,
      d.inputs.map((v) => ({ parameter: v.parameter, arguments: [...v.arguments] })),
      d.outputs.map((v) => ({ parameter: v.parameter, arguments: [...v.arguments] })),
      d.attrs.map((a) => ({ ...a })),
      d.is_target,
    );
  }

  toDesc(): OpDesc {
    const d: OpDesc = { type: this.type, inputs: this.inputs, outputs: this.outputs, attrs: this.attrs };
    if (this.isTarget !== undefined) d.is_target = this.isTarget;
    return d;
  }

  /** `conv2d(12)`: how errors and .dot files name an op (the id is what --op_ids_to_skip takes) */
  get label(): string {
    return `${this.type}(${this.id})`;
  }

  // ---- slots ----
  input(slot: string): string | undefined { return this.inputs.find((v) => v.parameter === slot)?.arguments[0]; }
  inputList(slot: string): string[] { return this.inputs.find((v) => v.parameter === slot)?.arguments ?? []; }
  output(slot: string): string | undefined { return this.outputs.find((v) => v.parameter === slot)?.arguments[0]; }
  outputList(slot: string): string[] { return this.outputs.find((v) => v.parameter === slot)?.arguments ?? []; }
  hasInput(slot: string): boolean { return this.inputList(slot).length > 0; }
  hasOutput(slot: string): boolean { return this.outputList(slot).length > 0; }
  setInput(slot: string, args: string[]): void { setSlot(this.inputs, slot, args); }
  setOutput(slot: string, args: string[]): void { setSlot(this.outputs, slot, args); }
  /** every var name read / written, slot order as stored */
  allInputs(): string[] { return this.inputs.flatMap((v) => v.arguments); }
  allOutputs(): string[] { return this.outputs.flatMap((v) => v.arguments); }
  renameInput(from: string, to: string): void {
    for (const v of this.inputs) v.arguments = v.arguments.map((a) => (a === from ? to : a));
  }
  renameOutput(from: string, to: string): void {
    for (const v of this.outputs) v.arguments = v.arguments.map((a) => (a === from ? to : a));
  }

  // ---- attributes ----
  hasAttr(name: string): boolean { return this.attrs.some((a) => a.name === name); }
  attrRecord(name: string): OpDescAttr | undefined { return this.attrs.find((a) => a.name === name); }
  attr<T extends AttrValue>(name: string, dflt: T): T;
  attr<T extends AttrValue>(name: string): T | undefined;
  attr<T extends AttrValue>(name: string, dflt?: T): T | undefined {
    const a = this.attrRecord(name);
    if (!a) return dflt;
    const v = attrValue(a);
    return (v === undefined ? dflt : v) as T | undefined;
  }
  num(name: string, dflt: number): number {
    const v = this.attr<AttrValue>(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return dflt;
  }
  bool(name: string, dflt: boolean): boolean {
    const v = this.attr<AttrValue>(name);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    return dflt;
  }
  str(name: string, dflt: string): string {
    const v = this.attr<AttrValue>(name);
    return typeof v === 'string' ? v : dflt;
  }
  ints(name: string, dflt: number[]): number[] {
    const v = this.attr<AttrValue>(name);
    return Array.isArray(v) ? (v as number[]) : dflt;
  }
  /** set (or add) an attribute; keeps the record's position and, unless given, its type */
  setAttr(name: string, value: AttrValue, type?: AttrType): void {
    let a = this.attrRecord(name);
    const t = type ?? a?.type ?? inferAttrType(value);
    if (!a) { a = { name, type: t }; this.attrs.push(a); }
    for (const k of Object.values(VALUE_FIELD)) if (k !== 'name' && k !== 'type') delete (a as unknown as Record<string, unknown>)[k];
    a.type = t;
    (a as unknown as Record<string, unknown>)[VALUE_FIELD[t] as string] = value;
  }
  removeAttr(name: string): void { this.attrs = this.attrs.filter((a) => a.name !== name); }
}

function setSlot(list: OpDescVar[], slot: string, args: string[]): void {
  const v = list.find((s) => s.parameter === slot);
  if (v) v.arguments = [...args];
  else list.push({ parameter: slot, arguments: [...args] });
}
