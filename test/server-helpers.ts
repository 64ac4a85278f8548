/** Starting real Waymark servers on 127.0.0.1 for tests. */
import { WaymarkServer } from '../src/server/app.js';
import { defaultConfig, type ServerConfig } from '../src/server/config.js';
import { monacoMap, tempDir } from './helpers.js';

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
