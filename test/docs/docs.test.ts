// The docs a clone carries point at files the clone has: README's links and `*.md` references resolve inside
// the repo (it once sent readers to ../shared/ARCHITECTURE.md, outside any clone), and every repo path that
// docs/ARCHITECTURE.md names exists, so the description of the house fails a test when a room moves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
const inRepo = (from: string, target: string) => {
  const p = resolve(root, from, '..', target);
  return !relative(root, p).startsWith('..') && existsSync(p);
};

test('README: every markdown link and every `*.md` it names is a file inside the repo', () => {
  const md = read('README.md');
  const targets = [
    ...[...md.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t)),
    ...[...md.matchAll(/`([^`\s]+\.md)`/g)].map((m) => m[1]),
  ];
  assert.ok(targets.includes('docs/ARCHITECTURE.md'), 'README links docs/ARCHITECTURE.md');
  const bad = targets.filter((t) => !inRepo('README.md', t));
  assert.equal(bad, [], `outside the repo or missing: ${bad.join(', ')}`);
});

test('docs/ARCHITECTURE.md: every repo path it names exists, and it stays compact', () => {
  const md = read('docs/ARCHITECTURE.md');
  const paths = [...md.matchAll(/`((?:src|test|scripts|wasm|native|bench|docs)\/[^`\s]*)`/g)].map((m) => m[1])
    .filter((p) => !/[<*…|]/.test(p)); // patterns such as `src/backends/<name>/`, `kernels/*`
  assert.ok(paths.length > 30, `${paths.length} paths named`);
  const missing = [...new Set(paths)].filter((p) => !existsSync(join(root, p)));
  assert.equal(missing, [], `named but absent: ${missing.join(', ')}`);
  assert.ok(md.split('\n').length <= 250, `${md.split('\n').length} lines`);
});

test.run();
