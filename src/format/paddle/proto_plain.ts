// protobufjs message instances → the plain objects of src/util/program_desc.ts.
//
// Why not `Type.toObject`: it drops the unknown fields protobufjs keeps in `$unknowns`, and it either
// omits every empty repeated field or adds every default. We want exactly the wire's field presence
// (an absent optional stays absent, so re-encoding gives the same bytes), int64 as JS numbers, enums as
// numbers, and the few repeated fields that the TS types declare as always-present arrays filled in.
import protobuf from 'protobufjs';

/** Unknown fields (raw tag+value bytes) are kept under this non-enumerable key; protobufjs's encoder
 *  writes them back (after the known fields), so a field from a newer Paddle survives decode → encode. */
export const UNKNOWNS = '$unknowns';

interface FieldPlan {
  name: string;
  repeated: boolean;
  /** repeated field the TS type declares as a required array: absent on the wire → [] */
  alwaysArray: boolean;
  long: boolean;
  sub?: TypePlan;
}
interface TypePlan { fields: FieldPlan[] }

// Repeated fields that are optional in program_desc.ts: attribute values (absent unless the attr has that
// type and a non-empty list) and VarDesc.attrs. Every other repeated field is a required array there.
const OPTIONAL_REPEATED = new Set([
  'OpDesc.Attr.*', 'VarDesc.Attr.*', 'VarDesc.attrs',
]);

const plans = new Map<protobuf.Type, TypePlan>();

function relName(t: protobuf.Type): string {
  return t.fullName.replace(/^\.paddle\.framework\.proto\./, '');
}

function planFor(t: protobuf.Type): TypePlan {
  let p = plans.get(t);
  if (p) return p;
  p = { fields: [] };
  plans.set(t, p); // before recursing: the schema has no cycles, but be safe
  const rel = relName(t);
  for (const f of t.fieldsArray) {
    f.resolve();
    const optionalRepeated = OPTIONAL_REPEATED.has(`${rel}.*`) || OPTIONAL_REPEATED.has(`${rel}.${f.name}`);
    p.fields.push({
      name: f.name,
      repeated: f.repeated,
      alwaysArray: f.repeated && !optionalRepeated,
      long: f.type === 'int64' || f.type === 'uint64' || f.type === 'sint64' || f.type === 'fixed64' || f.type === 'sfixed64',
      sub: f.resolvedType instanceof protobuf.Type ? planFor(f.resolvedType) : undefined,
    });
  }
  return p;
}

// int64 arrives as a Long when the `long` package is loadable, else as a number; both become numbers.
// Beyond 2^53 precision is lost; INT64_MAX/MIN still re-encode to themselves (Long.fromNumber saturates).
function longToNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const l = v as { toNumber?: () => number; low: number; high: number; unsigned?: boolean };
  if (typeof l.toNumber === 'function') return l.toNumber();
  return l.high * 4294967296 + (l.low >>> 0);
}

function convert(m: Record<string, unknown>, plan: TypePlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) {
    const own = Object.prototype.hasOwnProperty.call(m, f.name);
    const v = own ? m[f.name] : undefined;
    // a repeated field is present iff non-empty (message constructors give every instance its own [])
    if (v === undefined || v === null || (f.repeated && (v as unknown[]).length === 0)) {
      if (f.alwaysArray) out[f.name] = [];
      continue;
    }
    if (f.repeated) {
      const arr = v as unknown[];
      out[f.name] = f.sub ? arr.map((x) => convert(x as Record<string, unknown>, f.sub!))
        : f.long ? arr.map(longToNumber) : arr.slice();
    } else {
      out[f.name] = f.sub ? convert(v as Record<string, unknown>, f.sub) : f.long ? longToNumber(v) : v;
    }
  }
  const unk = (m as { [UNKNOWNS]?: Uint8Array[] })[UNKNOWNS];
  if (unk && unk.length) {
    Object.defineProperty(out, UNKNOWNS, { value: unk.slice(), enumerable: false, writable: true, configurable: true });
  }
  return out;
}

