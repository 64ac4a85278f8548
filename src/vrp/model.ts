/**
 * VROOM-format problems: validation (errors name the offending field), the internal model, and the
 * flat typed arrays the native solver takes. Every key is either honoured or refused: a field of VROOM's
 * format Waymark does not implement is an `UnsupportedField` error naming it, any other unknown key an
 * `UnknownField` error, an invalid value an `InvalidValue` error.
 */
import { WaymarkError } from '../errors.js';
import type { LonLat, VroomProblem, Window } from './types.js';

export class VrpInputError extends WaymarkError {
  constructor(
    readonly path: string,
    message: string,
    code: 'InvalidValue' | 'UnsupportedField' | 'UnknownField' = 'InvalidValue',
  ) {
    super(code, `${path}: ${message}`);
  }
}

/** `plan`: VROOM's `-c` (ETAs, loads and violations of the routes the vehicles' steps give, no search). */
export type SolveMode = 'solve' | 'plan';

/** One entry of a vehicle's `steps` (VROOM's vehicle_step), resolved to model indices. */
export interface PlanStep {
  type: 'start' | 'job' | 'pickup' | 'delivery' | 'break' | 'end';
  /** Task index (job, pickup, delivery). */
  task?: number;
  /** Index into the vehicle's breaks. */
  break?: number;
  /** Hard bounds on the service start (service_at gives both). */
  after?: number;
  before?: number;
  /** Where it came from, for messages: vehicles[i].steps[k]. */
  path: string;
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
  /** VROOM's max_load: the largest load the vehicle may carry during the break. */
  maxLoad?: number[];
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
  /** Cost of one hour of task time (setup + service): VROOM's per_task_hour. */
  perTaskHour: number;
  speedFactor: number;
  type: number;
  /** VROOM's vehicle `type` string (only meaningful with *_per_type, which Waymark refuses). */
  vehicleType?: string;
  /** VROOM's `steps`: hard constraints when solving, the route itself in plan mode. */
  steps?: PlanStep[];
  description?: string;
}

/** Matrices hold the native solver's 32-bit integers; each value is checked against MAX_MATRIX_VALUE before it is stored. */
export interface VehicleType {
  profile: string;
  speedFactor: number;
  perHour: number;
  perKm: number;
  duration: Int32Array;
  distance: Int32Array;
  cost: Int32Array;
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
  mode: SolveMode;
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

/** VROOM fields Waymark does not implement, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  setup_per_type: 'VROOM\'s per-vehicle-type setup times are not supported by Waymark; give one `setup`',
  service_per_type: 'VROOM\'s per-vehicle-type service times are not supported by Waymark; give one `service`',
  matrix: 'VROOM\'s deprecated single matrix is not supported; give matrices.{profile}.durations',
};

/** Refuses every key that is not in `allowed`: a VROOM field Waymark lacks, or no VROOM field at all. */
function onlyKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (allowed.includes(k)) continue;
    if (!/^[a-z_]+$/.test(k)) throw new VrpInputError(path, `has the key ${JSON.stringify(k)}, which is not a field of VROOM's input format`, 'UnknownField');
    const at = path === 'problem' ? k : `${path}.${k}`;
    if (k in UNSUPPORTED) throw new VrpInputError(at, UNSUPPORTED[k], 'UnsupportedField');
    throw new VrpInputError(at, 'is not a field of VROOM\'s input format (refused rather than ignored)', 'UnknownField');
  }
}

function description(o: Obj, path: string): { description?: string } {
  if (o.description === undefined) return {};
  if (typeof o.description !== 'string') throw new VrpInputError(`${path}.description`, 'must be a string');
  return { description: o.description };
}

