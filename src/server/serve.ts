/**
 * `waymark serve`: listen, load and self-test maps, reload them on SIGHUP (and, with --watch, when
 * a map file is replaced), and shut down gracefully on SIGTERM/SIGINT.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ServerConfig } from './config.js';
import { WaymarkServer } from './app.js';

export async function serve(config: ServerConfig): Promise<WaymarkServer> {
  const server = new WaymarkServer(config);
  const address = await server.listen();
  server.app.log.info({ address, workers: config.workers, maps: config.maps }, 'listening');
  const shutdown = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await server.loadMaps();
    server.app.log.info({ address }, 'ready');
    process.on('SIGHUP', () => {
      server.app.log.info({}, 'SIGHUP: reloading maps');
      void server.reload();
    });
    if (config.watch) {
      // The build writes a temporary file and renames it over the map: watch the directory for it.
      const timers = new Map<string, NodeJS.Timeout>();
      for (const [profile, path] of Object.entries(config.maps)) {
        watch(dirname(path), (_event, filename) => {
          if (filename !== basename(path)) return;
          clearTimeout(timers.get(profile));
          timers.set(profile, setTimeout(() => void server.reload([profile]), 300));
        }).unref();
      }
    }
  } catch (err) {
    server.app.log.error({ err }, 'could not load the maps');
    await server.close();
    throw err;
  }
  return server;
}
