import type { Command } from 'commander';
import { openMapFile } from '../maps/open.js';
import { parseLonLat, routeOnMap, type GeometryFormat } from '../routing/route.js';
import { acceptNegativeCoordinates } from './negative-coordinates.js';
import { printJson } from './output.js';

export function registerRoute(program: Command): void {
  const command = program
    .command('route')
    .description('fastest route through two or more coordinates, printed as JSON (seconds, metres)')
    .argument('<map>', 'map file (.wmap)')
    .argument('<coordinates...>', 'two or more lon,lat waypoints')
    .option('--geometry <format>', 'geojson, polyline, polyline6 or none', 'geojson')
    .option('--radius <metres>', 'snapping radius in metres, or unlimited', 'unlimited');
  acceptNegativeCoordinates(command).action((mapPath: string, coordinates: string[], opts: { geometry: string; radius: string }) => {
    const map = openMapFile(mapPath);
    const geometry: GeometryFormat = opts.geometry === 'none' ? false : (opts.geometry as GeometryFormat);
    const radius = opts.radius === 'unlimited' ? Infinity : Number(opts.radius);
    printJson(routeOnMap(map.handle, { coordinates: coordinates.map(parseLonLat), geometry, radius }));
  });
}
