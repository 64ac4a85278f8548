/**
 * The map page: GET / and GET /map answer the single-page app; its files are served from src/web/public
 * under /app/, MapLibre GL JS from the npm package under /vendor/maplibre-gl/ and h3-js (cell outlines of
 * the H3 zone overlay) under /vendor/h3-js/ (no CDN: the page loads nothing from anywhere but this server).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/src/server/routes/page.js -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const webRoot = join(root, 'src', 'web', 'public');
const maplibreDist = join(root, 'node_modules', 'maplibre-gl', 'dist');
const h3Dist = join(root, 'node_modules', 'h3-js', 'dist');

export const pagePlugin: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: webRoot, prefix: '/app/', index: false, cacheControl: true, maxAge: 0 });
  await app.register(fastifyStatic, {
    root: maplibreDist,
    prefix: '/vendor/maplibre-gl/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => /^\/maplibre-gl(-csp(-worker)?)?\.(js|css)(\.map)?$/.test(path),
  });
  await app.register(fastifyStatic, {
    root: h3Dist,
    prefix: '/vendor/h3-js/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => /^\/h3-js\.umd\.js(\.map)?$/.test(path),
  });
  for (const url of ['/', '/map']) {
    app.get(url, { schema: { summary: 'The map page (routes, matrices, VRP plans on the served map)', tags: ['map'] } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').sendFile('index.html'),
    );
  }
};
