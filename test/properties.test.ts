/**
 * Property-based tests (fast-check) of the TypeScript parsers facing untrusted input: VROOM JSON
 * validation and OSRM URL parameters. Whatever comes in, the answer is a value or a coded error that
 * names the field, never an exception of another kind escaping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import polyline from '@mapbox/polyline';
import fc from 'fast-check';
import { WaymarkError } from '../src/errors.js';
import { ApiError } from '../src/server/errors.js';
import { isEncodedPolyline, parseIndexList, parseOsrmCoordinates, parseRadiuses } from '../src/server/osrm-params.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../src/server/request-parsing.js';
import { parseProblem, toNativeProblem, VrpInputError } from '../src/vrp/model.js';

const RUNS = { numRuns: 2000, seed: 21 };

/** A VROOM-shaped problem with any field possibly replaced by any JSON value. */
const nearlyValidProblem = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    mutations: fc.array(fc.tuple(fc.array(fc.oneof(fc.constantFrom('vehicles', 'jobs', 'shipments', 'matrices', 'car', 'durations', 'distances', 'costs', 'id', 'location_index', 'start_index', 'end_index', 'time_windows', 'time_window', 'capacity', 'delivery', 'pickup', 'amount', 'skills', 'service', 'setup', 'priority', 'breaks', 'costs', 'speed_factor', 'max_tasks', 'profile', 'pickup', 'delivery'), fc.nat(3)), { maxLength: 4 }), fc.jsonValue()), { maxLength: 4 }),
  })
  .map(({ n, mutations }) => {
    const matrix = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => Math.abs(i - j) * 10));
    const p: Record<string, unknown> = {
      vehicles: [{ id: 1, start_index: 0, end_index: 0, capacity: [5], time_window: [0, 1000] }],
      jobs: Array.from({ length: n }, (_, i) => ({ id: i + 1, location_index: i + 1, delivery: [1], time_windows: [[0, 500]] })),
      shipments: [{ amount: [1], pickup: { id: 1, location_index: 0 }, delivery: { id: 1, location_index: n } }],
      matrices: { car: { durations: matrix } },
    };
    for (const [path, value] of mutations) {
      let at: any = p;
      for (let k = 0; k < path.length; k++) {
        if (at === null || typeof at !== 'object') break;
        if (k === path.length - 1) at[path[k]] = value;
        else at = at[path[k]];
      }
    }
    return p;
  });

function expectValidOrFieldError(input: unknown): void {
  try {
    const model = parseProblem(input);
    // A valid model must cross into the native layout without surprises.
    toNativeProblem(model);
  } catch (err) {
    if (err instanceof VrpInputError) {
      assert.match(err.message, /^[a-z_]+(\[\d+\]|\.[a-z_]+)*: /, `a field path leads the message: ${err.message}`);
      return;
    }
    if (err instanceof WaymarkError && ['InvalidValue', 'UnknownField', 'UnsupportedField'].includes(err.code)) return;
    throw err;
  }
}

describe('property: VROOM JSON validation', () => {
  it('any JSON value gives a model or an InvalidValue (or UnknownField, UnsupportedField) naming the field, never another exception', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expectValidOrFieldError(v)), RUNS);
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('vehicles', 'jobs', 'shipments', 'matrices'), fc.jsonValue()), (v) => expectValidOrFieldError(v)), RUNS);
  });

  it('a valid problem with any field replaced by any JSON value: a model or a field error', () => {
    fc.assert(fc.property(nearlyValidProblem, (p) => expectValidOrFieldError(p)), RUNS);
  });

  it('matrix values: any number is either refused naming its cell or kept exactly (never wrapped)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, 3e9, 5e9, 1e300)), (x) => {
        const p = { vehicles: [{ id: 1, start_index: 0 }], jobs: [{ id: 1, location_index: 1 }], matrices: { car: { durations: [[0, x], [x, 0]] } } };
        try {
          const model = parseProblem(p);
          // Numerically equal (the 32-bit matrix has no -0: -0 is kept as 0).
          assert.ok(model.types[0].duration[1] === Math.round(x), `${x} kept as ${model.types[0].duration[1]}`);
          assert.equal(toNativeProblem(model).types instanceof Array, true);
        } catch (err) {
          assert.ok(err instanceof VrpInputError, String(err));
          assert.match(err.message, /^matrices\.car\.durations\[\d\]\[\d\]: /);
        }
      }),
      RUNS,
    );
  });
});

describe('property: OSRM URL parameters', () => {
  const apiErrorOnly = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof ApiError, `only coded errors escape: ${String(err)}`);
      assert.ok(err.statusCode === 400 && /^(InvalidQuery|InvalidValue|InvalidOptions|TooBig)$/.test(err.code), err.code);
    }
  };

  it('any text as coordinates, index lists or radiuses: a value or a 400, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ unit: fc.constantFrom(...'0123456789;,.-+exaAll ()polyne6_~?@'.split('')), maxLength: 40 }), (a, b) => {
        for (const text of [a, b, `polyline(${a})`, `polyline6(${b})`]) apiErrorOnly(() => parseOsrmCoordinates(text, 100));
        for (const text of [a, b]) {
          apiErrorOnly(() => parseIndexList(text, 5, 'sources'));
          apiErrorOnly(() => parseRadiuses(text, text.split(';').length, 1000));
        }
      }),
      RUNS,
    );
  });

  it('coordinates in range round-trip through lon,lat text and through polylines', () => {
    const coord = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }));
    fc.assert(
      fc.property(fc.array(coord, { minLength: 1, maxLength: 20 }), (coords) => {
        const text = coords.map(([lon, lat]) => `${lon.toFixed(6)},${lat.toFixed(6)}`).join(';');
        assert.deepEqual(parseOsrmCoordinates(text, 100), coords.map(([lon, lat]) => [Number(lon.toFixed(6)), Number(lat.toFixed(6))]));
        const encoded = polyline.encode(coords.map(([lon, lat]) => [lat, lon]), 5);
        assert.ok(isEncodedPolyline(encoded), encoded);
        const decoded = parseOsrmCoordinates(`polyline(${encodeURIComponent(encoded)})`, 100);
        decoded.forEach(([lon, lat], i) => {
          assert.ok(Math.abs(lon - coords[i][0]) <= 1e-5 + 1e-9 && Math.abs(lat - coords[i][1]) <= 1e-5 + 1e-9);
        });
      }),
      RUNS,
    );
  });

  it('index lists: exactly the canonical decimal indices below the count are accepted', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(9).map(String), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.join(';');
        const canonical = text !== '' && parts.every((p) => /^\d{1,9}$/.test(p) && Number(p) < 10);
        let accepted: number[] | undefined;
        try {
          accepted = parseIndexList(text, 10, 'sources');
        } catch (err) {
          assert.ok(err instanceof ApiError);
          assert.equal(canonical, false, `refused ${JSON.stringify(text)}`);
          return;
        }
        if (text === '' || text === 'all') return;
        assert.ok(canonical, `accepted ${JSON.stringify(text)}`);
        assert.deepEqual(accepted, parts.map(Number));
      }),
      RUNS,
    );
  });
});

describe('property: JSON nesting depth', () => {
  it('jsonDepth equals the real depth of any JSON value (brackets inside strings ignored)', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => assert.equal(jsonDepth(JSON.stringify(v), 1000), depthOf(v))), RUNS);
    assert.equal(jsonDepth('['.repeat(100_000), MAX_JSON_DEPTH), MAX_JSON_DEPTH + 1, 'stops early past the limit');
  });
});
