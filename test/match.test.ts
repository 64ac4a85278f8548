/**
 * Map matching on the real Monaco map: synthetic traces from real routes (sampled every 5–30 s,
 * seeded Gaussian noise, dropped and duplicated fixes) must be matched onto the true roads; time
 * gaps split; fixes far from any road are dropped; legs never beat the plain-Dijkstra oracle.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage, syntheticTrace } from '../bench/match-traces.js';
import { native } from '../src/native/index.js';
import { matchOnMap, tidyTrace, type MatchRequest } from '../src/routing/match.js';
import type { LonLat } from '../src/routing/route.js';
import { monacoMap } from './helpers.js';

const SEA: LonLat[] = [
  [7.4420, 43.7330],
  [7.4440, 43.7335],
];

function matchTrace(handle: Parameters<typeof native.match>[0], coords: LonLat[], timestamps: number[] | undefined, sigma: number, extra: object = {}) {
  return native.match(handle, Float64Array.from(coords.flat()), {
    radiuses: new Float64Array(coords.length).fill(sigma),
    ...(timestamps ? { timestamps: Float64Array.from(timestamps) } : {}),
    segments: true,
    ...extra,
  });
}

function request(coords: LonLat[], more: Partial<MatchRequest> = {}): MatchRequest {
  return { coordinates: coords, gaps: 'split', tidy: false, overview: 'full', geometries: 'geojson', annotations: [], ...more };
}

describe('map matching (HMM + Viterbi on the CH)', () => {
  it('matches noisy sparse traces onto the true roads: >= 95% of the true length at sigma 10 m', async () => {
    const { map } = await monacoMap();
    const rows: string[] = [];
    for (const sigma of [5, 10, 20]) {
      let total = 0;
      let covered = 0;
      let worst = 1;
      for (let seed = 1; seed <= 20; seed++) {
        const trace = syntheticTrace(map.handle, seed, { sigma, dropRate: 0.05, duplicateRate: 0.05 });
        const m = matchTrace(map.handle, trace.coordinates, trace.timestamps, sigma);
        const c = coverage(trace.truth, m);
        const length = trace.truth.reduce((s, p) => s + p.metres, 0);
        total += length;
        covered += c * length;
        worst = Math.min(worst, c);
        if (sigma === 10) assert.ok(m.matchings.length >= 1, `seed ${seed}: no matching`);
      }
      rows.push(`sigma ${sigma} m: ${((100 * covered) / total).toFixed(1)}% of ${(total / 1000).toFixed(1)} km matched on the true segments (worst trace ${(100 * worst).toFixed(1)}%)`);
      if (sigma === 10) assert.ok(covered / total >= 0.95, rows[rows.length - 1]);
      if (sigma === 5) assert.ok(covered / total >= 0.95, rows[rows.length - 1]);
    }
    console.log(rows.join('\n'));
  });

  it('splits a trace at a time gap (gaps=split) and keeps it whole with gaps=ignore', async () => {
    const { map } = await monacoMap();
    const trace = syntheticTrace(map.handle, 7, { sigma: 5, minInterval: 5, maxInterval: 10 });
    const half = Math.floor(trace.coordinates.length / 2);
    const timestamps = trace.timestamps.map((t, i) => (i >= half ? t + 600 : t));
    const split = matchTrace(map.handle, trace.coordinates, timestamps, 5);
    assert.equal(split.matchings.length, 2);
    assert.deepEqual(Array.from(split.matchings[0].points), [...Array(half).keys()].filter((i) => split.tracepoints[i] !== null));
    assert.equal(split.tracepoints[half]!.matching, 1);
    const whole = matchTrace(map.handle, trace.coordinates, timestamps, 5, { splitGaps: false });
    assert.equal(whole.matchings.length, 1);
    // Without timestamps there is no gap to see.
    assert.equal(matchTrace(map.handle, trace.coordinates, undefined, 5).matchings.length, 1);
  });

  it('follows a vehicle that turns round mid-road (a U-turn at a fix) in one matching', async () => {
    const { map } = await monacoMap();
    // Long two-way roads: drive from 10% to 90% of one and back (the route turns round at the far
    // waypoint, mid-road).
    const h = map.handle;
    const from = native.mapSection(h, 'edge_from', 'u32');
    const to = native.mapSection(h, 'edge_to', 'u32');
    const shapeFirst = native.mapSection(h, 'edge_shape_first', 'u32');
    const length = native.mapSection(h, 'edge_length_cm', 'u32');
    const edgeSegment = native.mapSection(h, 'edge_segment', 'u32');
    const segmentFlags = native.mapSection(h, 'segment_flags', 'u8');
    const lon = native.mapSection(h, 'node_lon', 'i32');
    const lat = native.mapSection(h, 'node_lat', 'i32');
    const shapeLon = native.mapSection(h, 'shape_lon', 'i32');
    const shapeLat = native.mapSection(h, 'shape_lat', 'i32');
    const open = (s: number) => s !== 0xffffffff && (segmentFlags[s] & 1) !== 0;
    let total = 0;
    let covered = 0;
    let roads = 0;
    for (let e = 0; e < from.length && roads < 6; e++) {
      if (length[e] < 15000 || !open(edgeSegment[2 * e]) || !open(edgeSegment[2 * e + 1])) continue;
      const line: [number, number][] = [[lon[from[e]], lat[from[e]]]];
      for (let k = shapeFirst[e]; k < shapeFirst[e + 1]; k++) line.push([shapeLon[k], shapeLat[k]]);
      line.push([lon[to[e]], lat[to[e]]]);
      const cum = [0];
      for (let k = 1; k < line.length; k++) cum.push(cum[k - 1] + Math.hypot((line[k][0] - line[k - 1][0]) * 0.72, line[k][1] - line[k - 1][1]));
      const at = (f: number) => {
        const target = f * cum[cum.length - 1];
        let k = 1;
        while (k < line.length - 1 && cum[k] < target) k++;
        const t = (target - cum[k - 1]) / (cum[k] - cum[k - 1] || 1);
        return [(line[k - 1][0] + t * (line[k][0] - line[k - 1][0])) / 1e7, (line[k - 1][1] + t * (line[k][1] - line[k - 1][1])) / 1e7];
      };
      const through = Float64Array.from([...at(0.1), ...at(0.9), ...at(0.1)]);
      const trace = syntheticTrace(h, e, { sigma: 3, minInterval: 3, maxInterval: 5, minLength: 100, through });
      const m = matchTrace(h, trace.coordinates, trace.timestamps, 3);
      assert.equal(m.matchings.length, 1, `edge ${e}: ${m.matchings.length} matchings`);
      const metres = trace.truth.reduce((s, p) => s + p.metres, 0);
      total += metres;
      covered += coverage(trace.truth, m) * metres;
      // No loop round the block to come back: the matched route is about as long as the true one.
      assert.ok(m.matchings[0].distance <= 1.2 * metres, `edge ${e}: matched ${m.matchings[0].distance} m for a ${metres} m out-and-back`);
      roads++;
    }
    assert.ok(roads >= 2, `only ${roads} long straight two-way roads found`);
    assert.ok(covered / total >= 0.8, `${((100 * covered) / total).toFixed(1)}% of out-and-back routes matched`);
  });

  it('drops fixes with no road within reach (null tracepoints) and matches the rest', async () => {
    const { map } = await monacoMap();
    const trace = syntheticTrace(map.handle, 3, { sigma: 5 });
    const at = Math.floor(trace.coordinates.length / 2);
    const coords = [...trace.coordinates.slice(0, at), ...SEA, ...trace.coordinates.slice(at)];
    const timestamps = [...trace.timestamps.slice(0, at), trace.timestamps[at - 1] + 1, trace.timestamps[at - 1] + 2, ...trace.timestamps.slice(at)];
    const m = matchTrace(map.handle, coords, timestamps, 5);
    assert.equal(m.tracepoints[at], null);
    assert.equal(m.tracepoints[at + 1], null);
    const matched = m.tracepoints.filter((t) => t !== null).length;
    assert.ok(matched >= coords.length - 2 - 1, `only ${matched} of ${coords.length - 2} road fixes matched`);
    assert.ok(coverage(trace.truth, m) >= 0.9);
    // A trace entirely at sea matches nothing.
    assert.throws(() => matchOnMap(map.handle, request(SEA)), { code: 'NoMatch' });
  });

  it('finds every transition exactly as plain Dijkstra does, within the bound (bounded CH many-to-many vs oracle)', async () => {
    const { map } = await monacoMap();
    let verified = 0;
    for (const [seed, sigma] of [[41, 20], [42, 10], [43, 30]] as const) {
      const trace = syntheticTrace(map.handle, seed, { sigma, duplicateRate: 0.2 });
      const m = matchTrace(map.handle, trace.coordinates, trace.timestamps, sigma, { verifyTransitions: true });
      verified += m.verified;
      // A tight detour bound and no timestamps exercise the bound itself.
      verified += matchTrace(map.handle, trace.coordinates, undefined, sigma, { verifyTransitions: true, maxDetour: 50 }).verified;
    }
    assert.ok(verified > 1000, `only ${verified} transitions checked`);
  });

  it('never makes a leg cheaper than the plain-Dijkstra shortest path between its matched points', async () => {
    const { map } = await monacoMap();
    let legs = 0;
    for (let seed = 30; seed < 36; seed++) {
      const trace = syntheticTrace(map.handle, seed, { sigma: 10 });
      const m = matchTrace(map.handle, trace.coordinates, trace.timestamps, 10);
      for (const matching of m.matchings) {
        matching.legs.forEach((leg, k) => {
          if (leg.segments!.length === 0) return; // no movement (GPS jitter of a standing vehicle)
          const a = m.tracepoints[matching.points[k]]!.location;
          const b = m.tracepoints[matching.points[k + 1]]!.location;
          // A matched point at a junction lies on every road meeting there: the shortest path between
          // the two physical points is the cheapest over all those placements (a lower bound the leg
          // must respect whichever road it was matched on).
          const placements = (p: LonLat) =>
            native.snapNearest(map.handle, Float64Array.from(p), { number: 8, radius: 1 }).filter((c) => c.distance <= 0.5);
          let best = Infinity;
          for (const pa of placements(a))
            for (const pb of placements(b)) {
              const hints = Float64Array.from([pa.edge, pa.fraction, pb.edge, pb.fraction]);
              try {
                best = Math.min(best, native.referenceRoute(map.handle, Float64Array.from([...a, ...b]), { radius: 1, hints }).duration);
              } catch (e) {
                if ((e as { code?: string }).code !== 'NoRoute') throw e;
              }
            }
          assert.ok(Number.isFinite(best), `leg ${k}: Dijkstra finds a route between its points`);
          assert.ok(leg.duration >= best - 0.5, `leg ${k}: ${leg.duration} s beats Dijkstra's ${best} s`);
          legs++;
        });
      }
    }
    assert.ok(legs > 30);
  });

  it('tidy drops duplicates and fixes within 15 m of the previous one kept', () => {
    const coords: LonLat[] = [
      [7.42, 43.73],
      [7.42, 43.73],
      [7.42005, 43.73],
      [7.421, 43.73],
      [7.422, 43.73],
    ];
    assert.deepEqual(tidyTrace(coords, undefined), [0, 3, 4]);
    assert.deepEqual(tidyTrace(coords, [0, 0, 5, 10, 10]), [0, 3]);
  });

  it('shapes OSRM answers: tracepoints, waypoints, legs and per-pair annotations', async () => {
    const { map } = await monacoMap();
    const trace = syntheticTrace(map.handle, 11, { sigma: 5, minInterval: 5, maxInterval: 15 });
    const n = trace.coordinates.length;
    const answer = matchOnMap(map.handle, request(trace.coordinates, { timestamps: trace.timestamps, annotations: ['duration', 'distance', 'speed'] })) as any;
    assert.equal(answer.code, 'Ok');
    assert.equal(answer.tracepoints.length, n);
    const route = answer.matchings[0];
    assert.ok(route.confidence > 0 && route.confidence <= 1);
    const pairs = route.geometry.coordinates.length - 1;
    let annotated = 0;
    for (const leg of route.legs) {
      const a = leg.annotation;
      assert.equal(a.duration.length, a.distance.length);
      assert.equal(a.speed.length, a.distance.length);
      annotated += a.distance.length;
      const sum = a.distance.reduce((s: number, x: number) => s + x, 0);
      assert.ok(Math.abs(sum - leg.distance) <= Math.max(2, 0.02 * leg.distance), `annotated ${sum} m vs leg ${leg.distance} m`);
    }
    assert.equal(annotated, pairs);
    const matched = answer.tracepoints.filter((t: unknown) => t !== null);
    assert.equal(route.legs.length, matched.filter((t: any) => t.matchings_index === 0).length - 1);
    matched.forEach((t: any) => {
      assert.ok(Number.isInteger(t.waypoint_index) && Number.isInteger(t.alternatives_count) && t.alternatives_count >= 0);
    });
    // Waypoints: only the given indices delimit legs; the others keep waypoint_index null.
    const wp = [0, Math.floor(n / 2), n - 1];
    const withWaypoints = matchOnMap(map.handle, request(trace.coordinates, { timestamps: trace.timestamps, waypoints: wp })) as any;
    assert.equal(withWaypoints.matchings[0].legs.length, 2);
    assert.deepEqual(
      withWaypoints.tracepoints.map((t: any) => t.waypoint_index),
      trace.coordinates.map((_, i) => (i === 0 ? 0 : i === wp[1] ? 1 : i === n - 1 ? 2 : null)),
    );
    const total = withWaypoints.matchings[0].legs.reduce((s: number, l: any) => s + l.distance, 0);
    assert.ok(Math.abs(total - route.distance) < 1);
    assert.throws(() => matchOnMap(map.handle, request(trace.coordinates, { waypoints: [1, n - 1] })), { code: 'InvalidValue' });
  });
});
