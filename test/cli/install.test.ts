// What a clone promises before any command runs: a LICENSE with the Apache-2.0 text package.json names, and the
// README's install line working: `npm i -g .` (here into a temp prefix) gives a `qdeploy` that finds the clone's
// dist bundle from any directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, root, tmp } from './helpers';
import { skipTest } from '../skip';

const prefix = tmp('npm-global');
const cleanup = () => {
  // the package is a symlink to this clone: remove the link itself first, never what it points to
  const link = join(prefix, 'lib', 'node_modules', 'qdeploy');
  try { if (lstatSync(link).isSymbolicLink()) unlinkSync(link); } catch { /* not installed */ }
  rmSync(prefix, { recursive: true, force: true });
};
process.on('exit', cleanup);
test.after(cleanup);

test('LICENSE is the Apache License 2.0 that package.json names', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.is(pkg.license, 'Apache-2.0');
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.match(text, /^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
  for (const section of ['1. Definitions.', '2. Grant of Copyright License.', '3. Grant of Patent License.', '4. Redistribution.',
    '9. Accepting Warranty or Additional Liability.', 'END OF TERMS AND CONDITIONS']) assert.ok(text.includes(section), section);
});

test('README: `npm i -g .` puts a working qdeploy on the PATH', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, /\nnpm i -g \.\s/);
  ensureBuilt();
  const npm = spawnSync('npm', ['i', '-g', '.', '--prefix', prefix, '--offline', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' });
  if (npm.error) { skipTest(`npm not runnable here (${npm.error.message})`); return; }
  assert.is(npm.status, 0, npm.stderr);
  const bin = join(prefix, 'bin', 'qdeploy');
  assert.ok(existsSync(bin), 'bin/qdeploy linked');
  // from another directory, through the PATH, as a user runs it
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
  const v = spawnSync('qdeploy', ['--version'], { cwd: prefix, env, encoding: 'utf8' });
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stdout, 'qdeploy 0.1.0\n');
  const h = spawnSync('qdeploy', ['help', 'convert'], { cwd: prefix, env, encoding: 'utf8' });
  assert.is(h.status, 0, h.stderr);
  assert.match(h.stdout, /^qdeploy convert — /);
});

test.run();
