/**
 * Reachability for dispatch: which of many origins (drivers) reach one target within a limit. One
 * reverse PHAST from the target answers all of them, instead of one route per origin.
 */
import { native, type MapHandle } from '../native/index.js';
import { callNative, flatCoordinates, type LonLat } from './route.js';

export interface ReachRequest {
  target: LonLat;
  origins: LonLat[];
  max_minutes: number;
  /** Snapping radius of the target, metres. */
  radius?: number;
  /** Origins with no road within this many metres are listed in `unsnapped`. */
  origin_radius?: number;
}

export interface ReachResponse {
  target: { location: LonLat; distance: number; name: string };
  /** Origins that reach the target within the limit, fastest first: seconds and metres. */
  reached: { index: number; duration: number; distance: number }[];
  /** Origins that cannot reach the target within the limit (or at all). */
  not_reached: number[];
  /** Origins with no road near them. */
  unsnapped: number[];
}

export function reachOnMap(map: MapHandle, request: ReachRequest): ReachResponse {
  const r = callNative(() =>
    native.oneToMany(map, flatCoordinates([request.target]), flatCoordinates(request.origins), {
      direction: 'reverse',
      radius: request.radius ?? 1000,
      othersRadius: request.origin_radius ?? 1000,
    }),
  );
  const limit = request.max_minutes * 60;
  const reached: ReachResponse['reached'] = [];
  const notReached: number[] = [];
  const unsnapped: number[] = [];
  request.origins.forEach((_, i) => {
    if (!r.snapped[i]) unsnapped.push(i);
    else if (r.durations[i] <= limit) reached.push({ index: i, duration: r.durations[i], distance: r.distances[i] });
    else notReached.push(i);
  });
  reached.sort((a, b) => a.duration - b.duration || a.index - b.index);
  for (const o of reached) {
    o.duration = round1(o.duration);
    o.distance = round1(o.distance);
  }
  return { target: { location: r.center.location, distance: r.center.distance, name: r.center.name }, reached, not_reached: notReached, unsnapped };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
