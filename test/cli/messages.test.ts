// Messages speak to users: no text a user can see (string literals in src/, comments stripped) promises "a later
// issue" or carries a TODO, and the backend the user asks for is refused in words about qdeploy, not its tracker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { selectBackend } from '../../src/backends/select';

const root = resolve(__dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** the code of a TS file without its comments (strings kept: a '//' inside one is not a comment) */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').split('\n').map((line) => {
    let q: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (q) { if (c === '\\') i++; else if (c === q) q = undefined; continue; }
      if (c === '\'' || c === '"' || c === '`') q = c;
      else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
    }
    return line;
  }).join('\n');
}

test('no user-visible text says "later issue" or TODO', () => {
  const hits: string[] = [];
  for (const f of sources(join(root, 'src'))) {
    code(readFileSync(f, 'utf8')).split('\n').forEach((l, i) => {
      if (/later issue|\bTODO\b|FIXME/i.test(l)) hits.push(`${relative(root, f)}:${i + 1}: ${l.trim()}`);
    });
  }
  assert.equal(hits, []);
});

test('--backend native: chosen or refused, in words about this build (never "a later issue")', () => {
  let words: string;
  try {
    const s = selectBackend('native');
    words = s.reason;
    assert.match(words, /^native oneDNN /);
    s.backend.dispose?.();
  } catch (e) {
    words = (e as Error).message;
    assert.match(words, /^--backend native: .* \(try --backend wasm\)$/);
  }
  assert.not.match(words, /later|issue/i);
});

test.run();