const PROBLEM_KEYS = ['jobs', 'shipments', 'vehicles', 'matrices', 'options'] as const;
const JOB_KEYS = ['id', 'description', 'location', 'location_index', 'setup', 'service', 'delivery', 'pickup', 'amount', 'skills', 'priority', 'time_windows'] as const;
const SHIPMENT_KEYS = ['pickup', 'delivery', 'amount', 'skills', 'priority'] as const;
const SHIPMENT_STEP_KEYS = ['id', 'description', 'location', 'location_index', 'setup', 'service', 'time_windows'] as const;
const VEHICLE_KEYS = [
  'id', 'profile', 'description', 'start', 'start_index', 'end', 'end_index', 'capacity', 'costs', 'skills', 'type',
  'time_window', 'breaks', 'speed_factor', 'max_tasks', 'max_travel_time', 'max_distance', 'steps',
] as const;
const COST_KEYS = ['fixed', 'per_hour', 'per_task_hour', 'per_km'] as const;
const BREAK_KEYS = ['id', 'time_windows', 'service', 'description', 'max_load'] as const;
const STEP_KEYS = ['type', 'id', 'service_at', 'service_after', 'service_before'] as const;
const MATRIX_KEYS = ['durations', 'distances', 'costs'] as const;

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
export function parseProblem(input: unknown, provider?: MatrixProvider, validateOnly = false, mode: SolveMode = 'solve'): Model {
  if (!isObj(input)) throw new VrpInputError('problem', 'must be a JSON object');
  const p = input as Obj;
  onlyKeys(p, 'problem', PROBLEM_KEYS);
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
    onlyKeys(j, path, JOB_KEYS);
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
      ...description(j, path),
    });
  });
  shipmentsIn.forEach((s, i) => {
    const path = `shipments[${i}]`;
    if (!isObj(s)) throw new VrpInputError(path, 'must be an object');
    onlyKeys(s, path, SHIPMENT_KEYS);
    const amt = amount(s.amount, `${path}.amount`, dims);
    const skills = s.skills === undefined ? [] : [...new Set(intArray(s.skills, `${path}.skills`, MAX_SKILL))].sort((a, b) => a - b);
    const priority = optInt(s, 'priority', path, 0, { min: 0, max: 100 });
    const zeros = new Array(dims).fill(0);
    for (const kind of ['pickup', 'delivery'] as const) {
      const step = s[kind];
      const stepPath = `${path}.${kind}`;
      if (!isObj(step)) throw new VrpInputError(stepPath, 'must be an object');
      onlyKeys(step, stepPath, SHIPMENT_STEP_KEYS);
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
        ...description(step, stepPath),
      });
    }
  });

  const vehicleIds = new Set<number>();
  const vehicles: Vehicle[] = vehiclesIn.map((vIn, i) => {
    const v = vIn as Obj;
    const path = `vehicles[${i}]`;
    onlyKeys(v, path, VEHICLE_KEYS);
    const id = int(v.id, `${path}.id`, { min: 0 });
    if (vehicleIds.has(id)) throw new VrpInputError(`${path}.id`, `duplicate vehicle id ${id}`);
    vehicleIds.add(id);
    const start = locs.resolve(v, 'start', 'start_index', path, false);
    const end = locs.resolve(v, 'end', 'end_index', path, false);
    if (start.index < 0 && end.index < 0) throw new VrpInputError(path, 'needs a start or an end');
    const costs = v.costs === undefined ? {} : (v.costs as Obj);
    if (!isObj(costs)) throw new VrpInputError(`${path}.costs`, 'must be an object');
    onlyKeys(costs, `${path}.costs`, COST_KEYS);
    if (v.type !== undefined && typeof v.type !== 'string') throw new VrpInputError(`${path}.type`, 'must be a string');
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
        onlyKeys(bIn, bPath, BREAK_KEYS);
        const bid = int(bIn.id, `${bPath}.id`, { min: 0 });
        if (breakIds.has(bid)) throw new VrpInputError(`${bPath}.id`, `duplicate break id ${bid}`);
        breakIds.add(bid);
        return {
          id: bid,
          windows: windows(bIn.time_windows, `${bPath}.time_windows`),
          service: optInt(bIn, 'service', bPath, 0),
          ...(bIn.max_load !== undefined ? { maxLoad: amount(bIn.max_load, `${bPath}.max_load`, dims) } : {}),
          ...description(bIn, bPath),
        };
      }),
      maxTasks: optInt(v, 'max_tasks', path, UNLIMITED),
      maxTravelTime: optInt(v, 'max_travel_time', path, UNLIMITED),
      maxDistance: optInt(v, 'max_distance', path, UNLIMITED),
      fixed: costs.fixed === undefined ? 0 : int(costs.fixed, `${path}.costs.fixed`, { min: 0 }),
      perHour: costs.per_hour === undefined ? 3600 : int(costs.per_hour, `${path}.costs.per_hour`, { min: 0 }),
      perKm: costs.per_km === undefined ? 0 : int(costs.per_km, `${path}.costs.per_km`, { min: 0 }),
      perTaskHour: costs.per_task_hour === undefined ? 0 : int(costs.per_task_hour, `${path}.costs.per_task_hour`, { min: 0, max: MAX_MATRIX_VALUE }),
      speedFactor,
      type: 0,
      ...(typeof v.type === 'string' ? { vehicleType: v.type } : {}),
      ...description(v, path),
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
      onlyKeys(m, `matrices.${v.profile}`, MATRIX_KEYS);
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
      // Cells with no route (NaN) are flagged here and get a filler when each vehicle type's matrices
      // are made (no route a vehicle can drive uses them: see reach). The map's matrices are used as
      // they are: at 5,000 locations every extra pass is 25 M cells.
      const md = m.durations;
      let noRoute: Uint8Array | undefined;
      for (let i = 0; i < size * size; i++) {
        if (md[i] !== md[i]) (noRoute ??= new Uint8Array(size * size))[i] = 1;
      }
      base.set(v.profile, { n: size, durations: md, distances: m.distances, reachable, ...(noRoute ? { noRoute } : {}) });
    }
  }
  // Steps: resolved against the tasks and breaks, checked for consistency.
  parseSteps(vehiclesIn as Obj[], vehicles, tasks, mode);
  // VROOM: a custom costs matrix and per_hour / per_km rates contradict each other.
  vehicles.forEach((v, i) => {
    const m = (matrices as Record<string, Obj | undefined>)[v.profile];
    const costs = (vehiclesIn[i] as Obj).costs as Obj | undefined;
    if (locs.useIndices && m?.costs !== undefined && costs) {
      for (const k of ['per_hour', 'per_km'] as const) {
        if (costs[k] !== undefined) throw new VrpInputError(`vehicles[${i}].costs.${k}`, `contradicts matrices.${v.profile}.costs (travel costs come from that matrix)`);
      }
    }
  });
  if (validateOnly) return { mode, dims, locations: size, tasks, vehicles, types: [] };
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
      const duration = new Int32Array(n * n);
      const distance = new Int32Array(n * n);
      const cost = new Int32Array(n * n);
      const vi = vehicles.indexOf(v);
      const { durations: bd, distances: bdist, costs: bc, noRoute } = b;
      const { speedFactor, perHour, perKm } = v;
      for (let i = 0; i < n * n; i++) {
        if (noRoute?.[i]) {
          // A filler no drivable route uses: kept in range whatever the vehicle's scaling.
          const d = Math.round(NO_ROUTE_FILLER / speedFactor);
          const x = bdist ? NO_ROUTE_FILLER : 0;
          duration[i] = Math.min(d, MAX_MATRIX_VALUE);
          distance[i] = Math.min(x, MAX_MATRIX_VALUE);
          cost[i] = Math.min(bc ? NO_ROUTE_FILLER : Math.round((perHour * d) / 3600 + (perKm * x) / 1000), MAX_MATRIX_VALUE);
          continue;
        }
        const d = Math.round(bd[i] / speedFactor);
        const x = bdist ? Math.round(bdist[i]) : 0;
        const c = bc ? Math.round(bc[i]) : Math.round((perHour * d) / 3600 + (perKm * x) / 1000);
        // Matrices computed from the map are checked here too, and so are values scaled by the vehicle
        // (before they are stored: a 32-bit array would wrap them).
        if (!(d >= 0 && d <= MAX_MATRIX_VALUE && x >= 0 && x <= MAX_MATRIX_VALUE && c >= 0 && c <= MAX_MATRIX_VALUE)) {
          const cell = `[${Math.floor(i / n)}][${i % n}]`;
          if (!(d <= MAX_MATRIX_VALUE)) {
            throw new VrpInputError(speedFactor === 1 ? `matrices.${v.profile}.durations${cell}` : `vehicles[${vi}].speed_factor`, `makes a travel time of ${d} s (${cell}), above ${MAX_MATRIX_VALUE}`);
          }
          if (!(x <= MAX_MATRIX_VALUE)) throw new VrpInputError(`matrices.${v.profile}.distances${cell}`, `must be at most ${MAX_MATRIX_VALUE}`);
          if (!(c <= MAX_MATRIX_VALUE)) throw new VrpInputError(bc ? `matrices.${v.profile}.costs${cell}` : `vehicles[${vi}].costs`, `make a travel cost of ${c} (${cell}), above ${MAX_MATRIX_VALUE}`);
          throw new WaymarkError('InvalidValue', `matrix value ${Math.min(d, x, c)} at ${cell} is outside [0, ${MAX_MATRIX_VALUE}]`);
        }
        duration[i] = d;
        distance[i] = x;
        cost[i] = c;
      }
      const reach = b.reachable ? Uint8Array.from(tasks, (task) => b.reachable![task.location]) : undefined;
      t = types.push({ profile: v.profile, speedFactor: v.speedFactor, perHour: v.perHour, perKm: v.perKm, duration, distance, cost, ...(reach ? { reach } : {}), ...(b.noRoute ? { noRoute: b.noRoute } : {}) }) - 1;
    }
    v.type = t;
  }
  return { mode, dims, locations: n, ...(locs.useIndices ? {} : { coordinates: locs.coordinates }), tasks, vehicles, types, ...(snapping ? { snapping } : {}) };
}

