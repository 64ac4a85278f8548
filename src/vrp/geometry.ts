/** Route geometry for VRP solutions on problems given with coordinates (encoded polyline). */
import { WaymarkError } from '../errors.js';
import { native, type MapHandle } from '../native/index.js';
import { formatGeometry } from '../routing/route.js';
import type { Model } from './model.js';
import type { VroomSolution } from './types.js';

/**
 * Adds each route's polyline. With maxBytes, stops (TooBig) as soon as the solution's JSON with the
 * polylines so far would exceed it, before the rest is computed.
 */
export function addGeometry(solution: VroomSolution, model: Model, maps: Record<string, MapHandle>, maxBytes = Infinity): void {
  if (!model.coordinates) return;
  let bytes = Number.isFinite(maxBytes) ? JSON.stringify(solution).length : 0;
  for (const route of solution.routes) {
    const vehicle = model.vehicles.find((v) => v.id === route.vehicle)!;
    const map = maps[vehicle.profile === 'driving' ? 'car' : vehicle.profile];
    if (!map) continue;
    const coords = route.steps.filter((s) => s.location).map((s) => s.location!);
    const deduped = coords.filter((c, i) => i === 0 || c[0] !== coords[i - 1][0] || c[1] !== coords[i - 1][1]);
    if (deduped.length < 2) continue;
    const r = native.route(map, Float64Array.from(deduped.flat()), { geometry: true });
    route.geometry = formatGeometry(r.geometry, 'polyline') as string;
    bytes += JSON.stringify(route.geometry).length + ',"geometry":'.length;
    if (bytes > maxBytes) throw new WaymarkError('TooBig', `the solution with route geometry would take ${bytes} bytes of JSON or more, over the limit of ${maxBytes}`);
  }
}
