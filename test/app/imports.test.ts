// The application layer's import rule (docs/ARCHITECTURE.md, folder table): src/cli is the top room, so nothing
// but the CLI and its own tests may reach it. Checked on the import graph, transitively: a helper that imports a
// command file counts for every test that imports the helper. And src/app is imported only by src/cli (and by
// tests and bench/), never by the rooms below it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const rel = (p: string) => relative(root, p).split('\\').join('/');

function tsFiles(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((n) => {
    const p = join(abs, n);
    return statSync(p).isDirectory() ? tsFiles(rel(p)) : /\.(ts|mts|mjs)$/.test(n) ? [p] : [];
  });
}

/** relative module specifiers a file imports: `import … from`, `export … from`, `import('…')`, `require('…')` */
function specifiers(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) out.push(m[1]);
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const p of [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts')]) if (existsSync(p) && statSync(p).isFile()) return p;
  return undefined;
}

/** the first import chain from `start` to a file `bad` accepts, or undefined */
function chainTo(start: string, bad: (relPath: string) => boolean): string[] | undefined {
  const seen = new Set<string>([start]);
  const queue: string[][] = [[start]];
  while (queue.length) {
    const path = queue.shift()!;
    const f = path[path.length - 1];
    for (const s of specifiers(readFileSync(f, 'utf8'))) {
      const t = resolveImport(f, s);
      if (!t || seen.has(t)) continue;
      if (bad(rel(t))) return [...path, t].map(rel);
      seen.add(t);
      queue.push([...path, t]);
    }
  }
  return undefined;
}

const isCli = (p: string) => p.startsWith('src/cli/');

test('the scanner sees every import form the repo uses (a scanner that misses imports would pass everything)', () => {
  assert.equal(specifiers([
    "import { a } from '../../src/a';",
    "import type { B } from \"./b\";",
    "export { c } from '../c';",
    "const d = await import('./d');",
    "const e = require('../e');",
    "import './side_effect';",
    "import { x } from 'node:fs';",
  ].join('\n')), ['../../src/a', './b', '../c', './d', '../e', './side_effect']);
  // and it finds the CLI where it is: main.ts reaches the command table
  assert.equal(chainTo(join(root, 'src/cli/main.ts'), (p) => p === 'src/cli/commands.ts'), ['src/cli/main.ts', 'src/cli/commands.ts']);
});

test('tests other than test/cli/, and bench/, do not import src/cli (directly or through a helper)', () => {
  const files = [...tsFiles('test').filter((f) => !rel(f).startsWith('test/cli/')), ...tsFiles('bench')];
  assert.ok(files.length > 60, `${files.length} files scanned`);
  const bad = files.map((f) => chainTo(f, isCli)).filter((c): c is string[] => !!c).map((c) => c.join(' → '));
  assert.equal(bad, [], `import src/cli (move the code they need to src/app):\n${bad.join('\n')}`);
});

test('src/app does not import src/cli; rooms below src/app import neither', () => {
  const app = tsFiles('src/app');
  assert.ok(app.length >= 8, `${app.length} files in src/app`);
  const below = tsFiles('src').filter((f) => !/^src\/(cli|app)\//.test(rel(f)));
  const bad = [
    ...app.map((f) => chainTo(f, isCli)),
    ...below.map((f) => chainTo(f, (p) => isCli(p) || p.startsWith('src/app/'))),
  ].filter((c): c is string[] => !!c).map((c) => c.join(' → '));
  assert.equal(bad, [], `imports pointing up:\n${bad.join('\n')}`);
});

test.run();