const STEP_TYPES = ['start', 'job', 'pickup', 'delivery', 'break', 'end'] as const;

/**
 * Vehicles' `steps` (VROOM's vehicle_step): each task and break at most once, start first and end
 * last, service_* bounds consistent. When solving they are hard constraints (the tasks stay on that
 * vehicle in that relative order, breaks between the same pinned tasks, service within the bounds),
 * so bounds that contradict a task's own time windows are refused here.
 */
function parseSteps(vehiclesIn: Obj[], vehicles: Vehicle[], tasks: Task[], mode: SolveMode): void {
  const byKey = new Map<string, number>();
  tasks.forEach((t, i) => byKey.set(`${t.kind}:${t.id}`, i));
  const listedAt = new Map<number, { vehicle: number; index: number; path: string }>();
  vehiclesIn.forEach((vIn, i) => {
    const v = vehicles[i];
    if (vIn.steps === undefined) return;
    const path = `vehicles[${i}].steps`;
    if (!Array.isArray(vIn.steps)) throw new VrpInputError(path, 'must be an array of steps');
    const list = vIn.steps as unknown[];
    const steps: PlanStep[] = [];
    const breaksSeen = new Set<number>();
    let lastBreak = -1;
    list.forEach((sIn, k) => {
      const sp = `${path}[${k}]`;
      if (!isObj(sIn)) throw new VrpInputError(sp, 'must be an object');
      onlyKeys(sIn, sp, STEP_KEYS);
      const type = sIn.type as PlanStep['type'];
      if (!STEP_TYPES.includes(type)) throw new VrpInputError(`${sp}.type`, `must be one of ${STEP_TYPES.join(', ')}`);
      const step: PlanStep = { type, path: sp };
      if (type === 'start' || type === 'end') {
        if (sIn.id !== undefined) throw new VrpInputError(`${sp}.id`, 'is only for job, pickup, delivery and break steps');
        if (type === 'start' && k !== 0) throw new VrpInputError(`${sp}.type`, 'a start step must come first');
        if (type === 'end' && k !== list.length - 1) throw new VrpInputError(`${sp}.type`, 'an end step must come last');
      } else if (type === 'break') {
        const id = int(sIn.id, `${sp}.id`, { min: 0 });
        const b = v.breaks.findIndex((x) => x.id === id);
        if (b < 0) throw new VrpInputError(`${sp}.id`, `vehicle ${v.id} has no break ${id}`);
        if (breaksSeen.has(b)) throw new VrpInputError(`${sp}.id`, `break ${id} is listed twice`);
        if (mode === 'solve' && b < lastBreak) throw new VrpInputError(`${sp}.id`, `when solving, breaks must be listed in the order of vehicles[${i}].breaks`);
        breaksSeen.add(b);
        lastBreak = b;
        step.break = b;
      } else {
        const id = int(sIn.id, `${sp}.id`, { min: 0 });
        const t = byKey.get(`${type}:${id}`);
        if (t === undefined) throw new VrpInputError(`${sp}.id`, `there is no ${type} with id ${id}`);
        const before = listedAt.get(t);
        if (before) throw new VrpInputError(`${sp}.id`, `${type} ${id} is already listed at ${before.path}`);
        listedAt.set(t, { vehicle: i, index: k, path: sp });
        step.task = t;
      }
      const at = sIn.service_at === undefined ? undefined : int(sIn.service_at, `${sp}.service_at`, { min: 0 });
      const after = sIn.service_after === undefined ? undefined : int(sIn.service_after, `${sp}.service_after`, { min: 0 });
      const beforeBound = sIn.service_before === undefined ? undefined : int(sIn.service_before, `${sp}.service_before`, { min: 0 });
      const los = [at, after].filter((x): x is number => x !== undefined);
      const his = [at, beforeBound].filter((x): x is number => x !== undefined);
      if (los.length) step.after = Math.max(...los);
      if (his.length) step.before = Math.min(...his);
      if (step.after !== undefined && step.before !== undefined && step.after > step.before) {
        throw new VrpInputError(sp, 'service_at, service_after and service_before leave no possible time');
      }
      steps.push(step);
    });
    v.steps = steps;
  });
  if (mode !== 'solve') return;
  // Solving: the steps must be possible on their own terms.
  for (const [t, where] of listedAt) {
    const task = tasks[t];
    if (task.partner >= 0) {
      const other = listedAt.get(task.partner);
      if (other && other.vehicle !== where.vehicle) throw new VrpInputError(where.path, `${task.kind} ${task.id} and the other half of its shipment are listed for different vehicles`);
      if (other && task.kind === 'delivery' && other.index > where.index) throw new VrpInputError(where.path, `delivery ${task.id} is listed before the pickup of its shipment`);
    }
  }
  vehicles.forEach((v) => {
    for (const step of v.steps ?? []) {
      if (step.after === undefined && step.before === undefined) continue;
      const lo = step.after ?? 0;
      const hi = step.before ?? UNLIMITED;
      if (step.type === 'start') {
        if (Math.max(lo, v.window[0]) > Math.min(hi, v.window[1])) throw new VrpInputError(step.path, `its service bounds leave no start time inside the vehicle's time_window [${v.window}]`);
      } else if (step.type === 'end') {
        if (step.after !== undefined) throw new VrpInputError(step.path, 'service_at and service_after on an end step cannot be honoured while solving (vehicles do not wait before their end); give service_before, or use plan mode');
        if (hi < v.window[0]) throw new VrpInputError(`${step.path}.service_before`, "is before the vehicle's time_window starts");
      } else {
        const windowsOf = step.task !== undefined ? tasks[step.task].windows : v.breaks[step.break!].windows;
        if (clipWindows(windowsOf, lo, hi).length === 0) {
          const what = step.task !== undefined ? `${tasks[step.task].kind} ${tasks[step.task].id}` : `break ${v.breaks[step.break!].id}`;
          throw new VrpInputError(step.path, `its service bounds [${lo}, ${hi}] lie outside every time window of ${what}`);
        }
      }
    }
  });
}

