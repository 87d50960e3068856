// One step that makes a fresh clone usable: install npm deps when missing, then build.
// Used by `npm run demo` and `npm test` so neither relies on a hand install.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });

// npm writes node_modules/.package-lock.json on every install: a package-lock.json newer than it (a pull that added
// a dependency) means node_modules is stale, and a missing one that it was never installed
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed)) {
  console.log('[setup] node_modules missing: npm ci');
  run('npm ci --no-audit --no-fund');
} else if (statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  console.log('[setup] package-lock.json is newer than node_modules: npm ci');
  run('npm ci --no-audit --no-fund');
}
// libdnnl-dev for the native backend where root and apt allow (else one line; everything else still builds)
run('node scripts/build-native.mjs --install');
run('node scripts/build.mjs');
