#!/usr/bin/env node
// Every set-up step behind `npm start` and `npm test`, each done only when needed, so that a fresh
// clone on a Debian machine with Node needs nothing else:
//   1. npm dependencies (npm ci when node_modules is missing or older than the lock file)
//   2. Debian packages when missing (needs root): osmium-tool; chromium (the map page's browser tests
//      drive /usr/bin/chromium); postgresql for `npm test`; linux-perf, optional (profiling the
//      native core)
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

// 2. Debian packages: osmium-tool for PBF import; postgresql for the tests and benchmark of the
//    shared job store (they start throw-away clusters with its initdb/pg_ctl).
// An optional package that cannot be installed is reported and skipped; a required one stops setup.
function aptInstall(pkg, present, hint, { optional = false } = {}) {
  if (present()) return;
  const missing = (message) => {
    if (!optional) fail(message);
    log(`${message} (optional; continuing without ${pkg})`);
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) return missing(`${pkg} is missing and cannot be installed here: run \`sudo apt-get install -y ${pkg}\`${hint}.`);
  log(`installing ${pkg} from Debian${optional ? ' (optional)' : ''}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let ok = run('apt-get', ['install', '-y', '-q', pkg], { env }).ok;
  if (!ok) {
    run('apt-get', ['update', '-q'], { env });
    ok = run('apt-get', ['install', '-y', '-q', pkg], { env }).ok;
  }
  if (!ok || !present()) return missing(`${pkg} is missing and apt-get could not install it: run \`apt-get install -y ${pkg}\`.`);
}

function hasPostgresServer() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root) && readdirSync(root).some((v) => existsSync(join(root, v, 'bin', 'initdb')))) return true;
  return has('initdb', ['--version']);
}

if (!buildOnly) {
  aptInstall('osmium-tool', () => has('osmium'), '');
  if (process.env.npm_lifecycle_event === 'test') aptInstall('postgresql', hasPostgresServer, ' (the job-store tests need it)');
}

// 2b. chromium (Debian package): the map page is tested in a real headless browser
if (!buildOnly) aptInstall('chromium', () => existsSync('/usr/bin/chromium'), '');

// 2c. linux-perf (Debian package): `perf record -p <pid>` on the native core, and its test. Optional:
// when it cannot be installed the test checks the addon's symbols and frame pointers only.
if (!buildOnly) aptInstall('linux-perf', () => has('perf', ['--version']), '', { optional: true });

// 2d. clang with libFuzzer and the sanitizer runtimes (Debian: clang, libclang-rt-dev) for the fuzz
// targets in fuzz/ and `npm run build:asan`; the addon itself builds with the default compiler.
const hasClang = () => ['clang++', 'clang++-19', 'clang++-16', 'clang++-14'].some((c) => has(c));
function hasFuzzerToolchain() {
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
  return hasClang() && runtime;
}
if (!buildOnly) {
  aptInstall('clang', hasClang, ' (fuzzing, sanitizers)');
  aptInstall('libclang-rt-dev', hasFuzzerToolchain, ' (libFuzzer and sanitizer runtimes)');
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
