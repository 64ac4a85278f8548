/**
 * A throw-away PostgreSQL cluster for tests and benchmarks: Debian's `postgresql` binaries,
 * `initdb` into a temporary directory, `pg_ctl` on a free port of 127.0.0.1 (run as the `postgres`
 * user through `runuser` when we are root, since PostgreSQL refuses to run as root), removed after.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length) return join(root, versions[0], 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0) return join(which.stdout.trim(), '..');
  throw new Error("PostgreSQL is not installed (initdb not found): `npm test` installs Debian's postgresql when run as root, or apt-get install postgresql");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (`immediate`: like a crash, recovery from WAL on start). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops the server and removes the cluster. */
  destroy(): void;
  /** Runs SQL through psql and returns its unaligned output. */
  psql(sql: string, database?: string): string;
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = binDir();
  const isRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'waymark-pg-'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) => (isRoot ? (['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const) : ([cmd, args] as const));
  const run = (cmd: string, args: string[]) => {
    const [c, a] = as(join(bin, cmd), args);
    const r = spawnSync(c, [...a], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=200`;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () => void run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => void run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
    destroy: () => {
      process.off('exit', cluster.destroy);
      const [c, a] = as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      spawnSync(c, [...a], { stdio: 'ignore', cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
    psql: (sql: string, database = 'postgres') => {
      const r = spawnSync(existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', `postgres://postgres@127.0.0.1:${port}/${database}`, '-c', sql], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout.trim();
    },
  };
  // pg_ctl detaches the server: a process that ends without destroy() must not leave it running.
  process.once('exit', cluster.destroy);
  try {
    cluster.start();
  } catch (err) {
    cluster.destroy();
    throw err;
  }
  return cluster;
}
