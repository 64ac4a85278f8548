# syntax=docker/dockerfile:1
# Waymark: build the native addon and the TypeScript in a full image, run on a slim one.
#   docker build -t waymark .
#   docker run -v /srv/maps:/maps:ro -p 5000:5000 waymark            # serves every .wmap in /maps
#   docker run -v /srv/osm:/in -v /srv/maps:/maps waymark build /in/region.osm.pbf -p car,bike,foot -o /maps/

FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The image's own Node headers for node-gyp (no download).
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY binding.gyp tsconfig.json ./
COPY scripts scripts
COPY native native
COPY src src
COPY bench bench
COPY test test
COPY bin bin
# node-gyp (make) for the addon, then tsc; then drop the build-only dependencies.
RUN node scripts/setup.mjs --build-only && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# osmium-tool: `waymark build` (the map-build Job runs this image too).
RUN apt-get update \
 && apt-get install -y --no-install-recommends osmium-tool \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY --from=build /app/build/Release/waymark.node build/Release/waymark.node
ENV NODE_ENV=production \
    WAYMARK_DATA_DIR=/var/lib/waymark \
    WAYMARK_LOG_LEVEL=info
RUN mkdir -p /var/lib/waymark /maps && chown node:node /var/lib/waymark
USER node
EXPOSE 5000
ENTRYPOINT ["node", "/app/bin/waymark.js"]
CMD ["serve", "/maps", "--host", "0.0.0.0", "--port", "5000"]
