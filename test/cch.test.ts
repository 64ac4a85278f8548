import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openMapFile } from '../src/maps/open.js';
import { native, type CCHMetricOptions, type MapHandle } from '../src/native/index.js';
import { WaymarkError } from '../src/errors.js';
import { monacoMap, tempDir } from './helpers.js';

const CLOSED = 0xffffffff;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TurnGraph {
  first: Uint32Array;
  head: Uint32Array;
  weight: Uint32Array;
  segments: number;
}

function turnGraph(map: MapHandle): TurnGraph {
  const first = native.mapSection(map, 'turn_first', 'u32');
  return { first, head: native.mapSection(map, 'turn_head', 'u32'), weight: native.mapSection(map, 'turn_weight', 'u32'), segments: first.length - 1 };
}

/** The oracle: plain Dijkstra over the turns with the given weights (CLOSED arcs skipped); ms from the start of `source` to the start of each segment. */
function dijkstra(g: TurnGraph, weights: Uint32Array, source: number): Float64Array {
  const dist = new Float64Array(g.segments).fill(Infinity);
  const heap: [number, number][] = [];
  const push = (d: number, v: number) => {
    heap.push([d, v]);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p][0] <= heap[i][0]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  dist[source] = 0;
  push(0, source);
  while (heap.length > 0) {
    const [d, v] = pop();
    if (d !== dist[v]) continue;
    for (let i = g.first[v]; i < g.first[v + 1]; i++) {
      if (weights[i] === CLOSED) continue;
      const nd = d + weights[i];
      if (nd < dist[g.head[i]]) {
        dist[g.head[i]] = nd;
        push(nd, g.head[i]);
      }
    }
  }
  return dist;
}

/** Random segment pairs: `sources` sources with `perSource` targets each. */
function pairs(g: TurnGraph, seed: number, sources: number, perSource: number) {
  const r = rng(seed);
  const src = new Uint32Array(sources * perSource), dst = new Uint32Array(sources * perSource);
  for (let s = 0; s < sources; s++) {
    const from = Math.floor(r() * g.segments);
    for (let k = 0; k < perSource; k++) {
      src[s * perSource + k] = from;
      dst[s * perSource + k] = Math.floor(r() * g.segments);
    }
  }
  return { src, dst };
}

/** Cheapest open turn a -> b under `weights`, or undefined. */
function turnWeight(g: TurnGraph, weights: Uint32Array, a: number, b: number): number | undefined {
  let best: number | undefined;
  for (let i = g.first[a]; i < g.first[a + 1]; i++)
    if (g.head[i] === b && weights[i] !== CLOSED && (best === undefined || weights[i] < best)) best = weights[i];
  return best;
}

/**
 * Customizes with `weights` and checks every pair against Dijkstra: equal durations (NaN exactly where Dijkstra finds no path), and
 * each unpacked path runs from source to target over open turns whose weights sum to the answer. Returns the durations.
 */
function checkAgainstDijkstra(map: MapHandle, g: TurnGraph, weights: Uint32Array, seed: number, options: CCHMetricOptions = {}) {
  const { src, dst } = pairs(g, seed, 12, 25);
  const result = native.cchCheck(map, { weights, sources: src, targets: dst, paths: true, ...options });
  let reachable = 0;
  let oracle: Float64Array | undefined;
  for (let i = 0; i < src.length; i++) {
    if (i === 0 || src[i] !== src[i - 1]) oracle = dijkstra(g, weights, src[i]);
    const want = oracle![dst[i]];
    const got = result.durations[i];
    if (want === Infinity) {
      assert.ok(Number.isNaN(got), `pair ${i} (${src[i]} -> ${dst[i]}): no path, CCH says ${got}`);
      continue;
    }
    reachable++;
    assert.equal(got, want, `pair ${i} (${src[i]} -> ${dst[i]})`);
    const path = result.pathSegments.subarray(result.pathFirst[i], result.pathFirst[i + 1]);
    assert.equal(path[0], src[i], `pair ${i} path starts at its source`);
    assert.equal(path[path.length - 1], dst[i], `pair ${i} path ends at its target`);
    let sum = 0;
    for (let k = 0; k + 1 < path.length; k++) {
      const w = turnWeight(g, weights, path[k], path[k + 1]);
      assert.ok(w !== undefined, `pair ${i}: path step ${path[k]} -> ${path[k + 1]} is no open turn`);
      sum += w;
    }
    assert.equal(sum, got, `pair ${i}: path weights sum to the duration`);
  }
  return { result, reachable, src, dst };
}

