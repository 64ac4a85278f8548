/**
 * Re-optimising a live plan: from a solved version of a job and what happened since (new orders,
 * cancellations, each vehicle's position, time and the stops it has done or is doing), the next
 * version's problem — still a plain VROOM problem — and its warm start (the previous routes).
 *
 * What changes in the problem:
 * - cancelled tasks go; new jobs and shipments join;
 * - a reported vehicle starts at its position (`position`, or `position_index` with matrices) at
 *   `time` (its time window then opens no earlier); breaks it reports done go;
 * - done stops leave the problem, except what is still on board: a done pickup whose delivery is not
 *   done (shipment or job pickup amounts) stays as a zero-time stop at the vehicle's position, first in
 *   its `steps` with `service_at` = time, so loads stay right;
 * - the stop in progress is pinned next, at the vehicle's position, its time windows dropped (it has
 *   begun) and `service_at` = time;
 * - the vehicle's earlier steps (pins of its own) follow, minus what is done or cancelled.
 * Done and in-progress stops are thereby fixed (vehicle steps are hard constraints when solving).
 */
import { VrpInputError } from './model.js';
import type { VroomSolution } from './types.js';

type Obj = Record<string, unknown>;
type Kind = 'job' | 'pickup' | 'delivery';

export interface TaskRef {
  type: Kind;
  id: number;
}

export interface ReplanVehicle {
  id: number;
  position?: [number, number];
  position_index?: number;
  time: number;
  done?: { type: Kind | 'break'; id: number }[];
  in_progress?: TaskRef;
}

export interface ReplanRequest {
  jobs?: unknown[];
  shipments?: unknown[];
  cancelled?: { jobs?: number[]; shipments?: number[] };
  vehicles?: ReplanVehicle[];
}

/** Per vehicle id: its first route's tasks (the warm start). */
export type WarmStart = Record<string, TaskRef[]>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function intOf(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new VrpInputError(path, 'must be a non-negative integer');
  return v;
}

function ref(v: unknown, path: string, kinds: readonly string[]): { type: string; id: number } {
  if (!isObj(v)) throw new VrpInputError(path, 'must be { type, id }');
  for (const k of Object.keys(v)) if (k !== 'type' && k !== 'id') throw new VrpInputError(`${path}.${k}`, 'is not a field of a stop reference (type, id)', 'UnknownField');
  if (typeof v.type !== 'string' || !kinds.includes(v.type)) throw new VrpInputError(`${path}.type`, `must be one of ${kinds.join(', ')}`);
  return { type: v.type, id: intOf(v.id, `${path}.id`) };
}

