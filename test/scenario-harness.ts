/**
 * Hand-drawn OSM scenarios, the outside oracle for the road graph (in the manner of OSRM's cucumber
 * tests): a small network drawn as a grid of node letters, ways and node tags, restriction
 * relations, and the routes a driver would take. The harness writes OSM XML, converts it with real
 * osmium, builds a map with the real `waymark build` pipeline and routes with the real query path.
 *
 * File format (test/scenarios/*.txt; several scenarios per file, `#` starts a comment line):
 *
 *   scenario: a bollard inside a way blocks it
 *   profile: car                       optional (car, bike, foot)
 *   set: timeVaryingOneway=open        optional profile override (value parsed as JSON, else a string)
 *   grid: 100                          optional: metres per row and per two character columns (default 100)
 *   origin: -83.0,39.9                 optional: lon,lat of the top-left character (default 7.0,43.0)
 *   map:
 *     a b c d e                        one character per node; other characters are spacing
 *   ways:
 *     abcde highway=primary            node string, then tags; name= defaults to the node string
 *   nodes:
 *     c barrier=bollard
 *   relations:
 *     restriction=no_left_turn from=ab via=b to=bc      members name ways by node string (or name),
 *                                                       a one-letter via is a node; lists: from=ab,cb
 *   routes:
 *     a e -> abcde                     waypoints -> way names along the route, or `none` (no route)
 *     a e -> ab,bc time=30s~2 distance=200m~5           optional checks with tolerances
 *
 * Small networks are rarely strongly connected, so scenario maps keep every component
 * (`--keep-all-components`) and routes snap anywhere (allowIsolated) within a quarter grid cell,
 * so a point never snaps onto a neighbouring road.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { openMapFile, type OpenedMap } from '../src/maps/open.js';
import { isNativeError, native } from '../src/native/index.js';
import { getProfile } from '../src/profiles/index.js';
import type { ProfileTable } from '../src/profiles/types.js';

export interface ScenarioRoute {
  waypoints: string[];
  /** Way names in order, or null when no route may exist. */
  expected: string[] | null;
  time?: { seconds: number; tolerance: number };
  distance?: { metres: number; tolerance: number };
  line: number;
}

export interface Scenario {
  title: string;
  file: string;
  line: number;
  profile: string;
  overrides: Record<string, unknown>;
  grid: number;
  origin: [number, number];
  nodes: Map<string, { row: number; col: number; tags: Record<string, string> }>;
  ways: { key: string; nodes: string; tags: Record<string, string> }[];
  relations: { tags: Record<string, string>; members: { type: 'node' | 'way'; ref: string; role: string }[] }[];
  routes: ScenarioRoute[];
}

