/** VROOM-format output from the native solver's routes and schedules. */
import type { Model } from './model.js';
import type { SearchStopReason, SnappingSummary, StepType, UnassignedCode, Violation, ViolationCause, VroomRoute, VroomSolution, VroomStep, VroomUnassigned } from './types.js';

/** One route as the native solver returns it: 9 numbers per step, and the loads after each step. */
export interface NativeVrpRoute {
  vehicle: number;
  cost: number;
  feasible: boolean;
  steps: Float64Array;
  loads: Float64Array;
  /** Plan mode: the violations of each step and of the route. */
  violations?: { steps: Violation[][]; route: Violation[] };
}

/** VROOM's order of causes, used for every violations list. */
export const VIOLATION_CAUSES: ViolationCause[] = ['lead_time', 'delay', 'load', 'max_tasks', 'skills', 'precedence', 'missing_break', 'max_travel_time', 'max_load', 'max_distance'];

/** Merges violations: one entry per cause, durations added. */
export function mergeViolations(lists: Violation[][]): Violation[] {
  const byCause = new Map<ViolationCause, Violation>();
  for (const list of lists) {
    for (const v of list) {
      const seen = byCause.get(v.cause);
      if (!seen) byCause.set(v.cause, { ...v });
      else if (v.duration !== undefined) seen.duration = (seen.duration ?? 0) + v.duration;
    }
  }
  return VIOLATION_CAUSES.flatMap((c) => (byCause.has(c) ? [byCause.get(c)!] : []));
}

export interface NativeVrpSolution {
  cost: number;
  routes: NativeVrpRoute[];
  unassigned: { task: number; reason: string }[];
  iterations: number;
  improvements: number;
  fleetRestarts?: number;
  secondsFirstSolution: number;
  secondsTotal: number;
  stopReason: SearchStopReason;
  timeLimit: number;
}

const STEP_TYPES: StepType[] = ['start', 'job', 'pickup', 'delivery', 'break', 'end'];
const FIELDS = 9;

function add(a: number[], b: number[]): number[] {
  return a.map((x, i) => x + b[i]);
}

/** The native solver's reasons, as codes. */
function codeOfReason(reason: string): UnassignedCode {
  if (reason.startsWith('no vehicle can reach it on the road network')) return 'NoRoute';
  if (reason.startsWith('no vehicle has the skills')) return 'Skills';
  if (reason.startsWith('its amounts exceed')) return 'Capacity';
  if (reason.startsWith('no vehicle can reach it within')) return 'Constraints';
  if (reason.startsWith('plan mode:')) return 'NotPlanned';
  return 'NoFeasiblePlace';
}

/**
 * Why a task cannot be placed on the road network of any vehicle type, from the snapping results
 * (its own location, or its shipment partner's); undefined when some type can place it. The reason
 * and path name the offending field of the problem (`jobs[3].location`), as input errors do.
 */
export function placementFailure(model: Model, task: number): { code: 'NoSegment' | 'NoRoute'; reason: string; path: string } | undefined {
  const snapping = model.snapping;
  if (!snapping || model.types.length === 0 || !model.types.every((t) => t.reach)) return undefined;
  const own = (t: number) => model.types.every((type) => type.reach![t] === 0);
  const why = (t: number) => {
    const { path, kind, id, location } = model.tasks[t];
    const failures = [...new Set(model.types.map((type) => snapping.placements[type.profile][location]))].filter((p) => 'code' in p);
    const first = failures[0] as { code: 'NoSegment' | 'NoRoute'; message: string } | undefined;
    const messages = failures.map((p) => ('code' in p ? p.message : '')).join('; ') || 'no vehicle can reach it';
    return { code: first?.code ?? 'NoRoute', reason: `${path}.location (${kind} ${id}): ${messages}`, path: `${path}.location` };
  };
  if (own(task)) return why(task);
  const partner = model.tasks[task].partner;
  if (partner >= 0 && own(partner)) {
    const w = why(partner);
    return { ...w, reason: `its shipment's ${model.tasks[partner].kind} cannot be placed: ${w.reason}` };
  }
  return undefined;
}

/** The summary's snapping figures: over every distinct location of the problem. */
export function snappingSummary(model: Model): SnappingSummary | undefined {
  const s = model.snapping;
  if (!s) return undefined;
  let over = 0;
  let max = 0;
  let unplaced = 0;
  for (let i = 0; i < model.locations; i++) {
    let d = -1;
    let failed = false;
    for (const placements of Object.values(s.placements)) {
      const p = placements[i];
      if ('location' in p) d = Math.max(d, p.distance);
      else if (p.code === 'NoSegment') failed = true;
    }
    if (failed && d < 0) unplaced++;
    if (d > s.threshold) over++;
    max = Math.max(max, d);
  }
  return { radius: Number.isFinite(s.radius) ? s.radius : 'unlimited', threshold: s.threshold, over_threshold: over, max_distance: max, unplaced };
}

