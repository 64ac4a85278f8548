/**
 * Plan mode (VROOM's `-c`): no search. Each vehicle's `steps` are its route, exactly in that order;
 * Waymark chooses the times (service as early as its windows allow, never outside the steps' own
 * service_at / service_after / service_before, which stay hard) and reports loads and every
 * violated constraint, per step and per route, with VROOM's causes. Tasks no vehicle lists are
 * unassigned (`NotPlanned`).
 */
import { stepBounds, UNLIMITED, VrpInputError, type Model, type PlanStep, type Vehicle } from './model.js';
import { mergeViolations, type NativeVrpRoute, type NativeVrpSolution } from './output.js';
import type { Violation, Window } from './types.js';

const STEP_CODE = { start: 0, job: 1, pickup: 2, delivery: 3, break: 4, end: 5 } as const;

/**
 * The service start for a step that can begin at `arrival`, inside its hard bounds [lo, hi]: the
 * first window still open, waiting for it if needed. Earliness (lead_time) only when the bounds
 * forbid waiting for the window; lateness (delay) when every window closed before.
 */
function place(arrival: number, windows: Window[], [lo, hi]: Window, path: string): { begin: number; violation?: Violation } {
  const earliest = Math.max(arrival, lo);
  if (earliest > hi) {
    throw new VrpInputError(path, `service_before ${hi} cannot be honoured: the vehicle can be there at ${earliest} at the earliest`);
  }
  for (const [a, b] of windows) {
    if (b < earliest) continue;
    const begin = Math.max(earliest, a);
    if (begin <= hi) return { begin };
    return { begin: hi, violation: { cause: 'lead_time', duration: a - hi } };
  }
  const last = windows[windows.length - 1][1];
  return { begin: earliest, violation: { cause: 'delay', duration: earliest - last } };
}

/** Taskless bounds of the vehicle's start or end step. */
function boundsOf(step: PlanStep | undefined): Window {
  return step ? stepBounds(step) : [0, UNLIMITED];
}

