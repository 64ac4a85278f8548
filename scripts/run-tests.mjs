#!/usr/bin/env node
// `npm test` after set-up: runs the test files (default dist/test/, one at a time) with a temp folder
// of this run's own (TMPDIR), then fails the run if anything named waymark is left in it — a test
// that did not clean up after itself — and removes the folder either way. Other processes' files
// in the system temp folder are never looked at. Usage: node scripts/run-tests.mjs [test files...]
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'waymark-test-run-'));
// Like /tmp: services the tests start as other users (PostgreSQL as `postgres`) make their own entries.
chmodSync(root, 0o1777);

const files = process.argv.slice(2);
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(files.length > 0 ? files : ['dist/test/'])], {
  stdio: 'inherit',
  // NODE_TEST_CONTEXT: set when this runs inside a test itself; the nested runner must run its files.
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), TMPDIR: root, WAYMARK_TEST_RUN_TMPDIR: root },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));

child.on('exit', (code, signal) => {
  const left = readdirSync(root);
  const ours = left.filter((name) => /waymark/i.test(name));
  const others = left.filter((name) => !/waymark/i.test(name));
  let status = code ?? (signal ? 1 : 0);
  if (ours.length > 0) {
    process.stderr.write(`\nrun-tests: the tests left ${ours.length} waymark entr${ours.length === 1 ? 'y' : 'ies'} in their temp folder (each test must remove what it creates):\n${ours.map((n) => `  ${n}`).join('\n')}\n`);
    status = status || 1;
  }
  if (others.length > 0) process.stderr.write(`run-tests: also left by tools the tests ran: ${others.join(', ')}\n`);
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (err) {
    process.stderr.write(`run-tests: could not remove ${root}: ${err.message}\n`);
  }
  if (status === 0) process.stderr.write('run-tests: the temp folder was left clean\n');
  process.exit(status);
});