/** The parts of windows inside [lo, hi]. */
export function clipWindows(windows: Window[], lo: number, hi: number): Window[] {
  return windows.flatMap(([a, b]): Window[] => (Math.max(a, lo) <= Math.min(b, hi) ? [[Math.max(a, lo), Math.min(b, hi)]] : []));
}

/** A step's bounds as [lo, hi]. */
export function stepBounds(step: PlanStep): Window {
  return [step.after ?? 0, step.before ?? UNLIMITED];
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
  // Solving with steps: each step's service bounds narrow its task's, break's or vehicle's windows.
  const taskWindows = m.tasks.map((t) => t.windows);
  const vehicleWindows = m.vehicles.map((v) => v.window);
  const breakWindows = m.vehicles.map((v) => v.breaks.map((b) => b.windows));
  const pinnedVehicle = new Int32Array(T).fill(-1);
  const pinnedRank = new Int32Array(T).fill(-1);
  const breakAfter = m.vehicles.map((v) => new Array<number>(v.breaks.length).fill(-1));
  let anyPinned = false;
  let anyBreakPlaced = false;
  m.vehicles.forEach((v, vi) => {
    let rank = 0;
    for (const step of v.steps ?? []) {
      const [lo, hi] = stepBounds(step);
      if (step.task !== undefined) {
        pinnedVehicle[step.task] = vi;
        pinnedRank[step.task] = rank++;
        anyPinned = true;
        taskWindows[step.task] = clipWindows(taskWindows[step.task], lo, hi);
      } else if (step.break !== undefined) {
        breakAfter[vi][step.break] = rank;
        anyBreakPlaced = true;
        breakWindows[vi][step.break] = clipWindows(breakWindows[vi][step.break], lo, hi);
      } else if (step.type === 'start') {
        vehicleWindows[vi] = [Math.max(vehicleWindows[vi][0], lo), vehicleWindows[vi][1]];
      } else if (step.type === 'end') {
        vehicleWindows[vi] = [vehicleWindows[vi][0], Math.min(vehicleWindows[vi][1], hi)];
      }
    }
  });
  const tw = csr(taskWindows, (w) => w.flat());
  const twFirst = Uint32Array.from(tw.first, (x) => x / 2);
  const skills = csr(m.tasks, (t) => t.skills);
  const vskills = csr(m.vehicles, (v) => v.skills);
  const breaks = m.vehicles.flatMap((v) => v.breaks);
  const breakFirst = new Uint32Array(V + 1);
  m.vehicles.forEach((v, i) => (breakFirst[i + 1] = breakFirst[i] + v.breaks.length));
  const btw = csr(breakWindows.flat(), (w) => w.flat());
  return {
    dims: D,
    locations: m.locations,
    types: m.types.map((t) => ({ duration: t.duration, distance: t.distance, cost: t.cost })),
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
    vehicleTw: Float64Array.from(vehicleWindows.flat()),
    breakFirst,
    breakTwFirst: Uint32Array.from(btw.first, (x) => x / 2),
    breakTw: Float64Array.from(btw.flat),
    breakService: Float64Array.from(breaks, (b) => b.service),
    maxTasks: Float64Array.from(m.vehicles, (v) => v.maxTasks),
    maxTravelTime: Float64Array.from(m.vehicles, (v) => v.maxTravelTime),
    maxDistance: Float64Array.from(m.vehicles, (v) => v.maxDistance),
    fixedCost: Float64Array.from(m.vehicles, (v) => v.fixed),
    ...(anyPinned ? { pinnedVehicle, pinnedRank } : {}),
    ...(anyBreakPlaced ? { breakAfterPinned: Int32Array.from(breakAfter.flat()) } : {}),
    ...(breaks.some((b) => b.maxLoad) ? { breakMaxLoad: Float64Array.from(breaks.flatMap((b) => b.maxLoad ?? new Array<number>(D).fill(UNLIMITED))) } : {}),
    ...(m.vehicles.some((v) => v.perTaskHour > 0) ? { taskHourCost: Float64Array.from(m.vehicles, (v) => v.perTaskHour) } : {}),
    ...(m.types.some((t) => t.reach) ? { reach: Uint8Array.from(m.types.flatMap((t) => Array.from(t.reach ?? new Uint8Array(T).fill(1)))) } : {}),
    T,
  };
}
