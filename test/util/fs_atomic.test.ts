// Atomic writers leave nothing behind: a temp sibling left by a writer that was killed (Ctrl-C, SIGKILL: no 'exit'
// hook runs) is removed by the next write to the same target; temp siblings of live writers and of other targets
// are left alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicFileWriter, writeDirAtomic, writeFileAtomic } from '../../src/util/fs_atomic';
import { tempDir } from '../tmp';

/** the pid of a process that has exited */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid && r.status === 0);
  return r.pid!;
}

function setup(target: string): { dir: string; stale: string; live: string; other: string } {
  const dir = tempDir('atomic');
  const dead = deadPid();
  const stale = `.${target}.tmp-${dead}-0`;      // a killed writer's partial output
  const live = `.${target}.tmp-${process.pid}-9999`; // another writer in this process, still writing
  const other = `.x${target}.tmp-${dead}-0`;     // a killed writer of another target
  for (const f of [stale, live, other]) mkdirSync(join(dir, f));
  writeFileSync(join(dir, stale, 'part'), 'partial');
  return { dir, stale, live, other };
}

test('writeFileAtomic removes a killed writer\'s temp sibling of the same target', () => {
  const { dir, stale, live, other } = setup('a.bin');
  writeFileAtomic(join(dir, 'a.bin'), 'whole');
  assert.is(readFileSync(join(dir, 'a.bin'), 'utf8'), 'whole');
  assert.equal(readdirSync(dir).sort(), [live, other, 'a.bin'].sort());
  assert.ok(!readdirSync(dir).includes(stale));
});

test('AtomicFileWriter (streamed datasets) does the same', () => {
  const { dir, live, other } = setup('d.bin');
  const w = new AtomicFileWriter(join(dir, 'd.bin'));
  w.write(new Uint8Array([1, 2, 3]));
  w.commit();
  assert.equal(readdirSync(dir).sort(), [live, other, 'd.bin'].sort());
});

test('writeDirAtomic (model dirs) does the same', () => {
  const { dir, live, other } = setup('model');
  writeDirAtomic(join(dir, 'model'), false, (d) => writeFileSync(join(d, '__model__'), 'p'));
  assert.equal(readdirSync(dir).sort(), [live, other, 'model'].sort());
  assert.equal(readdirSync(join(dir, 'model')), ['__model__']);
});

test.run();