function tokens(text: string): string[] {
  // Whitespace-separated, except inside double quotes: name="Main Street" is one token.
  const out: string[] = [];
  const re = /([^\s"]*)"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[3] ?? m[1] + m[2]);
  return out;
}

function parseTags(parts: string[], where: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`${where}: expected key=value, got '${p}'`);
    tags[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return tags;
}

function tolerance(text: string, unit: string, where: string): { value: number; tolerance: number } {
  const m = new RegExp(`^([0-9.]+)${unit}(?:~([0-9.]+))?$`).exec(text);
  if (!m) throw new Error(`${where}: cannot read '${text}' (expected e.g. 30${unit}~2)`);
  return { value: Number(m[1]), tolerance: m[2] === undefined ? 0.5 : Number(m[2]) };
}

export function parseScenarios(file: string): Scenario[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const scenarios: Scenario[] = [];
  let current: Scenario | undefined;
  let section = '';
  let mapRow = 0;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s+$/, '');
    const where = `${file}:${index + 1}`;
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const header = /^([a-z]+):\s*(.*)$/.exec(line);
    if (header && !line.startsWith(' ')) {
      const [, key, value] = header;
      if (key === 'scenario') {
        current = {
          title: value,
          file,
          line: index + 1,
          profile: 'car',
          overrides: {},
          grid: 100,
          origin: [7.0, 43.0],
          nodes: new Map(),
          ways: [],
          relations: [],
          routes: [],
        };
        scenarios.push(current);
        section = '';
        return;
      }
      if (!current) throw new Error(`${where}: '${key}:' before any 'scenario:'`);
      section = '';
      if (key === 'profile') current.profile = value;
      else if (key === 'grid') current.grid = Number(value);
      else if (key === 'origin') current.origin = value.split(',').map(Number) as [number, number];
      else if (key === 'set') {
        const eq = value.indexOf('=');
        const v = value.slice(eq + 1);
        let parsed: unknown = v;
        try {
          parsed = JSON.parse(v);
        } catch {
          parsed = v;
        }
        current.overrides[value.slice(0, eq)] = parsed;
      } else if (['map', 'ways', 'nodes', 'relations', 'routes'].includes(key)) {
        section = key;
        mapRow = 0;
      } else throw new Error(`${where}: unknown header '${key}:'`);
      return;
    }
    if (!current || !section) throw new Error(`${where}: content outside a section`);
    const parts = tokens(line.trim());
    switch (section) {
      case 'map': {
        for (let col = 0; col < line.length; col++) {
          const ch = line[col];
          if (!/[a-zA-Z0-9]/.test(ch)) continue;
          if (current.nodes.has(ch)) throw new Error(`${where}: node '${ch}' drawn twice`);
          current.nodes.set(ch, { row: mapRow, col, tags: {} });
        }
        mapRow++;
        break;
      }
      case 'ways': {
        const [nodes, ...rest] = parts;
        for (const ch of nodes) if (!current.nodes.has(ch)) throw new Error(`${where}: way ${nodes} uses undrawn node '${ch}'`);
        const tags = parseTags(rest, where);
        tags.name ??= nodes;
        current.ways.push({ key: nodes, nodes, tags });
        break;
      }
      case 'nodes': {
        const [ch, ...rest] = parts;
        const node = current.nodes.get(ch);
        if (!node) throw new Error(`${where}: undrawn node '${ch}'`);
        Object.assign(node.tags, parseTags(rest, where));
        break;
      }
      case 'relations': {
        const tags: Record<string, string> = { type: 'restriction' };
        const members: Scenario['relations'][number]['members'] = [];
        for (const p of parts) {
          const eq = p.indexOf('=');
          const key = p.slice(0, eq);
          const value = p.slice(eq + 1);
          if (key === 'from' || key === 'to' || key === 'via') {
            for (const ref of value.split(',')) members.push({ type: key === 'via' && ref.length === 1 ? 'node' : 'way', ref, role: key });
          } else tags[key] = value;
        }
        current.relations.push({ tags, members });
        break;
      }
      case 'routes': {
        const arrow = parts.indexOf('->');
        if (arrow < 2) throw new Error(`${where}: expected 'a b -> names'`);
        const route: ScenarioRoute = { waypoints: parts.slice(0, arrow), expected: null, line: index + 1 };
        const [names, ...checks] = parts.slice(arrow + 1);
        route.expected = names === 'none' ? null : names.split(',');
        for (const c of checks) {
          if (c.startsWith('time=')) {
            const t = tolerance(c.slice(5), 's', where);
            route.time = { seconds: t.value, tolerance: t.tolerance };
          } else if (c.startsWith('distance=')) {
            const d = tolerance(c.slice(9), 'm', where);
            route.distance = { metres: d.value, tolerance: d.tolerance };
          } else throw new Error(`${where}: unknown check '${c}'`);
        }
        for (const w of route.waypoints) if (!current.nodes.has(w)) throw new Error(`${where}: undrawn waypoint '${w}'`);
        current.routes.push(route);
        break;
      }
    }
  });
  return scenarios;
}

// The importer measures with the haversine formula on this radius: grid distances come out exact.
const METRES_PER_DEGREE_LAT = (6371008.8 * Math.PI) / 180;

