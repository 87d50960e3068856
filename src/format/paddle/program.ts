// ProgramDesc bytes ⇄ plain objects (src/util/program_desc.ts).
//
// Round trips are byte-exact for canonical input: protobufjs decodes only the fields on the wire
// (presence kept by proto_plain.ts) and encodes known fields in field-number order, repeated scalars
// unpacked (proto2 default, none is declared packed in framework.proto) — the order and form protoc's
// C++/Python serializers use. Packed input is accepted (the decoder takes both), and written unpacked.
import type { ProgramDesc } from '../../util/program_desc';
import { QdeployError, fail } from '../../util/errors';
import { frameworkTypes } from './framework_proto';
import { keepUnknown, protoReason, toPlain, toWire } from './proto_plain';

/**
 * Decode a serialized ProgramDesc. `file` names the source in errors. Garbage → QdeployError('format').
 */
export function decodeProgram(bytes: Uint8Array, file: string): ProgramDesc {
  const { ProgramDesc: T } = frameworkTypes();
  let p: ProgramDesc;
  try {
    p = toPlain<ProgramDesc>(T, T.decode(keepUnknown(bytes)));
  } catch (e) {
    if (e instanceof QdeployError) throw e;
    fail('format', `${file}: not a Paddle ProgramDesc (${protoReason(e)})`);
  }
  checkProgram(p, file);
  return p;
}

/**
 * The structure every consumer relies on, beyond what the wire format guarantees: at least one block,
 * block i has idx i (Paddle's Python `Program` appends blocks with idx = position, and sub-block attrs
 * refer to blocks by that number), parent indices in range, every op has a type, every var a name.
 */
export function checkProgram(p: ProgramDesc, file: string): void {
  const bad = (why: string): never => fail('format', `${file}: not a Paddle ProgramDesc (${why})`);
  if (p.blocks.length === 0) bad(`no blocks`);
  p.blocks.forEach((b, i) => {
    if (b.idx !== i) bad(`block ${i} has idx ${b.idx}`);
    if (i === 0 ? b.parent_idx !== -1 && b.parent_idx !== 0 : b.parent_idx < -1 || b.parent_idx >= p.blocks.length) {
      bad(`block ${i} has parent_idx ${b.parent_idx}`);
    }
    b.ops.forEach((op, j) => { if (!op.type) bad(`block ${i} op #${j} has no type`); });
    b.vars.forEach((v, j) => { if (!v.name) bad(`block ${i} var #${j} has no name`); });
  });
}

/** Serialize a ProgramDesc (field-number order, unpacked repeated scalars, unknown fields kept). */
export function encodeProgram(p: ProgramDesc): Uint8Array {
  const { ProgramDesc: T } = frameworkTypes();
  // protobufjs's encoder trusts its input (a missing required string throws a TypeError deep inside);
  // verify first so a malformed object from a pass is reported as what it is.
  const why = T.verify(p as unknown as Record<string, unknown>);
  if (why) fail('internal', `encodeProgram: invalid ProgramDesc object (${why})`);
  try {
    return T.encode(toWire(T, p)).finish();
  } catch (e) {
    fail('internal', `encodeProgram: ${protoReason(e)}`);
  }
}
