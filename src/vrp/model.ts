/**
 * VROOM-format problems: validation (errors name the offending field), the internal model, and the
 * flat typed arrays the native solver takes. Unknown keys are ignored; invalid ones are errors.
 */
import { WaymarkError } from '../errors.js';
import type { LonLat, VroomProblem, Window } from './types.js';

export class VrpInputError extends WaymarkError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('InvalidValue', `${path}: ${message}`);
  }
}

export interface Task {
  kind: 'job' | 'pickup' | 'delivery';
  id: number;
  /** Where it is in the problem: `jobs[3]`, `shipments[0].pickup` (messages name its fields by it). */
  path: string;
  location: number;
  coordinates?: LonLat;
  setup: number;
  service: number;
  windows: Window[];
  delivery: number[];
  pickup: number[];
  skills: number[];
  priority: number;
  partner: number;
  description?: string;
}

export interface Break {
  id: number;
  windows: Window[];
  service: number;
  description?: string;
}

export interface Vehicle {
  id: number;
  profile: string;
  start: number;
  end: number;
  startCoordinates?: LonLat;
  endCoordinates?: LonLat;
  capacity: number[];
  skills: number[];
  window: Window;
  breaks: Break[];
  maxTasks: number;
  maxTravelTime: number;
  maxDistance: number;
  fixed: number;
  perHour: number;
  perKm: number;
  speedFactor: number;
  type: number;
  description?: string;
}

/** Matrices hold exact integers (doubles, never wrapped); each value is checked against MAX_MATRIX_VALUE. */
export interface VehicleType {
  profile: string;
  speedFactor: number;
  perHour: number;
  perKm: number;
  duration: Float64Array;
  distance: Float64Array;
  cost: Float64Array;
  /** Per task: 1 when vehicles of this type can place it on their road network (absent: all can). */
  reach?: Uint8Array;
  /** n x n: 1 where the map has no route (those cells of the matrices hold a filler no route may use). */
  noRoute?: Uint8Array;
}

/** Where a location snapped on one profile's map, or why it could not be placed there. */
export type Placement =
  | { location: LonLat; distance: number }
  | { code: 'NoSegment' | 'NoRoute'; message: string };

export interface Snapping {
  /** Metres (Infinity: unlimited, the default). */
  radius: number;
  /** Snaps farther than this many metres are counted in the summary. */
  threshold: number;
  /** Per profile, per location. */
  placements: Record<string, Placement[]>;
}

export interface Model {
  dims: number;
  locations: number;
  /** Coordinates of every location when the problem gave coordinates (for geometry). */
  coordinates?: LonLat[];
  tasks: Task[];
  vehicles: Vehicle[];
  types: VehicleType[];
  /** Coordinates snapped onto the maps (problems without matrices). */
  snapping?: Snapping;
}

/**
 * Travel times (s) and distances (m) between coordinates, per profile (from a loaded map), NaN where
 * there is no route; and where each coordinate snapped (or why it could not be placed, with NaN rows
 * and columns).
 */
export type MatrixProvider = (
  profile: string,
  coordinates: LonLat[],
) => { durations: Float64Array; distances: Float64Array; placements?: Placement[]; radius?: number; threshold?: number };

/** Filler for cells with no route: large enough to be useless, small enough for Int32 arithmetic. */
const NO_ROUTE_FILLER = 1e7;

/** "No limit", kept well inside the native side's integer range. */
export const UNLIMITED = 1e12;

/** The native solver stores matrix values as 32-bit integers: larger ones are refused, never wrapped. */
export const MAX_MATRIX_VALUE = 2 ** 31 - 1;

/** Largest integer any other field may hold (times, amounts, costs, limits): sums stay exact in 64 bits. */
export const MAX_FIELD_VALUE = UNLIMITED;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, path: string, options: { min?: number; max?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new VrpInputError(path, 'must be an integer');
  if (options.min !== undefined && v < options.min) throw new VrpInputError(path, `must be at least ${options.min}`);
  const max = options.max ?? MAX_FIELD_VALUE;
  if (v > max) throw new VrpInputError(path, `must be at most ${max}`);
  return v;
}

function num(v: unknown, path: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new VrpInputError(path, 'must be a finite number');
  if (v < min) throw new VrpInputError(path, `must be at least ${min}`);
  return v;
}

