// Builds the native addons in native/src/ with the system C++ compiler, straight through g++ (no node-gyp: it
// downloads Node's headers, and this must build offline):
//   native/build/qdeploy_jpeg.node  the JPEG decoder on the system libjpeg-turbo (native/src/jpeg_decode.cc)
//   native/build/qdeploy_dnnl.node  the oneDNN backend (native/src/dnnl_*.cc, node-addon-api headers from npm,
//                                   Debian's libdnnl-dev: 2.6 on Debian 12, 3.x on 13; one source for both)
// Each is rebuilt only when one of its sources or this script is newer than its output (or with --force). Called
// by scripts/build.mjs after the wasm build.
//
// Every addon is optional: where g++, Node's headers (node_api.h) or the library's headers are missing, or the
// compile fails, this prints one line saying why and goes on (exit 0); the tool then decodes JPEGs with sharp and
// runs on wasm (src/util/native_build.ts reports the reason). Run as root with apt-get available and --install
// (scripts/setup.mjs passes it), it first installs libdnnl-dev when its headers are missing.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'native', 'src');
const outDir = join(root, 'native', 'build');
const cxx = process.env.CXX || 'g++';
const force = process.argv.includes('--force');
const scriptTime = statSync(fileURLToPath(import.meta.url)).mtimeMs;

/** does `#include` of these headers preprocess (wherever the compiler looks, multiarch dirs included)? */
const hasHeaders = (includes, extra = []) =>
  spawnSync(cxx, ['-x', 'c++', '-std=c++17', ...extra, '-E', '-o', '/dev/null', '-'], { input: includes.map((h) => `#include <${h}>\n`).join(''), encoding: 'utf8' }).status === 0;

/** apt-get install libdnnl-dev where we may (root, apt-get present); one line either way */
function installDnnl() {
  if (hasHeaders(['oneapi/dnnl/dnnl.hpp'])) return;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.log('[build-native] libdnnl-dev not installed and not root: the oneDNN backend is skipped (as root: apt-get install libdnnl-dev)');
    return;
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('[build-native] libdnnl-dev not installed and no apt-get here: the oneDNN backend is skipped');
    return;
  }
  // one try per clone: a machine without network would otherwise wait on apt at every `npm test`
  const tried = join(outDir, '.libdnnl-install-tried');
  if (existsSync(tried)) {
    console.log(`[build-native] libdnnl-dev not installed (apt-get failed before; remove ${tried} to retry): the oneDNN backend is skipped`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(tried, `${new Date().toISOString()}\n`);
  console.log('[build-native] installing libdnnl-dev (oneDNN) with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const up = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
  const inst = up.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', 'libdnnl-dev'], { encoding: 'utf8', env }) : up;
  if (inst.status !== 0) {
    const last = `${inst.stderr || ''}`.trim().split('\n').pop() || `exit ${inst.status}`;
    console.log(`[build-native] apt-get could not install libdnnl-dev (${last}): the oneDNN backend is skipped`);
  }
}

// Node-API headers: the ones shipped with this node (official tarballs: <prefix>/include/node), else the distro's.
const nodeInc = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node']
  .find((d) => existsSync(join(d, 'node_api.h')));

/** node-addon-api's C++ headers (npm, header-only) */
function addonApiInc() {
  try { return dirname(createRequire(join(root, 'package.json')).resolve('node-addon-api/napi.h')); } catch { return undefined; }
}

/** compile one addon; `why` explains a skip in the caller's words */
function build({ file, sources, deps = [], libs, headers, includes = [], defines = [], flags = [], skipped }) {
  const out = join(outDir, file);
  const srcTime = Math.max(scriptTime, ...[...sources, ...deps].map((s) => statSync(s).mtimeMs));
  if (!force && existsSync(out) && statSync(out).mtimeMs >= srcTime) return;
  const skip = (why) => {
    // an older build (from before a source change) keeps working, and is the one the tool loads
    console.log(existsSync(out) ? `[build-native] ${file} not rebuilt: ${why}; the previous build stays in use` : `[build-native] ${file} not built: ${why}; ${skipped}`);
  };
  if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) return skip(`no C++ compiler (${cxx})`);
  if (!nodeInc) return skip('node_api.h not found (Node headers; e.g. apt-get install libnode-dev, or a Node tarball install)');
  const inc = [`-I${nodeInc}`, ...includes.map((d) => `-I${d}`)];
  if (!hasHeaders(headers.list, inc)) return skip(headers.why);
  mkdirSync(outDir, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const args = [
    '-std=c++17', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter',
    ...flags, ...inc, '-DNAPI_VERSION=8', ...defines, ...sources, '-o', tmp, ...libs,
  ];
  const r = spawnSync(cxx, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const first = (r.stderr || r.error?.message || '').split('\n').find((l) => /error/.test(l)) ?? 'compiler failed';
    return skip(`${cxx} failed: ${first.trim()}`);
  }
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  renameSync(tmp, out);
  console.log(`[build-native] native/build/${file}`);
}

const jpeg = join(srcDir, 'jpeg_decode.cc');
if (existsSync(jpeg)) {
  build({
    file: 'qdeploy_jpeg.node', sources: [jpeg], libs: ['-ljpeg'],
    headers: { list: ['cstdio', 'jpeglib.h'], why: 'jpeglib.h not found (apt-get install libjpeg62-turbo-dev)' },
    skipped: 'JPEGs will be decoded by sharp',
  });
}

const dnnlSources = existsSync(srcDir) ? readdirSync(srcDir).filter((f) => /^dnnl_.*\.cc$/.test(f)).map((f) => join(srcDir, f)) : [];
if (dnnlSources.length) {
  if (process.argv.includes('--install')) installDnnl();
  const napiInc = addonApiInc();
  const skipped = 'the native backend is unavailable (wasm runs instead)';
  if (!napiInc) console.log(`[build-native] qdeploy_dnnl.node not built: node-addon-api missing from node_modules (npm ci); ${skipped}`);
  else {
    build({
      file: 'qdeploy_dnnl.node', sources: dnnlSources, deps: [join(srcDir, 'dnnl_addon.h')],
      // the contract rounds after every float step: no fused multiply-add in our own loops
      flags: ['-fopenmp', '-ffp-contract=off'], includes: [napiInc], libs: ['-ldnnl'],
      headers: { list: ['napi.h', 'oneapi/dnnl/dnnl.hpp'], why: 'oneDNN headers not found (apt-get install libdnnl-dev, as root)' },
      skipped,
    });
  }
}