/** Validates the request body's shape (what can be checked without the previous version). */
export function parseReplanRequest(body: unknown): ReplanRequest {
  if (!isObj(body)) throw new VrpInputError('body', 'must be a JSON object');
  for (const k of Object.keys(body)) {
    if (!['jobs', 'shipments', 'cancelled', 'vehicles', 'options'].includes(k)) throw new VrpInputError(k, 'is not a field of a replan request (jobs, shipments, cancelled, vehicles, options)', 'UnknownField');
  }
  const out: ReplanRequest = {};
  for (const k of ['jobs', 'shipments'] as const) {
    if (body[k] === undefined) continue;
    if (!Array.isArray(body[k])) throw new VrpInputError(k, 'must be an array');
    out[k] = body[k] as unknown[];
  }
  if (body.cancelled !== undefined) {
    const c = body.cancelled;
    if (!isObj(c)) throw new VrpInputError('cancelled', 'must be { jobs: [ids], shipments: [pickup ids] }');
    for (const k of Object.keys(c)) if (k !== 'jobs' && k !== 'shipments') throw new VrpInputError(`cancelled.${k}`, 'is not a field (jobs, shipments)', 'UnknownField');
    out.cancelled = {};
    for (const k of ['jobs', 'shipments'] as const) {
      if (c[k] === undefined) continue;
      if (!Array.isArray(c[k])) throw new VrpInputError(`cancelled.${k}`, 'must be an array of ids');
      out.cancelled[k] = (c[k] as unknown[]).map((x, i) => intOf(x, `cancelled.${k}[${i}]`));
    }
  }
  if (body.vehicles !== undefined) {
    if (!Array.isArray(body.vehicles)) throw new VrpInputError('vehicles', 'must be an array');
    const seen = new Set<number>();
    out.vehicles = body.vehicles.map((v, i) => {
      const path = `vehicles[${i}]`;
      if (!isObj(v)) throw new VrpInputError(path, 'must be an object');
      for (const k of Object.keys(v)) {
        if (!['id', 'position', 'position_index', 'time', 'done', 'in_progress'].includes(k)) throw new VrpInputError(`${path}.${k}`, 'is not a field (id, position, position_index, time, done, in_progress)', 'UnknownField');
      }
      const id = intOf(v.id, `${path}.id`);
      if (seen.has(id)) throw new VrpInputError(`${path}.id`, `vehicle ${id} is listed twice`);
      seen.add(id);
      const rv: ReplanVehicle = { id, time: intOf(v.time, `${path}.time`) };
      if (v.position !== undefined) {
        const p = v.position;
        if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new VrpInputError(`${path}.position`, 'must be [lon, lat]');
        rv.position = [p[0], p[1]];
      }
      if (v.position_index !== undefined) rv.position_index = intOf(v.position_index, `${path}.position_index`);
      if (v.done !== undefined) {
        if (!Array.isArray(v.done)) throw new VrpInputError(`${path}.done`, 'must be an array of { type, id }');
        rv.done = v.done.map((d, k) => ref(d, `${path}.done[${k}]`, ['job', 'pickup', 'delivery', 'break']) as { type: Kind | 'break'; id: number });
      }
      if (v.in_progress !== undefined) rv.in_progress = ref(v.in_progress, `${path}.in_progress`, ['job', 'pickup', 'delivery']) as TaskRef;
      return rv;
    });
  }
  return out;
}

/**
 * The next version's problem and warm start. `previous` is the solved version's problem (VROOM
 * format, no options), `solution` its answer.
 */