function optInt(o: Obj, key: string, path: string, fallback: number, options: { min?: number; max?: number } = { min: 0 }): number {
  return o[key] === undefined ? fallback : int(o[key], `${path}.${key}`, options);
}

function intArray(v: unknown, path: string, max = MAX_FIELD_VALUE): number[] {
  if (!Array.isArray(v)) throw new VrpInputError(path, 'must be an array of integers');
  return v.map((x, i) => int(x, `${path}[${i}]`, { min: 0, max }));
}

/** Skills travel as 32-bit unsigned integers. */
const MAX_SKILL = 2 ** 32 - 1;

function lonLat(v: unknown, path: string): LonLat {
  if (!Array.isArray(v) || v.length !== 2) throw new VrpInputError(path, 'must be [lon, lat]');
  const lon = num(v[0], `${path}[0]`, -180);
  const lat = num(v[1], `${path}[1]`, -90);
  if (lon > 180) throw new VrpInputError(`${path}[0]`, 'must be at most 180');
  if (lat > 90) throw new VrpInputError(`${path}[1]`, 'must be at most 90');
  return [lon, lat];
}

function windows(v: unknown, path: string): Window[] {
  if (v === undefined) return [[0, UNLIMITED]];
  if (!Array.isArray(v) || v.length === 0) throw new VrpInputError(path, 'must be a non-empty array of [start, end]');
  const out = v.map((w, i) => window(w, `${path}[${i}]`));
  out.sort((a, b) => a[0] - b[0]);
  return out;
}

function window(v: unknown, path: string): Window {
  if (!Array.isArray(v) || v.length !== 2) throw new VrpInputError(path, 'must be [start, end]');
  const s = int(v[0], `${path}[0]`, { min: 0 });
  const e = int(v[1], `${path}[1]`, { min: 0 });
  if (s > e) throw new VrpInputError(path, 'ends before it starts');
  return [s, e];
}

function amount(v: unknown, path: string, dims: number): number[] {
  if (v === undefined) return new Array(dims).fill(0);
  const a = intArray(v, path);
  if (a.length !== dims) throw new VrpInputError(path, `has ${a.length} dimensions but vehicle capacities have ${dims}`);
  return a;
}

/** Location handling: either every place is a matrix index, or every place has coordinates. */
class Locations {
  readonly coordinates: LonLat[] = [];
  private readonly byKey = new Map<string, number>();
  maxIndex = -1;

  constructor(readonly useIndices: boolean) {}

  resolve(o: Obj, coordKey: string, indexKey: string, path: string, required: boolean): { index: number; coords?: LonLat } {
    if (this.useIndices) {
      if (o[indexKey] === undefined) {
        if (!required) return { index: -1 };
        throw new VrpInputError(`${path}.${indexKey}`, 'is required when the problem gives matrices');
      }
      const index = int(o[indexKey], `${path}.${indexKey}`, { min: 0 });
      this.maxIndex = Math.max(this.maxIndex, index);
      return { index, ...(o[coordKey] !== undefined ? { coords: lonLat(o[coordKey], `${path}.${coordKey}`) } : {}) };
    }
    if (o[coordKey] === undefined) {
      if (!required) return { index: -1 };
      throw new VrpInputError(`${path}.${coordKey}`, 'is required (or give matrices and location indices)');
    }
    const coords = lonLat(o[coordKey], `${path}.${coordKey}`);
    const key = `${coords[0]},${coords[1]}`;
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.coordinates.length;
      this.coordinates.push(coords);
      this.byKey.set(key, index);
    }
    return { index, coords };
  }
}

function matrix(v: unknown, path: string, size: number): number[][] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length < size) throw new VrpInputError(path, `must be a square matrix covering every location index (at least ${size} rows)`);
  const n = v.length;
  v.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n) throw new VrpInputError(`${path}[${i}]`, `must have ${n} entries (the matrix is square)`);
    row.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new VrpInputError(`${path}[${i}][${j}]`, 'must be a non-negative number');
      if (Math.round(x) > MAX_MATRIX_VALUE) throw new VrpInputError(`${path}[${i}][${j}]`, `must be at most ${MAX_MATRIX_VALUE}`);
    });
  });
  return v as number[][];
}

