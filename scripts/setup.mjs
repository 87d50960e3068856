// One step that makes a fresh clone usable: install npm deps when missing, then build.
// Used by `npm run demo` and `npm test` so neither relies on a hand install.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('[setup] node_modules missing: npm ci');
  run('npm ci --no-audit --no-fund');
}
// libdnnl-dev for the native backend where root and apt allow (else one line; everything else still builds)
run('node scripts/build-native.mjs --install');
run('node scripts/build.mjs');
