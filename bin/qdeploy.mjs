#!/usr/bin/env node
// Thin launcher: the CLI is bundled by scripts/build.mjs into dist/qdeploy.mjs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'qdeploy.mjs');
if (!existsSync(entry)) {
  process.stderr.write('qdeploy: error: not built yet; run `npm run setup` in ' + root + '\n');
  process.exit(1);
}
await import(entry);
