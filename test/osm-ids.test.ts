/**
 * The map keeps OSM node ids for road nodes and shape points, and per-edge ref, surface, access and
 * speed limit. Checked against osmium's own OPL export of the bundled extract: every id must name an
 * OSM node at exactly the stored location, consecutive polyline points must be consecutive nodes of
 * one OSM way (what live-traffic files and `annotations=nodes` rely on), and the per-edge attributes
 * must be values some way of the source carries.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { native } from '../src/native/index.js';
import { dataPbf, monacoMap } from './helpers.js';

interface Opl {
  nodes: Map<bigint, [number, number]>; // fixed 1e-7 degrees
  adjacent: Set<string>; // "a,b" for consecutive node refs of a way, both orders
  refs: Set<string>;
  surfaces: Set<string>;
}

function readOpl(): Opl {
  const text = execFileSync('osmium', ['cat', '--no-progress', '-f', 'opl', dataPbf], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const nodes = new Map<bigint, [number, number]>();
  const adjacent = new Set<string>();
  const refs = new Set<string>();
  const surfaces = new Set<string>();
  const tagValue = (tags: string, key: string): string | undefined => {
    for (const kv of tags.split(',')) {
      const eq = kv.indexOf('=');
      if (kv.slice(0, eq) === key) return kv.slice(eq + 1).replace(/%20%/g, ' ');
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('n')) {
      const id = BigInt(line.slice(1, line.indexOf(' ')));
      const x = / x(-?[\d.]+)/.exec(line);
      const y = / y(-?[\d.]+)/.exec(line);
      if (x && y) nodes.set(id, [Math.round(Number(x[1]) * 1e7), Math.round(Number(y[1]) * 1e7)]);
    } else if (line.startsWith('w')) {
      const tags = / T(\S*)/.exec(line)?.[1] ?? '';
      const ref = tagValue(tags, 'ref');
      if (ref) refs.add(ref);
      const surface = tagValue(tags, 'surface');
      if (surface) surfaces.add(surface);
      const nd = / N(\S*)/.exec(line)?.[1] ?? '';
      const ids = nd.split(',').filter(Boolean).map((s) => s.slice(1));
      for (let i = 1; i < ids.length; i++) {
        adjacent.add(`${ids[i - 1]},${ids[i]}`);
        adjacent.add(`${ids[i]},${ids[i - 1]}`);
      }
    }
  }
  return { nodes, adjacent, refs, surfaces };
}

describe('OSM node ids and edge attributes in the map', () => {
  let opl: Opl;
  let s: {
    nodeLon: Int32Array; nodeLat: Int32Array; nodeId: BigInt64Array;
    shapeLon: Int32Array; shapeLat: Int32Array; shapeId: BigInt64Array; shapeFirst: Uint32Array;
    edgeFrom: Uint32Array; edgeTo: Uint32Array; edgeRef: Uint32Array; edgeSurface: Uint8Array;
    edgeAccess: Uint8Array; edgeMaxspeed: Uint8Array; edgeFlags: Uint8Array; nameFirst: Uint32Array; nameChars: Uint8Array;
  };

  before(async () => {
    opl = readOpl();
    const { map } = await monacoMap();
    const h = map.handle;
    s = {
      nodeLon: native.mapSection(h, 'node_lon', 'i32'),
      nodeLat: native.mapSection(h, 'node_lat', 'i32'),
      nodeId: native.mapSection(h, 'node_osm_id', 'i64'),
      shapeLon: native.mapSection(h, 'shape_lon', 'i32'),
      shapeLat: native.mapSection(h, 'shape_lat', 'i32'),
      shapeId: native.mapSection(h, 'shape_osm_id', 'i64'),
      shapeFirst: native.mapSection(h, 'edge_shape_first', 'u32'),
      edgeFrom: native.mapSection(h, 'edge_from', 'u32'),
      edgeTo: native.mapSection(h, 'edge_to', 'u32'),
      edgeRef: native.mapSection(h, 'edge_ref', 'u32'),
      edgeSurface: native.mapSection(h, 'edge_surface', 'u8'),
      edgeAccess: native.mapSection(h, 'edge_access', 'u8'),
      edgeMaxspeed: native.mapSection(h, 'edge_maxspeed', 'u8'),
      edgeFlags: native.mapSection(h, 'edge_flags', 'u8'),
      nameFirst: native.mapSection(h, 'name_first', 'u32'),
      nameChars: native.mapSection(h, 'name_chars', 'u8'),
    };
  });

  it('every road node and shape point is the OSM node of that id, at its location', () => {
    assert.equal(s.nodeId.length, s.nodeLon.length);
    assert.equal(s.shapeId.length, s.shapeLon.length);
    const check = (id: bigint, lon: number, lat: number, what: string) => {
      const loc = opl.nodes.get(id);
      assert.ok(loc, `${what}: OSM node ${id} exists in the source`);
      assert.deepEqual(loc, [lon, lat], `${what}: OSM node ${id} lies where the map put it`);
    };
    for (let v = 0; v < s.nodeId.length; v++) check(s.nodeId[v], s.nodeLon[v], s.nodeLat[v], `node ${v}`);
    for (let i = 0; i < s.shapeId.length; i++) check(s.shapeId[i], s.shapeLon[i], s.shapeLat[i], `shape point ${i}`);
  });

  it('consecutive points of every edge are consecutive nodes of an OSM way', () => {
    let pairs = 0;
    for (let e = 0; e < s.edgeFrom.length; e++) {
      const ids = [s.nodeId[s.edgeFrom[e]]];
      for (let i = s.shapeFirst[e]; i < s.shapeFirst[e + 1]; i++) ids.push(s.shapeId[i]);
      ids.push(s.nodeId[s.edgeTo[e]]);
      for (let i = 1; i < ids.length; i++) {
        assert.ok(opl.adjacent.has(`${ids[i - 1]},${ids[i]}`), `edge ${e}: ${ids[i - 1]} -> ${ids[i]} is a segment of a way`);
        pairs++;
      }
    }
    assert.ok(pairs > 1000, `checked ${pairs} segments`);
  });

  it('refs, surfaces, access and speed limits come from the source', () => {
    const decoder = new TextDecoder();
    const name = (id: number) => decoder.decode(s.nameChars.subarray(s.nameFirst[id], s.nameFirst[id + 1]));
    const surfaceNames = native.edgeAttributeNames().surface;
    let withRef = 0, withSurface = 0, withMaxspeed = 0, unpaved = 0;
    for (let e = 0; e < s.edgeFrom.length; e++) {
      if (s.edgeRef[e] !== 0) {
        withRef++;
        assert.ok(opl.refs.has(name(s.edgeRef[e])), `edge ${e} ref "${name(s.edgeRef[e])}" is a way's ref`);
      }
      const surface = surfaceNames[s.edgeSurface[e]];
      assert.ok(surface, `edge ${e} has a known surface category`);
      if (surface !== 'missing') withSurface++;
      if (s.edgeMaxspeed[e] !== 0) withMaxspeed++;
      if (s.edgeFlags[e] & 16) unpaved++;
      assert.ok(s.edgeAccess[e] < native.edgeAttributeNames().roadAccess.length);
    }
    // Monaco's roads carry refs (e.g. the M- and D-roads), surfaces and limits: a map without any
    // would mean the attributes were dropped on the way.
    assert.ok(withRef > 0 && withSurface > 100 && withMaxspeed > 100, `${withRef} refs, ${withSurface} surfaces, ${withMaxspeed} limits`);
    assert.ok(unpaved < s.edgeFrom.length / 2, `${unpaved} unpaved edges`);
  });
});
