/** Live traffic: names of the installed traffic metrics (native/metric/traffic.h builds them), and the segments a traffic file names. */
import { native, type MapHandle } from '../native/index.js';

/** The process-wide key of live-traffic metric `version` of a map. */
export function trafficKey(version: number | 'latest'): string {
  return `traffic:${version}`;
}

/**
 * Every directed OSM segment the map can drive, as a traffic file names it (from, to OSM node ids),
 * with its edge: edge by edge, along the shape, the forward direction before the backward one.
 * A generator: region64 has millions of them.
 */
export function* drivableOsmSegments(map: MapHandle): Generator<{ from: bigint; to: bigint; edge: number }> {
  const nodeId = native.mapSection(map, 'node_osm_id', 'i64');
  const shapeId = native.mapSection(map, 'shape_osm_id', 'i64');
  const from = native.mapSection(map, 'edge_from', 'u32');
  const to = native.mapSection(map, 'edge_to', 'u32');
  const shapeFirst = native.mapSection(map, 'edge_shape_first', 'u32');
  const fwd = native.mapSection(map, 'edge_duration_forward', 'u32');
  const bwd = native.mapSection(map, 'edge_duration_backward', 'u32');
  for (let e = 0; e < from.length; e++) {
    const ids = [nodeId[from[e]], ...shapeId.subarray(shapeFirst[e], shapeFirst[e + 1]), nodeId[to[e]]];
    for (let j = 0; j + 1 < ids.length; j++) {
      if (fwd[e] !== 0xffffffff) yield { from: ids[j], to: ids[j + 1], edge: e };
      if (bwd[e] !== 0xffffffff) yield { from: ids[j + 1], to: ids[j], edge: e };
    }
  }
}