/**
 * Validates and builds the model. With validateOnly, stops after checking everything the input says
 * (matrices included) without computing matrices from the map: what the server does before it
 * accepts a job.
 */
export function parseProblem(input: unknown, provider?: MatrixProvider, validateOnly = false): Model {
  if (!isObj(input)) throw new VrpInputError('problem', 'must be a JSON object');
  const p = input as Obj;
  if (!Array.isArray(p.vehicles) || p.vehicles.length === 0) throw new VrpInputError('vehicles', 'must be a non-empty array');
  if (p.jobs !== undefined && !Array.isArray(p.jobs)) throw new VrpInputError('jobs', 'must be an array');
  if (p.shipments !== undefined && !Array.isArray(p.shipments)) throw new VrpInputError('shipments', 'must be an array');
  if (p.matrices !== undefined && !isObj(p.matrices)) throw new VrpInputError('matrices', 'must be an object keyed by profile');
  const matrices = (p.matrices ?? {}) as VroomProblem['matrices'] & object;
  const locs = new Locations(Object.keys(matrices).length > 0);
  const vehiclesIn = p.vehicles as unknown[];
  const jobsIn = (p.jobs ?? []) as unknown[];
  const shipmentsIn = (p.shipments ?? []) as unknown[];

  // Capacity dimensions come from the vehicles and must agree everywhere.
  let dims = -1;
  vehiclesIn.forEach((v, i) => {
    if (!isObj(v)) throw new VrpInputError(`vehicles[${i}]`, 'must be an object');
    if (v.capacity !== undefined) {
      const c = intArray(v.capacity, `vehicles[${i}].capacity`);
      if (dims >= 0 && c.length !== dims) throw new VrpInputError(`vehicles[${i}].capacity`, `has ${c.length} dimensions but vehicles[0] has ${dims}`);
      dims = c.length;
    }
  });
  if (dims < 0) {
    const first = jobsIn.find((j) => isObj(j) && (j.delivery ?? j.pickup ?? j.amount) !== undefined) as Obj | undefined;
    const amounts = first ? (first.delivery ?? first.pickup ?? first.amount) : undefined;
    dims = Array.isArray(amounts) ? amounts.length : 0;
  }

  const tasks: Task[] = [];
  const seen = { job: new Set<number>(), pickup: new Set<number>(), delivery: new Set<number>() };
  const uniqueId = (kind: 'job' | 'pickup' | 'delivery', id: unknown, path: string) => {
    const n = int(id, path, { min: 0 });
    if (seen[kind].has(n)) throw new VrpInputError(path, `duplicate ${kind} id ${n}`);
    seen[kind].add(n);
    return n;
  };
  jobsIn.forEach((j, i) => {
    const path = `jobs[${i}]`;
    if (!isObj(j)) throw new VrpInputError(path, 'must be an object');
    const loc = locs.resolve(j, 'location', 'location_index', path, true);
    const delivery = amount(j.delivery ?? j.amount, `${path}.${j.delivery !== undefined ? 'delivery' : 'amount'}`, dims);
    tasks.push({
      kind: 'job',
      id: uniqueId('job', j.id, `${path}.id`),
      path,
      location: loc.index,
      ...(loc.coords ? { coordinates: loc.coords } : {}),
      setup: optInt(j, 'setup', path, 0),
      service: optInt(j, 'service', path, 0),
      windows: windows(j.time_windows, `${path}.time_windows`),
      delivery,
      pickup: amount(j.pickup, `${path}.pickup`, dims),
      skills: j.skills === undefined ? [] : [...new Set(intArray(j.skills, `${path}.skills`, MAX_SKILL))].sort((a, b) => a - b),
      priority: optInt(j, 'priority', path, 0, { min: 0, max: 100 }),
      partner: -1,
      ...(typeof j.description === 'string' ? { description: j.description } : {}),
    });
  });
  shipmentsIn.forEach((s, i) => {
    const path = `shipments[${i}]`;
    if (!isObj(s)) throw new VrpInputError(path, 'must be an object');
    const amt = amount(s.amount, `${path}.amount`, dims);
    const skills = s.skills === undefined ? [] : [...new Set(intArray(s.skills, `${path}.skills`, MAX_SKILL))].sort((a, b) => a - b);
    const priority = optInt(s, 'priority', path, 0, { min: 0, max: 100 });
    const zeros = new Array(dims).fill(0);
    for (const kind of ['pickup', 'delivery'] as const) {
      const step = s[kind];
      const stepPath = `${path}.${kind}`;
      if (!isObj(step)) throw new VrpInputError(stepPath, 'must be an object');
      const loc = locs.resolve(step, 'location', 'location_index', stepPath, true);
      tasks.push({
        kind,
        id: uniqueId(kind, step.id, `${stepPath}.id`),
        path: stepPath,
        location: loc.index,
        ...(loc.coords ? { coordinates: loc.coords } : {}),
        setup: optInt(step, 'setup', stepPath, 0),
        service: optInt(step, 'service', stepPath, 0),
        windows: windows(step.time_windows, `${stepPath}.time_windows`),
        delivery: kind === 'delivery' ? amt : zeros,
        pickup: kind === 'pickup' ? amt : zeros,
        skills,
        priority,
        partner: kind === 'pickup' ? tasks.length + 1 : tasks.length - 1,
        ...(typeof step.description === 'string' ? { description: step.description } : {}),
      });
    }
  });

  const vehicleIds = new Set<number>();
  const vehicles: Vehicle[] = vehiclesIn.map((vIn, i) => {
    const v = vIn as Obj;
    const path = `vehicles[${i}]`;
    const id = int(v.id, `${path}.id`, { min: 0 });
    if (vehicleIds.has(id)) throw new VrpInputError(`${path}.id`, `duplicate vehicle id ${id}`);
    vehicleIds.add(id);
    const start = locs.resolve(v, 'start', 'start_index', path, false);
    const end = locs.resolve(v, 'end', 'end_index', path, false);
    if (start.index < 0 && end.index < 0) throw new VrpInputError(path, 'needs a start or an end');
    const costs = v.costs === undefined ? {} : (v.costs as Obj);
    if (!isObj(costs)) throw new VrpInputError(`${path}.costs`, 'must be an object');
    const breaks = v.breaks === undefined ? [] : (v.breaks as unknown[]);
    if (!Array.isArray(breaks)) throw new VrpInputError(`${path}.breaks`, 'must be an array');
    const breakIds = new Set<number>();
    const speedFactor = v.speed_factor === undefined ? 1 : num(v.speed_factor, `${path}.speed_factor`, 0);
    if (speedFactor <= 0 || speedFactor > 5) throw new VrpInputError(`${path}.speed_factor`, 'must be in (0, 5]');
    if (v.profile !== undefined && typeof v.profile !== 'string') throw new VrpInputError(`${path}.profile`, 'must be a string');
    return {
      id,
      profile: (v.profile as string | undefined) ?? 'car',
      start: start.index,
      end: end.index,
      ...(start.coords ? { startCoordinates: start.coords } : {}),
      ...(end.coords ? { endCoordinates: end.coords } : {}),
      capacity: v.capacity === undefined ? new Array(dims).fill(UNLIMITED) : intArray(v.capacity, `${path}.capacity`),
      skills: v.skills === undefined ? [] : [...new Set(intArray(v.skills, `${path}.skills`, MAX_SKILL))].sort((a, b) => a - b),
      window: v.time_window === undefined ? [0, UNLIMITED] : window(v.time_window, `${path}.time_window`),
      breaks: breaks.map((bIn, k) => {
        const bPath = `${path}.breaks[${k}]`;
        if (!isObj(bIn)) throw new VrpInputError(bPath, 'must be an object');
        const bid = int(bIn.id, `${bPath}.id`, { min: 0 });
        if (breakIds.has(bid)) throw new VrpInputError(`${bPath}.id`, `duplicate break id ${bid}`);
        breakIds.add(bid);
        return {
          id: bid,
          windows: windows(bIn.time_windows, `${bPath}.time_windows`),
          service: optInt(bIn, 'service', bPath, 0),
          ...(typeof bIn.description === 'string' ? { description: bIn.description } : {}),
        };
      }),
      maxTasks: optInt(v, 'max_tasks', path, UNLIMITED),
      maxTravelTime: optInt(v, 'max_travel_time', path, UNLIMITED),
      maxDistance: optInt(v, 'max_distance', path, UNLIMITED),
      fixed: costs.fixed === undefined ? 0 : int(costs.fixed, `${path}.costs.fixed`, { min: 0 }),
      perHour: costs.per_hour === undefined ? 3600 : int(costs.per_hour, `${path}.costs.per_hour`, { min: 0 }),
      perKm: costs.per_km === undefined ? 0 : int(costs.per_km, `${path}.costs.per_km`, { min: 0 }),
      speedFactor,
      type: 0,
      ...(typeof v.description === 'string' ? { description: v.description } : {}),
    };
  });

  // Matrices: given per profile, or computed on the map from coordinates.
  const size = locs.useIndices ? locs.maxIndex + 1 : locs.coordinates.length;
  const base = new Map<string, { durations: ArrayLike<number>; distances?: ArrayLike<number>; costs?: ArrayLike<number>; n: number; reachable?: Uint8Array; noRoute?: Uint8Array }>();
  let snapping: Snapping | undefined;
  for (const v of vehicles) {
    if (base.has(v.profile)) continue;
    if (locs.useIndices) {
      const m = (matrices as Record<string, unknown>)[v.profile];
      if (!isObj(m)) throw new VrpInputError(`matrices.${v.profile}`, `is missing (vehicles use profile '${v.profile}')`);
      const durations = matrix(m.durations, `matrices.${v.profile}.durations`, size);
      const distances = matrix(m.distances, `matrices.${v.profile}.distances`, size);
      const costs = matrix(m.costs, `matrices.${v.profile}.costs`, size);
      const n = (durations ?? costs ?? distances)?.length;
      if (!durations && !costs) throw new VrpInputError(`matrices.${v.profile}`, 'needs durations (or costs)');
      for (const [name, mx] of [['distances', distances], ['costs', costs]] as const) {
        if (mx && mx.length !== n) throw new VrpInputError(`matrices.${v.profile}.${name}`, `must have the same size as the other matrices (${n})`);
      }
      base.set(v.profile, {
        n: n!,
        durations: (durations ?? costs)!.flat(),
        ...(distances ? { distances: distances.flat() } : {}),
        ...(costs ? { costs: costs.flat() } : {}),
      });
    } else {
      if (validateOnly) continue;
      if (!provider) throw new VrpInputError('matrices', 'are required when no map is loaded to compute them');
      const m = provider(v.profile, locs.coordinates);
      const placements = m.placements ?? locs.coordinates.map((c) => ({ location: c, distance: 0 }));
      snapping ??= { radius: m.radius ?? Infinity, threshold: m.threshold ?? 0, placements: {} };
      snapping.placements[v.profile] = placements;
      const reachable = placeOnProfile(v.profile, vehicles, m.durations, size, placements);
      // Cells with no route get a filler (no route a vehicle can drive uses them: see reach).
      const noRoute = new Uint8Array(size * size);
      const durations = new Float64Array(size * size);
      const distances = new Float64Array(size * size);
      const md = m.durations;
      const mm = m.distances;
      let anyNoRoute = false;
      for (let i = 0; i < size * size; i++) {
        const d = md[i];
        const x = mm[i];
        if (d !== d || x !== x) {
          noRoute[i] = 1;
          anyNoRoute = true;
          durations[i] = distances[i] = NO_ROUTE_FILLER;
        } else {
          durations[i] = Math.round(d);
          distances[i] = Math.round(x);
        }
      }
      base.set(v.profile, {
        n: size,
        durations,
        distances,
        reachable,
        ...(anyNoRoute ? { noRoute } : {}),
      });
    }
  }
  if (validateOnly) return { dims, locations: size, tasks, vehicles, types: [] };
  const n = locs.useIndices ? [...base.values()][0].n : size;
  for (const [profile, b] of base) {
    if (b.n !== n) throw new VrpInputError(`matrices.${profile}`, `has ${b.n} locations but another profile has ${n}`);
  }

  // Vehicle types: one per (profile, speed factor, cost rates), each with its scaled matrices.
  const types: VehicleType[] = [];
  for (const v of vehicles) {
    let t = types.findIndex((x) => x.profile === v.profile && x.speedFactor === v.speedFactor && x.perHour === v.perHour && x.perKm === v.perKm);
    if (t < 0) {
      const b = base.get(v.profile)!;
      const duration = new Float64Array(n * n);
      const distance = new Float64Array(n * n);
      const cost = new Float64Array(n * n);
      const vi = vehicles.indexOf(v);
      const { durations: bd, distances: bdist, costs: bc, noRoute } = b;
      const { speedFactor, perHour, perKm } = v;
      for (let i = 0; i < n * n; i++) {
        duration[i] = Math.round(bd[i] / speedFactor);
        distance[i] = bdist ? Math.round(bdist[i]) : 0;
        cost[i] = bc ? Math.round(bc[i]) : Math.round((perHour * duration[i]) / 3600 + (perKm * distance[i]) / 1000);
        if (noRoute?.[i]) {
          // A filler no drivable route uses: kept in range whatever the vehicle's scaling.
          duration[i] = Math.min(duration[i], MAX_MATRIX_VALUE);
          distance[i] = Math.min(distance[i], MAX_MATRIX_VALUE);
          cost[i] = Math.min(cost[i], MAX_MATRIX_VALUE);
          continue;
        }
        // Matrices computed from the map are checked here too, and so are values scaled by the vehicle.
        if (duration[i] > MAX_MATRIX_VALUE || distance[i] > MAX_MATRIX_VALUE || cost[i] > MAX_MATRIX_VALUE) {
          const cell = `[${Math.floor(i / n)}][${i % n}]`;
          if (duration[i] > MAX_MATRIX_VALUE) {
            throw new VrpInputError(speedFactor === 1 ? `matrices.${v.profile}.durations${cell}` : `vehicles[${vi}].speed_factor`, `makes a travel time of ${duration[i]} s (${cell}), above ${MAX_MATRIX_VALUE}`);
          }
          if (distance[i] > MAX_MATRIX_VALUE) throw new VrpInputError(`matrices.${v.profile}.distances${cell}`, `must be at most ${MAX_MATRIX_VALUE}`);
          throw new VrpInputError(bc ? `matrices.${v.profile}.costs${cell}` : `vehicles[${vi}].costs`, `make a travel cost of ${cost[i]} (${cell}), above ${MAX_MATRIX_VALUE}`);
        }
      }
      const reach = b.reachable ? Uint8Array.from(tasks, (task) => b.reachable![task.location]) : undefined;
      t = types.push({ profile: v.profile, speedFactor: v.speedFactor, perHour: v.perHour, perKm: v.perKm, duration, distance, cost, ...(reach ? { reach } : {}), ...(b.noRoute ? { noRoute: b.noRoute } : {}) }) - 1;
    }
    v.type = t;
  }
  return { dims, locations: n, ...(locs.useIndices ? {} : { coordinates: locs.coordinates }), tasks, vehicles, types, ...(snapping ? { snapping } : {}) };
}