export function nodeLonLat(s: Scenario, ch: string): [number, number] {
  const n = s.nodes.get(ch)!;
  const [lon0, lat0] = s.origin;
  const lat = lat0 - (n.row * s.grid) / METRES_PER_DEGREE_LAT;
  // Two character columns make one grid step, so `a b c` spans two steps like three rows do.
  const lon = lon0 + ((n.col / 2) * s.grid) / (METRES_PER_DEGREE_LAT * Math.cos((lat0 * Math.PI) / 180));
  return [Number(lon.toFixed(7)), Number(lat.toFixed(7))];
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function scenarioOsmXml(s: Scenario): string {
  const letters = [...s.nodes.keys()];
  const nodeId = new Map(letters.map((ch, i) => [ch, i + 1]));
  const wayId = (ref: string): number => {
    const byKey = s.ways.findIndex((w) => w.key === ref);
    const index = byKey >= 0 ? byKey : s.ways.findIndex((w) => w.tags.name === ref);
    if (index < 0) throw new Error(`${s.file}:${s.line}: relation names unknown way '${ref}'`);
    return index + 1;
  };
  const tagXml = (tags: Record<string, string>) =>
    Object.entries(tags)
      .map(([k, v]) => `<tag k="${xml(k)}" v="${xml(v)}"/>`)
      .join('');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="waymark-scenarios">'];
  for (const ch of letters) {
    const [lon, lat] = nodeLonLat(s, ch);
    out.push(`<node id="${nodeId.get(ch)}" version="1" lat="${lat}" lon="${lon}">${tagXml(s.nodes.get(ch)!.tags)}</node>`);
  }
  s.ways.forEach((w, i) => {
    const nds = [...w.nodes].map((ch) => `<nd ref="${nodeId.get(ch)}"/>`).join('');
    out.push(`<way id="${i + 1}" version="1">${nds}${tagXml(w.tags)}</way>`);
  });
  s.relations.forEach((r, i) => {
    const members = r.members
      .map((m) => `<member type="${m.type}" ref="${m.type === 'node' ? nodeId.get(m.ref) : wayId(m.ref)}" role="${m.role}"/>`)
      .join('');
    out.push(`<relation id="${i + 1}" version="1">${members}${tagXml(r.tags)}</relation>`);
  });
  out.push('</osm>');
  return out.join('\n');
}

export async function buildScenarioMap(s: Scenario, dir: string, index: number): Promise<OpenedMap> {
  const osmPath = join(dir, `scenario-${index}.osm`);
  const pbfPath = join(dir, `scenario-${index}.osm.pbf`);
  writeFileSync(osmPath, scenarioOsmXml(s));
  const r = spawnSync('osmium', ['cat', '--no-progress', '-O', osmPath, '-o', pbfPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`osmium cat failed for ${s.file}:${s.line}: ${r.stderr}`);
  const profile: ProfileTable = { ...getProfile(s.profile), ...(s.overrides as Partial<ProfileTable>) };
  const output = join(dir, `scenario-${index}.wmap`);
  await buildMapFromPbf({ input: pbfPath, output, profile, keepAllComponents: true });
  return openMapFile(output);
}

export interface RouteOutcome {
  names: string[] | null;
  duration: number;
  distance: number;
  error?: string;
}

export function routeScenario(s: Scenario, map: OpenedMap, route: ScenarioRoute): RouteOutcome {
  const coords = new Float64Array(route.waypoints.flatMap((w) => nodeLonLat(s, w)));
  try {
    const r = native.route(map.handle, coords, { radius: Math.max(5, s.grid / 4), allowIsolated: true, geometry: false });
    return { names: r.legs.flatMap((l, i) => (i === 0 ? l.names : l.names.filter((n, k) => k > 0 || n !== r.legs[i - 1].names.at(-1)))), duration: r.duration, distance: r.distance };
  } catch (err) {
    if (isNativeError(err) && (err.code === 'NoRoute' || err.code === 'NoSegment')) {
      return { names: null, duration: NaN, distance: NaN, error: err.code };
    }
    throw err;
  }
}