function planRoute(model: Model, vi: number, breakOffset: number): NativeVrpRoute {
  const v: Vehicle = model.vehicles[vi];
  const steps = v.steps!;
  const type = model.types[v.type];
  const n = model.locations;
  const D = model.dims;
  const first = steps[0]?.type === 'start' ? steps[0] : undefined;
  const last = steps.length > 0 && steps[steps.length - 1].type === 'end' ? steps[steps.length - 1] : undefined;
  const middle = steps.filter((s) => s.type !== 'start' && s.type !== 'end');
  const taskSteps = middle.filter((s) => s.task !== undefined);
  const fields: number[] = [];
  const loads: number[] = [];
  const stepViolations: Violation[][] = [];
  const routeOnly: Violation[] = [];

  let load = new Array<number>(D).fill(0);
  for (const s of taskSteps) {
    const t = model.tasks[s.task!];
    if (t.kind === 'job') load = load.map((x, d) => x + t.delivery[d]);
  }
  const overCapacity = () => load.some((x, d) => x > v.capacity[d]);
  let here = v.start;
  let previousLocation = v.start;
  let travel = 0;
  let distance = 0;
  let cost = 0;
  let tasksDone = 0;
  const picked = new Set<number>();
  const push = (code: number, id: number, location: number, arrival: number, waiting: number, setup: number, service: number, violations: Violation[]) => {
    fields.push(code, id, location, arrival, waiting, setup, service, travel, distance);
    loads.push(...load);
    stepViolations.push(violations);
  };

  // Start: as early as the vehicle's window and the step's bounds allow.
  const start = place(-Infinity, [v.window], boundsOf(first), first?.path ?? `vehicles[${vi}]`);
  let time = start.begin;
  push(STEP_CODE.start, -1, v.start, time, 0, 0, 0, [...(start.violation ? [start.violation] : []), ...(overCapacity() ? [{ cause: 'load' as const }] : [])]);

  for (const s of middle) {
    const violations: Violation[] = [];
    if (s.type === 'break') {
      const b = v.breaks[s.break!];
      const at = place(time, b.windows, stepBounds(s), s.path);
      if (at.violation) violations.push(at.violation);
      if (b.maxLoad && load.some((x, d) => x > b.maxLoad![d])) violations.push({ cause: 'max_load' });
      if (overCapacity()) violations.push({ cause: 'load' });
      push(STEP_CODE.break, breakOffset + s.break!, here, time, at.begin - time, 0, b.service, violations);
      time = at.begin + b.service;
      continue;
    }
    const ti = s.task!;
    const task = model.tasks[ti];
    if (type.reach && !type.reach[ti]) throw new VrpInputError(`${s.path}.id`, `vehicle ${v.id} cannot reach ${task.kind} ${task.id} on its road network`);
    const loc = task.location;
    if (here >= 0) {
      travel += type.duration[here * n + loc];
      distance += type.distance[here * n + loc];
      cost += type.cost[here * n + loc];
    }
    const arrival = time + (here >= 0 ? type.duration[here * n + loc] : 0);
    const at = place(arrival, task.windows, stepBounds(s), s.path);
    if (at.violation) violations.push(at.violation);
    const setup = previousLocation === loc ? 0 : task.setup;
    cost += Number((BigInt(v.perTaskHour) * BigInt(setup + task.service) + 1800n) / 3600n);
    if (task.kind === 'job') load = load.map((x, d) => x - task.delivery[d] + task.pickup[d]);
    else if (task.kind === 'pickup') load = load.map((x, d) => x + task.pickup[d]);
    else load = load.map((x, d) => x - task.delivery[d]);
    tasksDone++;
    if (overCapacity()) violations.push({ cause: 'load' });
    if (tasksDone > v.maxTasks) violations.push({ cause: 'max_tasks' });
    if (!task.skills.every((k) => v.skills.includes(k))) violations.push({ cause: 'skills' });
    if (task.kind === 'pickup') {
      picked.add(ti);
      const later = taskSteps.slice(taskSteps.indexOf(s) + 1).some((x) => x.task === task.partner);
      if (!later) violations.push({ cause: 'precedence' });
    }
    if (task.kind === 'delivery' && !picked.has(task.partner)) violations.push({ cause: 'precedence' });
    push(STEP_CODE[task.kind], ti, loc, arrival, at.begin - arrival, setup, task.service, violations);
    time = at.begin + setup + task.service;
    here = loc;
    previousLocation = loc;
  }

  // End: travel back (when the vehicle has an end), then the vehicle's window and the step's bounds.
  if (here >= 0 && v.end >= 0) {
    travel += type.duration[here * n + v.end];
    distance += type.distance[here * n + v.end];
    cost += type.cost[here * n + v.end];
    time += type.duration[here * n + v.end];
  }
  const end = place(time, [v.window], boundsOf(last), last?.path ?? `vehicles[${vi}]`);
  const endViolations: Violation[] = end.violation ? [end.violation] : [];
  if (overCapacity()) endViolations.push({ cause: 'load' });
  push(STEP_CODE.end, -1, v.end, time, end.begin - time, 0, 0, endViolations);
  if (taskSteps.length > 0) cost += v.fixed;

  const listedBreaks = new Set(middle.filter((s) => s.break !== undefined).map((s) => s.break));
  if (listedBreaks.size < v.breaks.length) routeOnly.push({ cause: 'missing_break' });
  if (travel > v.maxTravelTime) routeOnly.push({ cause: 'max_travel_time' });
  if (distance > v.maxDistance) routeOnly.push({ cause: 'max_distance' });
  return {
    vehicle: vi,
    cost,
    feasible: true,
    steps: Float64Array.from(fields),
    loads: Float64Array.from(loads),
    violations: { steps: stepViolations, route: mergeViolations([...stepViolations, routeOnly]) },
  };
}

/** The plan of every vehicle that has steps, in the native solver's output shape. */
export function planSolution(model: Model): NativeVrpSolution {
  const routes: NativeVrpRoute[] = [];
  const listed = new Set<number>();
  let breakOffset = 0;
  model.vehicles.forEach((v, vi) => {
    const hasTask = (v.steps ?? []).some((s) => s.task !== undefined);
    if (hasTask) {
      const r = planRoute(model, vi, breakOffset);
      routes.push(r);
      for (const s of v.steps!) if (s.task !== undefined) listed.add(s.task);
    }
    breakOffset += v.breaks.length;
  });
  const unassigned = model.tasks.flatMap((_, t) => (listed.has(t) ? [] : [{ task: t, reason: "plan mode: no vehicle's steps list it" }]));
  return { cost: routes.reduce((c, r) => c + r.cost, 0), routes, unassigned, iterations: 0, improvements: 0, secondsFirstSolution: 0, secondsTotal: 0, stopReason: 'plan', timeLimit: 0 };
}