export function formatSolution(model: Model, s: NativeVrpSolution, times: { loading: number; solving: number; routing: number }): VroomSolution {
  const D = model.dims;
  const zeros = new Array<number>(D).fill(0);
  const locationOf = (index: number) => {
    if (index < 0) return {};
    return model.coordinates ? { location: model.coordinates[index] } : { location_index: index };
  };
  const snapOf = (profile: string, index: number) => {
    const p = index >= 0 ? model.snapping?.placements[profile]?.[index] : undefined;
    return p && 'location' in p ? { snapped_location: p.location, snap_distance: p.distance } : {};
  };
  const routes: VroomRoute[] = s.routes.map((r) => {
    const vehicle = model.vehicles[r.vehicle];
    const steps: VroomStep[] = [];
    let delivery = zeros;
    let pickup = zeros;
    let priority = 0;
    for (let i = 0; i * FIELDS < r.steps.length; i++) {
      const f = r.steps.subarray(i * FIELDS, (i + 1) * FIELDS);
      const type = STEP_TYPES[f[0]];
      const id = f[1];
      const step: VroomStep = {
        type,
        ...locationOf(f[2]),
        setup: f[5],
        service: f[6],
        waiting_time: f[4],
        load: Array.from(r.loads.subarray(i * D, (i + 1) * D)),
        arrival: f[3],
        duration: f[7],
        distance: f[8],
        ...(type === 'break' ? {} : snapOf(vehicle.profile, f[2])),
        violations: r.violations?.steps[i] ?? [],
      };
      if (type === 'break') {
        const b = vehicle.breaks[id - model.vehicles.slice(0, r.vehicle).reduce((n, v) => n + v.breaks.length, 0)];
        step.id = b.id;
        if (b.description) step.description = b.description;
      } else if (type !== 'start' && type !== 'end') {
        const task = model.tasks[id];
        step.id = task.id;
        if (task.description) step.description = task.description;
        delivery = add(delivery, task.delivery);
        pickup = add(pickup, task.pickup);
        priority += task.priority;
      }
      steps.push(step);
    }
    const last = steps[steps.length - 1];
    const totals = steps.reduce((t, x) => ({ setup: t.setup + x.setup, service: t.service + x.service, waiting: t.waiting + x.waiting_time }), { setup: 0, service: 0, waiting: 0 });
    return {
      vehicle: vehicle.id,
      ...(vehicle.description ? { description: vehicle.description } : {}),
      cost: r.cost,
      delivery,
      pickup,
      setup: totals.setup,
      service: totals.service,
      duration: last.duration,
      waiting_time: totals.waiting,
      priority,
      distance: last.distance,
      steps,
      violations: r.violations?.route ?? [],
    };
  });
  const unassigned: VroomUnassigned[] = s.unassigned.map(({ task, reason }) => {
    const t = model.tasks[task];
    const placement = placementFailure(model, task);
    return {
      id: t.id,
      type: t.kind,
      ...locationOf(t.location),
      ...(t.description ? { description: t.description } : {}),
      reason: placement?.reason ?? reason,
      code: placement?.code ?? codeOfReason(reason),
      ...(placement ? { path: placement.path } : {}),
    };
  });
  const sum = (f: (r: VroomRoute) => number) => routes.reduce((n, r) => n + f(r), 0);
  return {
    code: 0,
    summary: {
      cost: sum((r) => r.cost),
      routes: routes.length,
      unassigned: unassigned.length,
      delivery: routes.reduce((a, r) => add(a, r.delivery), zeros),
      pickup: routes.reduce((a, r) => add(a, r.pickup), zeros),
      setup: sum((r) => r.setup),
      service: sum((r) => r.service),
      duration: sum((r) => r.duration),
      waiting_time: sum((r) => r.waiting_time),
      priority: sum((r) => r.priority),
      distance: sum((r) => r.distance),
      computing_times: times,
      search: { iterations: s.iterations, stop_reason: s.stopReason, time_limit: s.timeLimit, first_solution: Math.round(s.secondsFirstSolution * 1000), ...(s.fleetRestarts ? { fleet_restarts: s.fleetRestarts } : {}) },
      violations: mergeViolations(routes.map((r) => r.violations)),
      ...(model.snapping ? { snapping: snappingSummary(model) } : {}),
    },
    unassigned,
    routes,
  };
}

