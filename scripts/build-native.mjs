// Builds the native addons in native/src/ with the system C++ compiler, straight through g++ (no node-gyp: it
// downloads Node's headers, and this must build offline): today native/build/qdeploy_jpeg.node, the JPEG decoder
// on the system libjpeg-turbo (native/src/jpeg_decode.cc). Rebuilt only when its source or this script is newer
// than the output (or with --force). Called by scripts/build.mjs after the wasm build.
//
// The addon is optional: where g++, Node's headers (node_api.h) or libjpeg's (jpeglib.h, Debian's
// libjpeg62-turbo-dev) are missing, or the compile fails, this prints one line saying why and exits 0; the tool then
// decodes with sharp (src/util/native_build.ts reports the reason).
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'native', 'src', 'jpeg_decode.cc');
const outDir = join(root, 'native', 'build');
const out = join(outDir, 'qdeploy_jpeg.node');
const cxx = process.env.CXX || 'g++';
const skip = (why) => {
  // an older build (from before a source change) keeps working, and is the one the tool loads
  console.log(existsSync(out) ? `[build-native] qdeploy_jpeg.node not rebuilt: ${why}; the previous build stays in use`
    : `[build-native] qdeploy_jpeg.node not built: ${why}; JPEGs will be decoded by sharp`);
  process.exit(0);
};

if (!existsSync(src)) process.exit(0);
const srcTime = Math.max(statSync(src).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
if (!process.argv.includes('--force') && existsSync(out) && statSync(out).mtimeMs >= srcTime) process.exit(0);

if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${cxx})`);

// Node-API headers: the ones shipped with this node (official tarballs: <prefix>/include/node), else the distro's.
const nodeInc = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node']
  .find((d) => existsSync(join(d, 'node_api.h')));
if (!nodeInc) skip('node_api.h not found (Node headers; e.g. apt-get install libnode-dev, or a Node tarball install)');

// jpeglib.h wherever the compiler looks (a preprocessor run answers that, multiarch dirs included).
const probe = spawnSync(cxx, ['-x', 'c++', '-E', '-o', '/dev/null', '-'], { input: '#include <cstdio>\n#include <jpeglib.h>\n', encoding: 'utf8' });
if (probe.status !== 0) skip('jpeglib.h not found (apt-get install libjpeg62-turbo-dev)');

mkdirSync(outDir, { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
const args = [
  '-std=c++17', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter',
  `-I${nodeInc}`, '-DNAPI_VERSION=8', src, '-o', tmp, '-ljpeg',
];
const r = spawnSync(cxx, args, { encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  const first = (r.stderr || r.error?.message || '').split('\n').find((l) => /error/.test(l)) ?? 'compiler failed';
  skip(`${cxx} failed: ${first.trim()}`);
}
if (r.stderr.trim()) process.stderr.write(r.stderr);
renameSync(tmp, out);
console.log('[build-native] native/build/qdeploy_jpeg.node');