/**
 * Which locations vehicles of one profile can use: snapped onto the map, and with a route both ways
 * between them and every depot of the profile's vehicles (so no route a vehicle can drive contains
 * a pair without a route). A depot that cannot be placed is an error naming the vehicle.
 */
function placeOnProfile(profile: string, vehicles: Vehicle[], durations: Float64Array, n: number, placements: Placement[]): Uint8Array {
  const name = (i: number, which: 'start' | 'end') => `vehicles[${i}].${which} (vehicle ${vehicles[i].id})`;
  const depots: { at: number; what: string }[] = [];
  vehicles.forEach((v, i) => {
    if (v.profile !== profile) return;
    for (const which of ['start', 'end'] as const) {
      const at = v[which];
      if (at < 0) continue;
      const p = placements[at];
      if ('code' in p) throw new WaymarkError(p.code, `${name(i, which)}: ${p.message}`);
      depots.push({ at, what: name(i, which) });
    }
  });
  const linked = (a: number, b: number) => !Number.isNaN(durations[a * n + b]) && !Number.isNaN(durations[b * n + a]);
  const anchor = depots[0];
  for (const d of depots) {
    if (!linked(anchor.at, d.at)) throw new WaymarkError('NoRoute', `${d.what}: no route between it and ${anchor.what} on the '${profile}' map`);
  }
  const reachable = new Uint8Array(n);
  for (let i = 0; i < n; i++) reachable[i] = !('code' in placements[i]) && linked(anchor.at, i) ? 1 : 0;
  // Shortest-path reachability is transitive, so this only guards against a matrix that is not one.
  for (let i = 0; i < n; i++) {
    if (!reachable[i]) continue;
    for (let j = 0; j < n && reachable[i]; j++) if (reachable[j] && !linked(i, j)) reachable[i] = 0;
  }
  for (let i = 0; i < n; i++) {
    if (!reachable[i] && !('code' in placements[i])) {
      placements[i] = { code: 'NoRoute', message: `no route between it and ${anchor.what} on the '${profile}' map` };
    }
  }
  return reachable;
}

