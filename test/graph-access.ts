/** Read-only views of a map's graph arrays, for tests that pick subjects from the real data. */
import { native, type MapHandle } from '../src/native/index.js';

export const CLOSED = 0xffffffff;

export class GraphAccess {
  readonly edgeFrom: Uint32Array;
  readonly edgeTo: Uint32Array;
  readonly forward: Uint32Array;
  readonly backward: Uint32Array;
  readonly lengthCm: Uint32Array;
  readonly shapeFirst: Uint32Array;
  readonly shapeLon: Int32Array;
  readonly shapeLat: Int32Array;
  readonly nodeLon: Int32Array;
  readonly nodeLat: Int32Array;

  constructor(readonly map: MapHandle) {
    this.edgeFrom = native.mapSection(map, 'edge_from', 'u32');
    this.edgeTo = native.mapSection(map, 'edge_to', 'u32');
    this.forward = native.mapSection(map, 'edge_duration_forward', 'u32');
    this.backward = native.mapSection(map, 'edge_duration_backward', 'u32');
    this.lengthCm = native.mapSection(map, 'edge_length_cm', 'u32');
    this.shapeFirst = native.mapSection(map, 'edge_shape_first', 'u32');
    this.shapeLon = native.mapSection(map, 'shape_lon', 'i32');
    this.shapeLat = native.mapSection(map, 'shape_lat', 'i32');
    this.nodeLon = native.mapSection(map, 'node_lon', 'i32');
    this.nodeLat = native.mapSection(map, 'node_lat', 'i32');
  }

  /** Polyline of edge e from its from-node to its to-node, as [lon, lat] degrees. */
  polyline(e: number): [number, number][] {
    const pts: [number, number][] = [[this.nodeLon[this.edgeFrom[e]] / 1e7, this.nodeLat[this.edgeFrom[e]] / 1e7]];
    for (let i = this.shapeFirst[e]; i < this.shapeFirst[e + 1]; i++) pts.push([this.shapeLon[i] / 1e7, this.shapeLat[i] / 1e7]);
    pts.push([this.nodeLon[this.edgeTo[e]] / 1e7, this.nodeLat[this.edgeTo[e]] / 1e7]);
    return pts;
  }

  node(v: number): [number, number] {
    return [this.nodeLon[v] / 1e7, this.nodeLat[v] / 1e7];
  }
}

export function midpoint(a: [number, number], b: [number, number]): [number, number] {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

export function haversine(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
