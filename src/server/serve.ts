/** `waymark serve`: listen, load and self-test maps, and shut down gracefully on SIGTERM/SIGINT. */
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
  } catch (err) {
    server.app.log.error({ err }, 'could not load the maps');
    await server.close();
    throw err;
  }
  return server;
}