describe('customizable contraction hierarchy (native/cch) against plain Dijkstra on monaco', () => {
  it('customized with the map\'s own weights: the same durations as Dijkstra and as the map\'s CH', async () => {
    const { map } = await monacoMap();
    const g = turnGraph(map.handle);
    for (const perfect of [false, true]) {
      const { result, reachable, src } = checkAgainstDijkstra(map.handle, g, g.weight, 1, { perfect });
      assert.ok(reachable >= src.length * 0.8, `${reachable} of ${src.length} pairs reachable`);
      for (let i = 0; i < src.length; i++) assert.ok(Object.is(result.durations[i], result.chDurations[i]), `pair ${i}: CCH ${result.durations[i]}, CH ${result.chDurations[i]}`);
    }
  });

  it('random weights (with zero-weight turns), basic and perfect, on 1 and 2 threads', async () => {
    const { map } = await monacoMap();
    const g = turnGraph(map.handle);
    for (const seed of [2, 3]) {
      const r = rng(seed);
      const weights = new Uint32Array(g.head.length);
      for (let i = 0; i < weights.length; i++) weights[i] = r() < 0.05 ? 0 : 1 + Math.floor(r() * 100_000);
      const basic = checkAgainstDijkstra(map.handle, g, weights, seed, { threads: 1 });
      const perfect = checkAgainstDijkstra(map.handle, g, weights, seed, { threads: 2, perfect: true });
      assert.ok(basic.reachable > 100);
      // Perfect customization drops the arcs that are no shortest paths.
      assert.ok(perfect.result.arcs < basic.result.arcs, `perfect ${perfect.result.arcs} arcs, basic ${basic.result.arcs}`);
      const twoThreads = native.cchCheck(map.handle, { weights, sources: basic.src, targets: basic.dst, threads: 2 });
      assert.equal(twoThreads.arcs, basic.result.arcs);
      assert.deepEqual(twoThreads.durations, basic.result.durations);
      // Small tasks and every top node split across threads: the same answers, paths still valid.
      for (const perfectToo of [false, true]) {
        const split = checkAgainstDijkstra(map.handle, g, weights, seed, { threads: 2, perfect: perfectToo, splitLowerNeighbours: 2, minTaskNodes: 8 });
        assert.equal(split.result.arcs, perfectToo ? perfect.result.arcs : basic.result.arcs);
      }
    }
  });

  it('traffic-like weights (a fifth of the segments three times slower) change the answers, exactly', async () => {
    const { map } = await monacoMap();
    const g = turnGraph(map.handle);
    const r = rng(4);
    const weights = Uint32Array.from(g.weight);
    for (let s = 0; s < g.segments; s++) {
      if (r() >= 0.2) continue;
      for (let i = g.first[s]; i < g.first[s + 1]; i++) if (weights[i] !== CLOSED) weights[i] = Math.min(CLOSED - 1, weights[i] * 3);
    }
    const slow = checkAgainstDijkstra(map.handle, g, weights, 4, { perfect: true });
    let changed = 0;
    for (let i = 0; i < slow.src.length; i++) if (slow.result.durations[i] !== slow.result.chDurations[i]) changed++;
    assert.ok(changed > slow.src.length / 4, `${changed} of ${slow.src.length} answers changed`);
  });

  it('closed segments are never used, and give no route where there is no other way', async () => {
    const { map } = await monacoMap();
    const g = turnGraph(map.handle);
    const r = rng(5);
    const closed = new Uint8Array(g.segments);
    for (let s = 0; s < g.segments; s++) closed[s] = r() < 0.1 ? 1 : 0;
    const weights = Uint32Array.from(g.weight);
    for (let s = 0; s < g.segments; s++)
      for (let i = g.first[s]; i < g.first[s + 1]; i++) if (closed[s] || closed[g.head[i]]) weights[i] = CLOSED;
    for (const perfect of [false, true]) {
      const { result, src, dst } = checkAgainstDijkstra(map.handle, g, weights, 5, { perfect });
      let noRoute = 0;
      for (let i = 0; i < src.length; i++) {
        if (Number.isNaN(result.durations[i])) noRoute++;
        // Paths leave a closed source / enter a closed target only if it is the endpoint itself... which closed turns forbid.
        for (const s of result.pathSegments.subarray(result.pathFirst[i], result.pathFirst[i + 1]))
          assert.ok(!closed[s] || (src[i] === dst[i] && s === src[i]), `pair ${i} runs over closed segment ${s}`);
      }
      // Closing a tenth of the map cuts off at least the closed endpoints.
      assert.ok(noRoute > 0 && noRoute < src.length, `${noRoute} of ${src.length} pairs without a route`);
    }
    // A reachable target whose every way in is closed: no route on the customized metric, a route on the map's own.
    const target = Array.from({ length: g.segments }, (_, s) => s).find((s) => {
      let incoming = 0;
      for (let i = 0; i < g.head.length; i++) if (g.head[i] === s) incoming++;
      return incoming >= 2;
    })!;
    const cut = Uint32Array.from(g.weight);
    for (let i = 0; i < g.head.length; i++) if (g.head[i] === target) cut[i] = CLOSED;
    const source = target === 0 ? 1 : 0;
    const out = native.cchCheck(map.handle, { weights: cut, sources: Uint32Array.of(source), targets: Uint32Array.of(target) });
    assert.ok(!Number.isNaN(out.chDurations[0]), 'reachable on the map\'s own weights');
    assert.ok(Number.isNaN(out.durations[0]), 'no route once every turn into the target is closed');
  });

  it('bucket many-to-many and PHAST on a customized metric equal the reference table (snapped points)', async () => {
    const { map } = await monacoMap();
    const points = native.randomRoadPoints(map.handle, 40, 7);
    const reference = native.referenceTable(map.handle, points, points);
    for (const method of ['matrix', 'phast'] as const) {
      const table = native.cchTable(map.handle, points, { method, perfect: method === 'phast' });
      let reachable = 0;
      for (let i = 0; i < reference.durations.length; i++) {
        const want = reference.durations[i];
        if (!Number.isNaN(want)) reachable++;
        assert.ok(Object.is(Math.round(table[i] * 1000), Math.round(want * 1000)), `${method} cell ${i}: ${table[i]} vs ${want}`);
      }
      assert.ok(reachable > reference.durations.length * 0.9);
    }
  });

  it('refuses metrics of the wrong length', async () => {
    const { map } = await monacoMap();
    assert.throws(
      () => native.cchCheck(map.handle, { weights: new Uint32Array(3), sources: Uint32Array.of(0), targets: Uint32Array.of(1) }),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'InvalidValue',
    );
  });
});

