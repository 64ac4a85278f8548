/** Starting real Waymark servers on 127.0.0.1 for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WaymarkServer } from '../src/server/app.js';
import { defaultConfig, type ServerConfig } from '../src/server/config.js';
import { monacoMap, repoRoot, tempDir, trackChild } from './helpers.js';

export async function startServer(overrides: Partial<ServerConfig> = {}, load = true): Promise<{ server: WaymarkServer; base: string }> {
  const { path } = await monacoMap();
  const config: ServerConfig = { ...defaultConfig({ car: path }), port: 0, workers: 2, logLevel: 'warn', dataDir: tempDir('waymark-data-'), ...overrides };
  const server = new WaymarkServer(config);
  const base = await server.listen();
  if (load) await server.loadMaps();
  return { server, base };
}

export async function postJson(base: string, path: string, body: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

export async function getJson(base: string, path: string): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + path);
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (metrics, docs)
  }
  return { status: res.status, json, headers: res.headers };
}

/**
 * Starts `waymark serve <args>` as a real child process and resolves once it logs "ready", with its
 * address and everything it printed so far.
 */
export function startChildServer(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string; log: () => string }> {
  const child = trackChild(
    spawn(process.execPath, [join(repoRoot, 'bin', 'waymark.js'), 'serve', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WAYMARK_LOG_LEVEL: 'info', ...env },
    }),
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${out}`));
    }, 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m && out.includes('"msg":"ready"')) {
        clearTimeout(timer);
        resolve({ child, base: m[1], log: () => out });
      }
    });
  });
}

/** SIGTERM (or another signal) and wait for the exit code. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}
