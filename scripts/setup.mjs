#!/usr/bin/env node
// Every set-up step behind `npm start` and `npm test`, each done only when needed, so that a fresh
// clone on a Debian machine with Node needs nothing else:
//   1. npm dependencies (npm ci when node_modules is missing or older than the lock file)
//   2. osmium-tool from Debian when the `osmium` binary is missing (needs root)
//   3. the native addon (node-gyp; make rebuilds only what changed)
//   4. the TypeScript build (tsc, incremental)
// Flags: --build-only skips steps 1 and 2 (what `npm run build` does after `npm ci`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildOnly = process.argv.includes('--build-only');

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`waymark setup: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) return { ok: false, error: result.error };
  return { ok: result.status === 0, status: result.status };
}

function has(cmd, args = ['--version']) {
  const result = spawnSync(cmd, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) fail(`Node.js 20 or newer is required (this is ${process.versions.node}).`);

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

// 1. npm dependencies
if (!buildOnly) {
  const installedMarker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(installedMarker) || mtime(lock) > mtime(installedMarker) || mtime(join(root, 'package.json')) > mtime(installedMarker);
  if (stale) {
    log('installing npm dependencies');
    const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
    if (!run('npm', args).ok) fail('npm could not install the dependencies (see the output above).');
  }
}

// 2. osmium-tool (Debian package) for PBF import
if (!buildOnly && !has('osmium')) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) {
    fail('osmium-tool is missing and cannot be installed here: run `sudo apt-get install -y osmium-tool`.');
  }
  log('installing osmium-tool from Debian');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let ok = run('apt-get', ['install', '-y', '-q', 'osmium-tool'], { env }).ok;
  if (!ok) {
    run('apt-get', ['update', '-q'], { env });
    ok = run('apt-get', ['install', '-y', '-q', 'osmium-tool'], { env }).ok;
  }
  if (!ok || !has('osmium')) fail('osmium-tool is missing and apt-get could not install it: run `apt-get install -y osmium-tool`.');
}

// 2b. clang with libFuzzer and the sanitizer runtimes (Debian: clang, libclang-rt-dev) for the fuzz
// targets in fuzz/ and `npm run build:asan`; the addon itself builds with the default compiler.
function hasFuzzerToolchain() {
  const clang = ['clang++', 'clang++-19', 'clang++-16', 'clang++-14'].some((c) => has(c));
  let runtime = false;
  try {
    for (const llvm of readdirSync('/usr/lib').filter((d) => d.startsWith('llvm-'))) {
      const base = join('/usr/lib', llvm, 'lib', 'clang');
      for (const version of readdirSync(base)) {
        if (existsSync(join(base, version, 'lib', 'linux', 'libclang_rt.fuzzer-x86_64.a'))) runtime = true;
      }
    }
  } catch {
    // no LLVM installed
  }
  return clang && runtime;
}
if (!buildOnly && !hasFuzzerToolchain()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) {
    fail('clang with libFuzzer is missing and cannot be installed here: run `sudo apt-get install -y clang libclang-rt-dev`.');
  }
  log('installing clang and libclang-rt-dev from Debian (fuzzing, sanitizers)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let ok = run('apt-get', ['install', '-y', '-q', 'clang', 'libclang-rt-dev'], { env }).ok;
  if (!ok) {
    run('apt-get', ['update', '-q'], { env });
    ok = run('apt-get', ['install', '-y', '-q', 'clang', 'libclang-rt-dev'], { env }).ok;
  }
  if (!ok || !hasFuzzerToolchain()) fail('clang/libclang-rt-dev are missing and apt-get could not install them.');
}

// 3. native addon
const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(nodeGyp)) fail('node-gyp is not installed; run `npm ci` first.');
const gypArgs = [];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) gypArgs.push('--nodedir=/usr');
const makefile = join(root, 'build', 'Makefile');
if (!existsSync(makefile) || mtime(join(root, 'binding.gyp')) > mtime(makefile)) {
  log('configuring the native addon');
  if (!run(process.execPath, [nodeGyp, 'configure', ...gypArgs]).ok) fail('node-gyp configure failed (see the output above).');
}
// gyp lists sources at configure time: reconfigure when the set of native files changed.
{
  const listed = spawnSync(process.execPath, [join(root, 'scripts', 'native-sources.cjs')], { encoding: 'utf8' }).stdout;
  const stamp = join(root, 'build', 'sources.txt');
  let previous = '';
  try {
    previous = readFileSync(stamp, 'utf8');
  } catch {
    previous = '';
  }
  if (previous !== listed) {
    if (previous !== '') {
      log('native source list changed; reconfiguring');
      if (!run(process.execPath, [nodeGyp, 'configure', ...gypArgs]).ok) fail('node-gyp configure failed (see the output above).');
    }
    writeFileSync(stamp, listed);
  }
}
log('building the native addon');
const jobs = String(Math.max(1, availableParallelism()));
if (!run(process.execPath, [nodeGyp, 'build', '-j', jobs, ...gypArgs]).ok) fail('the native addon did not compile (see the output above).');

// 4. TypeScript
log('compiling TypeScript');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!run(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')]).ok) fail('TypeScript did not compile (see the output above).');