/** A checked copy into the native 32-bit layout (parseProblem already refused larger values). */
function int32Matrix(values: Float64Array): Int32Array {
  for (const x of values) {
    if (!(x >= 0 && x <= MAX_MATRIX_VALUE)) throw new WaymarkError('InvalidValue', `matrix value ${x} is outside [0, ${MAX_MATRIX_VALUE}]`);
  }
  return Int32Array.from(values);
}

/** The flat typed arrays the native solver takes. */
export function toNativeProblem(m: Model): Record<string, unknown> {
  const T = m.tasks.length;
  const V = m.vehicles.length;
  const D = m.dims;
  const csr = <X>(items: X[], list: (x: X) => number[]) => {
    const first = new Uint32Array(items.length + 1);
    const flat: number[] = [];
    items.forEach((x, i) => {
      flat.push(...list(x));
      first[i + 1] = flat.length;
    });
    return { first, flat };
  };
  const tw = csr(m.tasks, (t) => t.windows.flat());
  const twFirst = Uint32Array.from(tw.first, (x) => x / 2);
  const skills = csr(m.tasks, (t) => t.skills);
  const vskills = csr(m.vehicles, (v) => v.skills);
  const breaks = m.vehicles.flatMap((v) => v.breaks);
  const breakFirst = new Uint32Array(V + 1);
  m.vehicles.forEach((v, i) => (breakFirst[i + 1] = breakFirst[i] + v.breaks.length));
  const btw = csr(breaks, (b) => b.windows.flat());
  return {
    dims: D,
    locations: m.locations,
    types: m.types.map((t) => ({ duration: int32Matrix(t.duration), distance: int32Matrix(t.distance), cost: int32Matrix(t.cost) })),
    kind: Uint8Array.from(m.tasks, (t) => (t.kind === 'job' ? 0 : t.kind === 'pickup' ? 1 : 2)),
    location: Uint32Array.from(m.tasks, (t) => t.location),
    service: Float64Array.from(m.tasks, (t) => t.service),
    setup: Float64Array.from(m.tasks, (t) => t.setup),
    twFirst,
    tw: Float64Array.from(tw.flat),
    delivery: Float64Array.from(m.tasks.flatMap((t) => t.delivery)),
    pickup: Float64Array.from(m.tasks.flatMap((t) => t.pickup)),
    skillFirst: skills.first,
    skills: Uint32Array.from(skills.flat),
    priority: Float64Array.from(m.tasks, (t) => t.priority),
    partner: Int32Array.from(m.tasks, (t) => t.partner),
    vehicleType: Uint32Array.from(m.vehicles, (v) => v.type),
    start: Int32Array.from(m.vehicles, (v) => v.start),
    end: Int32Array.from(m.vehicles, (v) => v.end),
    capacity: Float64Array.from(m.vehicles.flatMap((v) => v.capacity)),
    vehicleSkillFirst: vskills.first,
    vehicleSkills: Uint32Array.from(vskills.flat),
    vehicleTw: Float64Array.from(m.vehicles.flatMap((v) => v.window)),
    breakFirst,
    breakTwFirst: Uint32Array.from(btw.first, (x) => x / 2),
    breakTw: Float64Array.from(btw.flat),
    breakService: Float64Array.from(breaks, (b) => b.service),
    maxTasks: Float64Array.from(m.vehicles, (v) => v.maxTasks),
    maxTravelTime: Float64Array.from(m.vehicles, (v) => v.maxTravelTime),
    maxDistance: Float64Array.from(m.vehicles, (v) => v.maxDistance),
    fixedCost: Float64Array.from(m.vehicles, (v) => v.fixed),
    ...(m.types.some((t) => t.reach) ? { reach: Uint8Array.from(m.types.flatMap((t) => Array.from(t.reach ?? new Uint8Array(T).fill(1)))) } : {}),
    T,
  };
}