/** A decoded protobufjs message as a plain object shaped like the matching program_desc.ts interface. */
export function toPlain<T>(type: protobuf.Type, message: protobuf.Message): T {
  return convert(message as unknown as Record<string, unknown>, planFor(type)) as T;
}

// The reverse for int64: numbers are written by protobufjs's LongBits.fromNumber, which wraps 2^63 to
// -2^63. A decoded INT64_MAX (e.g. a slice `ends` of 9223372036854775807) is the double 2^63, so it must
// be saturated back to INT64_MAX, as Long.fromNumber does; {low, high} is what the writer accepts.
const INT64_MAX_BITS = { low: -1, high: 0x7fffffff };
const INT64_MIN_BITS = { low: 0, high: -0x80000000 };
function numberToWire(v: unknown): unknown {
  if (typeof v !== 'number' || Number.isSafeInteger(v)) return v;
  if (v >= 2 ** 63) return INT64_MAX_BITS;
  if (v <= -(2 ** 63)) return INT64_MIN_BITS;
  return v;
}

function hasHugeLong(o: Record<string, unknown>, plan: TypePlan): boolean {
  for (const f of plan.fields) {
    const v = o[f.name];
    if (v === undefined || v === null) continue;
    if (f.long) {
      if (f.repeated ? (v as unknown[]).some((x) => numberToWire(x) !== x) : numberToWire(v) !== v) return true;
    } else if (f.sub) {
      if (f.repeated ? (v as Record<string, unknown>[]).some((x) => hasHugeLong(x, f.sub!)) : hasHugeLong(v as Record<string, unknown>, f.sub)) return true;
    }
  }
  return false;
}

function wireCopy(o: Record<string, unknown>, plan: TypePlan): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  for (const f of plan.fields) {
    const v = o[f.name];
    if (v === undefined || v === null) continue;
    if (f.long) out[f.name] = f.repeated ? (v as unknown[]).map(numberToWire) : numberToWire(v);
    else if (f.sub) {
      out[f.name] = f.repeated ? (v as Record<string, unknown>[]).map((x) => wireCopy(x, f.sub!)) : wireCopy(v as Record<string, unknown>, f.sub);
    }
  }
  const unk = (o as { [UNKNOWNS]?: unknown[] })[UNKNOWNS];
  if (unk) Object.defineProperty(out, UNKNOWNS, { value: unk, enumerable: false, writable: true, configurable: true });
  return out;
}

/**
 * The object protobufjs should encode for a plain object: itself, or (only when some int64 is at or
 * beyond ±2^63) a copy with those values saturated. The caller's object is never modified.
 */
export function toWire(type: protobuf.Type, plain: object): Record<string, unknown> {
  const plan = planFor(type);
  const o = plain as Record<string, unknown>;
  return hasHugeLong(o, plan) ? wireCopy(o, plan) : o;
}

/** Number of unknown fields kept anywhere inside a plain object tree (for reports and tests). */
export function countUnknownFields(o: unknown): number {
  if (o === null || typeof o !== 'object') return 0;
  if (ArrayBuffer.isView(o)) return 0;
  let n = ((o as { [UNKNOWNS]?: unknown[] })[UNKNOWNS]?.length) ?? 0;
  for (const v of Object.values(o)) n += countUnknownFields(v);
  return n;
}

/** protobufjs error text → one short line (its messages may carry offsets; never a stack). */
export function protoReason(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  // proto2 enums are closed: a value the schema lacks goes to the unknown fields, so the required field
  // then reads as missing — say so, it is the likely cause with a program from a newer Paddle
  const inst = (e as { instance?: { [UNKNOWNS]?: unknown[] } }).instance;
  if (/^missing required/.test(msg) && inst?.[UNKNOWNS]?.length) {
    msg += ' or it holds an enum value this schema does not know (newer Paddle?)';
  }
  const line = msg.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line || 'decode error';
}

/** A reader that keeps unknown fields (protobufjs discards them unless told otherwise). */
export function keepUnknown(bytes: Uint8Array): protobuf.Reader {
  const r = protobuf.Reader.create(bytes);
  r.discardUnknown = false;
  return r;
}
