// Instruments runPipeline calls around each pass (convert --debug): a Graphviz dump and the wall time per pass.
import { join } from 'node:path';
import { toDot } from '../graph/dot';
import { writeFileAtomic } from '../util/fs_atomic';
import type { Instrument } from './pass';

/** --debug: after every pass, `int8_<k>_<pass>.dot` (k = the pass's position in the pipeline, from 0) */
export function dotInstrument(dir: string): Instrument {
  return {
    after(p, i, g) {
      writeFileAtomic(join(dir, `int8_${i}_${p.name}.dot`), toDot(g, `int8_${i}_${p.name}`));
    },
  };
}

/** per-pass wall time, printed with --debug */
export function timingInstrument(out: (line: string) => void): Instrument {
  let t0 = 0;
  return {
    before() { t0 = performance.now(); },
    after(p, i, g) { out(`  ${String(i).padStart(2)} ${p.name.padEnd(40)} ${(performance.now() - t0).toFixed(1).padStart(8)} ms  ${g.ops.length} ops`); },
  };
}