describe('customizable contraction hierarchy in the map file', () => {
  /** Copies the map with `edit` applied to one u32 of a cch_* section, checksum made valid again. */
  function tampered(path: string, section: string, edit: (values: Uint32Array) => void): string {
    const bytes = Buffer.from(readFileSync(path));
    const at = bytes.indexOf(Buffer.from(section + '\0'));
    assert.ok(at > 0 && at < 8192, `section ${section} in the header`);
    const offset = Number(bytes.readBigUInt64LE(at + 32));
    const length = Number(bytes.readBigUInt64LE(at + 40));
    edit(new Uint32Array(bytes.buffer, bytes.byteOffset + offset, length / 4));
    const out = join(tempDir(), `${section}.wmap`);
    writeFileSync(out, bytes);
    native.resealMapFile(out);
    return out;
  }

  it('a structurally inconsistent CCH is MapCorrupt, never an out-of-bounds read', async () => {
    const { path } = await monacoMap();
    // The untouched copy opens (so the checks below fail for the right reason).
    openMapFile(tampered(path, 'cch_up_head', () => {})).handle;
    const cases: [string, (v: Uint32Array) => void][] = [
      ['cch_up_head', (v) => (v[v.length - 1] = 1 << 30)],
      ['cch_up_head', (v) => (v[0] = 0)],
      ['cch_rank', (v) => ([v[0], v[1]] = [v[1], v[1]])],
      ['cch_turn_arc', (v) => (v[0] = v[0] ^ 1)],
      ['cch_turn_arc', (v) => (v[5] = 0x7ffffffe)],
      ['cch_down_arc', (v) => (v[0] = v[v.length - 1])],
      ['cch_parent', (v) => (v[0] = 0xffffffff - 1)],
      ['cch_up_first', (v) => (v[v.length - 1] = v[v.length - 1] + 1)],
    ];
    for (const [section, edit] of cases)
      assert.throws(
        () => openMapFile(tampered(path, section, edit)),
        (e: unknown) => e instanceof WaymarkError && e.code === 'MapCorrupt',
        `${section} edited`,
      );
  });
});