export function replanProblem(previous: Obj, solution: VroomSolution, req: ReplanRequest): { problem: Obj; warmStart: WarmStart } {
  const problem = structuredClone(previous) as Obj & { jobs?: Obj[]; shipments?: Obj[]; vehicles: Obj[] };
  const useIndices = isObj(problem.matrices) && Object.keys(problem.matrices).length > 0;
  const jobs = (problem.jobs ?? []) as Obj[];
  const shipments = (problem.shipments ?? []) as (Obj & { pickup: Obj; delivery: Obj })[];
  const jobById = new Map(jobs.map((j) => [j.id as number, j]));
  const shipmentByPickup = new Map(shipments.map((s) => [s.pickup.id as number, s]));
  const shipmentByDelivery = new Map(shipments.map((s) => [s.delivery.id as number, s]));
  const exists = (t: TaskRef) => (t.type === 'job' ? jobById.has(t.id) : t.type === 'pickup' ? shipmentByPickup.has(t.id) : shipmentByDelivery.has(t.id));
  const key = (t: TaskRef) => `${t.type}:${t.id}`;

  // Cancellations.
  const gone = new Set<string>();
  for (const [k, id] of (req.cancelled?.jobs ?? []).map((id, i) => [i, id] as const)) {
    if (!jobById.has(id)) throw new VrpInputError(`cancelled.jobs[${k}]`, `there is no job ${id} in the plan`);
    gone.add(`job:${id}`);
  }
  for (const [k, id] of (req.cancelled?.shipments ?? []).map((id, i) => [i, id] as const)) {
    const s = shipmentByPickup.get(id);
    if (!s) throw new VrpInputError(`cancelled.shipments[${k}]`, `there is no shipment with pickup id ${id} in the plan`);
    gone.add(`pickup:${id}`);
    gone.add(`delivery:${s.delivery.id as number}`);
  }

  // Done and in-progress stops: which leave the problem, which stay on board.
  const vehicleById = new Map(problem.vehicles.map((v, i) => [v.id as number, { v, i }]));
  const done = new Set<string>();
  const pinnedFront = new Map<number, { steps: Obj[]; refs: TaskRef[] }>();
  const relocate = (task: Obj, rv: ReplanVehicle) => {
    if (useIndices) task.location_index = rv.position_index;
    else task.location = rv.position;
    delete task.time_windows;
    task.setup = 0;
  };
  (req.vehicles ?? []).forEach((rv, i) => {
    const path = `vehicles[${i}]`;
    const found = vehicleById.get(rv.id);
    if (!found) throw new VrpInputError(`${path}.id`, `there is no vehicle ${rv.id} in the plan`);
    if (useIndices && rv.position_index === undefined) throw new VrpInputError(`${path}.position_index`, 'is required (the plan uses matrices)');
    if (!useIndices && rv.position === undefined) throw new VrpInputError(`${path}.position`, 'is required (the plan uses coordinates)');
    for (const [k, d] of (rv.done ?? []).entries()) {
      if (d.type === 'break') {
        const breaks = (found.v.breaks ?? []) as Obj[];
        if (!breaks.some((b) => b.id === d.id)) throw new VrpInputError(`${path}.done[${k}].id`, `vehicle ${rv.id} has no break ${d.id}`);
        found.v.breaks = breaks.filter((b) => b.id !== d.id);
        continue;
      }
      if (gone.has(key(d as TaskRef))) throw new VrpInputError(`${path}.done[${k}]`, `${d.type} ${d.id} is also cancelled`);
      if (!exists(d as TaskRef)) throw new VrpInputError(`${path}.done[${k}].id`, `there is no ${d.type} ${d.id} in the plan`);
      done.add(key(d as TaskRef));
    }
    if (rv.in_progress) {
      if (!exists(rv.in_progress)) throw new VrpInputError(`${path}.in_progress.id`, `there is no ${rv.in_progress.type} ${rv.in_progress.id} in the plan`);
      if (gone.has(key(rv.in_progress)) || done.has(key(rv.in_progress))) throw new VrpInputError(`${path}.in_progress`, 'is also cancelled or done');
    }
  });
  // Stops an earlier replan pinned in the past (on board, or in progress then) count as done before now.
  const carried = new Map<number, TaskRef[]>();
  for (const rv of req.vehicles ?? []) {
    const { v } = vehicleById.get(rv.id)!;
    const past = ((v.steps ?? []) as Obj[]).filter((x) => x.type !== 'start' && x.type !== 'end' && x.type !== 'break' && typeof x.service_at === 'number' && x.service_at <= rv.time);
    const refs = past.map((x) => ({ type: x.type as Kind, id: x.id as number })).filter((t) => !gone.has(key(t)) && exists(t));
    carried.set(rv.id, refs);
    for (const t of refs) done.add(key(t));
  }
  // A delivery done without its pickup done is an error.
  for (const s of shipments) {
    const p = `pickup:${s.pickup.id as number}`;
    const d = `delivery:${s.delivery.id as number}`;
    if (done.has(d) && !done.has(p)) throw new VrpInputError('vehicles', `delivery ${s.delivery.id as number} is done but its pickup ${s.pickup.id as number} is not reported done`);
  }

  const onBoard = new Set<string>();
  (req.vehicles ?? []).forEach((rv) => {
    const steps: Obj[] = [];
    const refs: TaskRef[] = [];
    const at = rv.time;
    const reported = new Set((rv.done ?? []).map((d) => `${d.type}:${d.id}`));
    const all = [...(carried.get(rv.id) ?? []).filter((t) => !reported.has(key(t))), ...(rv.done ?? [])];
    for (const d of all) {
      if (d.type === 'break') continue;
      if (d.type === 'job') {
        const j = jobById.get(d.id)!;
        const pickup = Array.isArray(j.pickup) && (j.pickup as number[]).some((x) => x > 0);
        if (!pickup) continue;
        relocate(j, rv);
        j.service = 0;
        delete j.delivery;
        delete j.amount;
        onBoard.add(key(d as TaskRef));
      } else if (d.type === 'pickup') {
        const s = shipmentByPickup.get(d.id)!;
        if (done.has(`delivery:${s.delivery.id as number}`)) continue;
        relocate(s.pickup, rv);
        s.pickup.service = 0;
        onBoard.add(key(d as TaskRef));
      } else continue;
      steps.push({ type: d.type, id: d.id, service_at: at });
      refs.push(d as TaskRef);
    }
    if (rv.in_progress) {
      const t = rv.in_progress;
      const task = t.type === 'job' ? jobById.get(t.id)! : t.type === 'pickup' ? shipmentByPickup.get(t.id)!.pickup : shipmentByDelivery.get(t.id)!.delivery;
      relocate(task, rv);
      steps.push({ type: t.type, id: t.id, service_at: at });
      refs.push(t);
    }
    pinnedFront.set(rv.id, { steps, refs });
  });

  // The problem without what is gone or done (on-board pickups stay).
  const leaves = (t: TaskRef) => gone.has(key(t)) || (done.has(key(t)) && !onBoard.has(key(t)));
  problem.jobs = jobs.filter((j) => !leaves({ type: 'job', id: j.id as number }));
  problem.shipments = shipments.filter((s) => {
    const p = { type: 'pickup', id: s.pickup.id as number } as TaskRef;
    const d = { type: 'delivery', id: s.delivery.id as number } as TaskRef;
    return !(leaves(p) && leaves(d));
  });
  // A done delivery whose pickup stays (never: both done leave together) — guarded above.
  problem.jobs.push(...((req.jobs ?? []) as Obj[]));
  problem.shipments.push(...((req.shipments ?? []) as (Obj & { pickup: Obj; delivery: Obj })[]));
  if (problem.shipments.length === 0) delete problem.shipments;

  // Vehicles: new start, time window, steps.
  for (const rv of req.vehicles ?? []) {
    const { v, i } = vehicleById.get(rv.id)!;
    if (useIndices) v.start_index = rv.position_index;
    else v.start = rv.position;
    const tw = (v.time_window as [number, number] | undefined) ?? [0, 1e12];
    if (rv.time > tw[1]) throw new VrpInputError(`vehicles[${i}].time`, `is after the end of vehicle ${rv.id}'s time window ${tw[1]}`);
    v.time_window = [Math.max(tw[0], rv.time), tw[1]];
  }
  const warmStart: WarmStart = {};
  const previousRoutes = new Map(solution.routes.map((r) => [r.vehicle, r.steps.filter((s) => s.type === 'job' || s.type === 'pickup' || s.type === 'delivery').map((s) => ({ type: s.type as Kind, id: s.id! }))]));
  for (const v of problem.vehicles) {
    const id = v.id as number;
    const front = pinnedFront.get(id);
    const ownSteps = ((v.steps ?? []) as Obj[]).filter((s) => {
      if (s.type === 'start' || s.type === 'end' || s.type === 'break') return !front || s.type !== 'start';
      const t = { type: s.type as Kind, id: s.id as number };
      return !leaves(t) && !(front?.refs.some((r) => key(r) === key(t)) ?? false);
    });
    if (front) {
      const start = ownSteps.filter((s) => s.type === 'start');
      const rest = ownSteps.filter((s) => s.type !== 'start');
      v.steps = [...start, ...front.steps, ...rest];
    } else if (v.steps !== undefined) v.steps = ownSteps;
    if (Array.isArray(v.steps) && v.steps.length === 0) delete v.steps;
    const frontRefs = front?.refs ?? [];
    const frontKeys = new Set(frontRefs.map(key));
    warmStart[String(id)] = [...frontRefs, ...(previousRoutes.get(id) ?? []).filter((t) => !leaves(t) && !frontKeys.has(key(t)))];
  }
  return { problem, warmStart };
}
