/**
 * The independent checker: re-validates a VROOM-format solution against the problem using only the
 * TypeScript model and the matrices — none of the solver's code. It recomputes arrival times, waiting,
 * setup, loads, precedence, skills, breaks, limits and costs, and lists every violation.
 * Arithmetic is exact: matrices are unwrapped doubles and every sum is checked to stay a safe
 * integer, so a value the solver wrapped around 32 or 64 bits can never agree with the recomputation.
 */
import { stepBounds, type Model, type PlanStep } from './model.js';
import type { Violation, ViolationCause, VroomSolution } from './types.js';

const CAUSE_ORDER: ViolationCause[] = ['lead_time', 'delay', 'load', 'max_tasks', 'skills', 'precedence', 'missing_break', 'max_travel_time', 'max_load', 'max_distance'];

/** One entry per cause (durations added), in VROOM's order: the canonical form both sides are compared in. */
function canonical(list: Violation[]): string {
  const by = new Map<string, number | undefined>();
  for (const v of list) by.set(v.cause, v.duration === undefined ? by.get(v.cause) : (by.get(v.cause) ?? 0) + v.duration);
  return JSON.stringify(CAUSE_ORDER.filter((c) => by.has(c)).map((c) => [c, by.get(c) ?? null]));
}

/** Where a time lies against windows: inside (nothing), early for the next window (lead_time), or late (delay). */
function timing(begin: number, windows: [number, number][]): Violation | undefined {
  if (windows.some(([a, b]) => begin >= a && begin <= b)) return undefined;
  const next = windows.find(([a]) => a > begin);
  if (next) return { cause: 'lead_time', duration: next[0] - begin };
  return { cause: 'delay', duration: begin - windows[windows.length - 1][1] };
}

export function checkSolution(model: Model, sol: VroomSolution): string[] {
  const errors: string[] = [];
  const D = model.dims;
  const taskIndex = new Map<string, number>();
  model.tasks.forEach((t, i) => taskIndex.set(`${t.kind}:${t.id}`, i));
  const vehicleIndex = new Map<number, number>();
  model.vehicles.forEach((v, i) => vehicleIndex.set(v.id, i));
  const routeOfTask = new Array<number>(model.tasks.length).fill(-1);
  const usedVehicles = new Set<number>();
  let totalCost = 0;
  let inexact = false;
  const routeViolations: Violation[] = [];
  /** a + b, flagged when the result leaves the range where doubles are exact integers. */
  const add = (a: number, b: number): number => {
    const s = a + b;
    if (!Number.isSafeInteger(s)) inexact = true;
    return s;
  };

  const plan = model.mode === 'plan';
  // Solving: the steps pin tasks to vehicles.
  const pinnedTo = new Map<number, number>();
  model.vehicles.forEach((v, vi) => v.steps?.forEach((s) => s.task !== undefined && pinnedTo.set(s.task, vi)));
  sol.routes.forEach((route, r) => {
    const at = (i: number, msg: string) => errors.push(`routes[${r}].steps[${i}]: ${msg}`);
    // A soft constraint: an error when solving, an expected violation in plan mode.
    const expected: Violation[][] = route.steps.map(() => []);
    const routeExpected: Violation[] = [];
    const soft = (i: number, cause: ViolationCause, msg: string, duration?: number) => {
      if (!plan) return at(i, msg);
      expected[i].push(duration === undefined ? { cause } : { cause, duration });
    };
    const softRoute = (cause: ViolationCause, msg: string) => {
      if (!plan) return errors.push(`routes[${r}]: ${msg}`);
      routeExpected.push({ cause });
    };
    const vi = vehicleIndex.get(route.vehicle);
    if (vi === undefined) {
      errors.push(`routes[${r}]: unknown vehicle ${route.vehicle}`);
      return;
    }
    if (usedVehicles.has(vi)) errors.push(`routes[${r}]: vehicle ${route.vehicle} has two routes`);
    usedVehicles.add(vi);
    const v = model.vehicles[vi];
    const type = model.types[v.type];
    const n = model.locations;
    // The snap extension fields: where the model placed that location on this vehicle's map.
    const checkSnap = (s: (typeof route.steps)[number], loc: number, i: number) => {
      const p = loc >= 0 && s.type !== 'break' ? model.snapping?.placements[v.profile]?.[loc] : undefined;
      const expected = p && 'location' in p ? p : undefined;
      if (JSON.stringify(s.snapped_location) !== JSON.stringify(expected?.location) || s.snap_distance !== expected?.distance) {
        at(i, `snap ${JSON.stringify([s.snapped_location, s.snap_distance])}, expected ${JSON.stringify([expected?.location, expected?.distance])}`);
      }
    };
    const steps = route.steps;
    if (steps.length < 2 || steps[0].type !== 'start' || steps[steps.length - 1].type !== 'end') {
      errors.push(`routes[${r}]: must begin with a start step and finish with an end step`);
      return;
    }
    // Loads: deliveries of jobs ride from the start.
    let load = new Array<number>(D).fill(0);
    const tasksHere: number[] = [];
    for (const s of steps) {
      if (s.type === 'job' || s.type === 'pickup' || s.type === 'delivery') {
        const t = taskIndex.get(`${s.type}:${s.id}`);
        if (t === undefined) {
          errors.push(`routes[${r}]: unknown ${s.type} ${s.id}`);
          return;
        }
        tasksHere.push(t);
        if (model.tasks[t].kind === 'job') load = load.map((x, d) => x + model.tasks[t].delivery[d]);
      }
    }
    if (!plan && tasksHere.length > v.maxTasks) errors.push(`routes[${r}]: ${tasksHere.length} tasks exceed max_tasks ${v.maxTasks}`);
    // The vehicle's steps: in plan mode the route itself; when solving, pinned tasks in their order.
    const vSteps: PlanStep[] = v.steps ?? [];
    const middle = vSteps.filter((x) => x.type !== 'start' && x.type !== 'end');
    const stepOf = new Map<string, PlanStep>();
    for (const x of vSteps) stepOf.set(x.task !== undefined ? `t${x.task}` : x.break !== undefined ? `b${x.break}` : x.type, x);
    if (plan) {
      const listed = middle.map((x) => (x.task !== undefined ? `${model.tasks[x.task].kind}:${model.tasks[x.task].id}` : `break:${v.breaks[x.break!].id}`));
      const got = steps.slice(1, -1).map((x) => `${x.type}:${x.id}`);
      if (JSON.stringify(listed) !== JSON.stringify(got)) errors.push(`routes[${r}]: steps ${got.join(',')} differ from vehicle ${v.id}'s steps ${listed.join(',')}`);
    } else {
      const ranks = new Map(middle.filter((x) => x.task !== undefined).map((x, k) => [x.task!, k]));
      let last = -1;
      for (const t of tasksHere) {
        const k = ranks.get(t);
        if (k === undefined) continue;
        if (k < last) errors.push(`routes[${r}]: ${model.tasks[t].kind} ${model.tasks[t].id} is served out of the order of vehicle ${v.id}'s steps`);
        last = k;
      }
      // A break the steps place after k pinned tasks comes after those present and before the others.
      let pinnedSeen = 0;
      steps.forEach((x, i) => {
        if (x.type === 'job' || x.type === 'pickup' || x.type === 'delivery') {
          const t = taskIndex.get(`${x.type}:${x.id}`)!;
          if (ranks.has(t)) pinnedSeen++;
        } else if (x.type === 'break') {
          const b = v.breaks.findIndex((y) => y.id === x.id);
          const placed = stepOf.get(`b${b}`);
          if (!placed) return;
          const k = middle.slice(0, middle.indexOf(placed)).filter((y) => y.task !== undefined && tasksHere.includes(y.task)).length;
          if (pinnedSeen !== k) at(i, `break ${x.id} comes after ${pinnedSeen} of the pinned tasks, its step places it after ${k}`);
        }
      });
    }
    // Hard bounds of a step (service_at / service_after / service_before), in both modes.
    const bounded = (i: number, key: string, begin: number) => {
      const x = stepOf.get(key);
      if (!x || (x.after === undefined && x.before === undefined)) return;
      const [lo, hi] = stepBounds(x);
      if (begin < lo || begin > hi) at(i, `service starts at ${begin}, outside the bounds [${lo}, ${hi}] of ${x.path}`);
    };
    let here = v.start;
    let previousLocation = v.start;
    let travel = 0;
    let distance = 0;
    let cost = tasksHere.length > 0 ? v.fixed : 0;
    let departure = steps[0].arrival;
    {
      const off = timing(steps[0].arrival, [v.window]);
      if (off) soft(0, off.cause, `starts at ${steps[0].arrival}, outside the vehicle's time window`, off.duration);
      bounded(0, 'start', steps[0].arrival);
    }
    const breaksTaken = new Set<number>();
    const pickedUp = new Set<number>();
    let tasksSoFar = 0;
    steps.forEach((s, i) => {
      if (s.waiting_time < 0) at(i, 'negative waiting time');
      if (i === 0) {
        if (s.load.some((x, d) => x !== load[d])) at(i, `load ${JSON.stringify(s.load)} differs from ${JSON.stringify(load)}`);
        departure = add(s.arrival, s.waiting_time);
        checkSnap(s, v.start, i);
        return;
      }
      let loc = here;
      let t = -1;
      if (s.type === 'job' || s.type === 'pickup' || s.type === 'delivery') {
        t = taskIndex.get(`${s.type}:${s.id}`)!;
        loc = model.tasks[t].location;
      } else if (s.type === 'end') {
        loc = v.end >= 0 ? v.end : here;
      }
      // Travel (none to a break, none to a missing end).
      const moves = s.type !== 'break' && !(s.type === 'end' && v.end < 0) && here >= 0 && loc >= 0;
      if (moves && type.noRoute?.[here * n + loc]) at(i, `travels from location ${here} to ${loc}, between which the map has no route`);
      if (moves) {
        travel = add(travel, type.duration[here * n + loc]);
        distance = add(distance, type.distance[here * n + loc]);
        cost = add(cost, type.cost[here * n + loc]);
      }
      const expectedArrival = add(departure, moves ? type.duration[here * n + loc] : 0);
      if (s.arrival !== expectedArrival) at(i, `arrival ${s.arrival} but travel gives ${expectedArrival}`);
      if (s.duration !== travel) at(i, `duration ${s.duration} but travel so far is ${travel}`);
      if (s.distance !== distance) at(i, `distance ${s.distance} but travel so far is ${distance}`);
      const begin = add(s.arrival, s.waiting_time);
      if (t >= 0) {
        const task = model.tasks[t];
        if (routeOfTask[t] >= 0) errors.push(`${task.kind} ${task.id} is served twice`);
        if (!plan && pinnedTo.has(t) && pinnedTo.get(t) !== vi) at(i, `${task.kind} ${task.id} is listed in the steps of another vehicle`);
        bounded(i, `t${t}`, begin);
        if (type.reach && !type.reach[t]) at(i, `vehicle ${v.id} cannot place ${task.kind} ${task.id} on its road network`);
        routeOfTask[t] = r;
        const off = timing(begin, task.windows);
        if (off) soft(i, off.cause, `service starts at ${begin}, outside every time window of ${task.kind} ${task.id}`, off.duration);
        const setup = previousLocation === loc ? 0 : task.setup;
        if (s.setup !== setup) at(i, `setup ${s.setup}, expected ${setup}`);
        if (s.service !== task.service) at(i, `service ${s.service}, expected ${task.service}`);
        if (!task.skills.every((k) => v.skills.includes(k))) soft(i, 'skills', `vehicle ${v.id} lacks a skill of ${task.kind} ${task.id}`);
        if (task.kind === 'pickup') pickedUp.add(t);
        if (task.kind === 'delivery' && !pickedUp.has(task.partner)) soft(i, 'precedence', `delivery ${task.id} before its pickup (or in another route)`);
        if (task.kind === 'pickup' && plan) {
          const later = steps.slice(i + 1).some((y) => y.type === 'delivery' && y.id === model.tasks[task.partner].id);
          if (!later) soft(i, 'precedence', `pickup ${task.id} without its delivery later in the route`);
        }
        tasksSoFar++;
        if (plan && tasksSoFar > v.maxTasks) soft(i, 'max_tasks', `more than max_tasks ${v.maxTasks} tasks`);
        cost = add(cost, Number((BigInt(v.perTaskHour) * BigInt(s.setup + s.service) + 1800n) / 3600n));
        if (task.kind === 'job') load = load.map((x, d) => x - task.delivery[d] + task.pickup[d]);
        if (task.kind === 'pickup') load = load.map((x, d) => x + task.pickup[d]);
        if (task.kind === 'delivery') load = load.map((x, d) => x - task.delivery[d]);
        previousLocation = loc;
        departure = add(add(begin, s.setup), s.service);
      } else if (s.type === 'break') {
        const b = v.breaks.find((x) => x.id === s.id);
        if (!b) at(i, `vehicle ${v.id} has no break ${s.id}`);
        else {
          if (breaksTaken.has(b.id)) at(i, `break ${b.id} taken twice`);
          breaksTaken.add(b.id);
          const off = timing(begin, b.windows);
          if (off) soft(i, off.cause, `break ${b.id} starts at ${begin}, outside its time windows`, off.duration);
          if (s.service !== b.service) at(i, `break service ${s.service}, expected ${b.service}`);
          if (b.maxLoad && load.some((x, d) => x > b.maxLoad![d])) soft(i, 'max_load', `load ${JSON.stringify(load)} during break ${b.id} exceeds its max_load ${JSON.stringify(b.maxLoad)}`);
          bounded(i, `b${v.breaks.indexOf(b)}`, begin);
        }
        departure = add(begin, s.service);
      } else if (s.type === 'end') {
        if (!plan && s.waiting_time !== 0) at(i, 'waiting before the end');
        const off = timing(begin, [v.window]);
        if (off) soft(i, off.cause, `route ends at ${begin}, outside the vehicle's time window`, off.duration);
        bounded(i, 'end', begin);
      } else {
        at(i, `unexpected ${s.type} step`);
      }
      checkSnap(s, s.type === 'end' && v.end < 0 ? -1 : loc, i);
      if (s.load.some((x, d) => x !== load[d])) at(i, `load ${JSON.stringify(s.load)} differs from ${JSON.stringify(load)}`);
      if (load.some((x, d) => x < 0) && !plan) at(i, `load ${JSON.stringify(load)} is negative`);
      if (load.some((x, d) => x > v.capacity[d])) soft(i, 'load', `load ${JSON.stringify(load)} exceeds capacity ${JSON.stringify(v.capacity)}`);
      here = loc;
    });
    if (plan && steps[0].load.some((x, d) => x > v.capacity[d])) expected[0].push({ cause: 'load' });
    for (const t of tasksHere) {
      const task = model.tasks[t];
      if (!plan && task.kind === 'pickup' && routeOfTask[task.partner] !== r) errors.push(`shipment pickup ${task.id} and its delivery are not in the same route`);
    }
    if (tasksHere.length > 0 && breaksTaken.size !== v.breaks.length) softRoute('missing_break', `vehicle ${v.id} takes ${breaksTaken.size} of its ${v.breaks.length} breaks`);
    if (travel > v.maxTravelTime) softRoute('max_travel_time', `travel time ${travel} exceeds max_travel_time ${v.maxTravelTime}`);
    if (distance > v.maxDistance) softRoute('max_distance', `distance ${distance} exceeds max_distance ${v.maxDistance}`);
    // Violations: exactly the expected ones, per step and for the route (never any when solving).
    steps.forEach((x, i) => {
      if (!Array.isArray(x.violations)) return at(i, 'violations must be an array');
      if (canonical(x.violations) !== canonical(expected[i])) at(i, `violations ${canonical(x.violations)}, expected ${canonical(expected[i])}`);
    });
    if (!Array.isArray(route.violations) || canonical(route.violations) !== canonical([...expected.flat(), ...routeExpected])) {
      errors.push(`routes[${r}]: violations ${JSON.stringify(route.violations)}, expected ${canonical([...expected.flat(), ...routeExpected])}`);
    }
    routeViolations.push(...(route.violations ?? []));
    if (route.cost !== cost) errors.push(`routes[${r}]: cost ${route.cost} but recomputed ${cost}`);
    totalCost = add(totalCost, cost);
  });
  if (inexact) errors.push('a schedule, distance or cost sum leaves the exactly representable integer range');
  const unassigned = new Set(sol.unassigned.map((u) => `${u.type}:${u.id}`));
  errors.push(...checkUnassigned(model, sol));
  model.tasks.forEach((t, i) => {
    const listed = unassigned.has(`${t.kind}:${t.id}`);
    if (routeOfTask[i] < 0 && !listed) errors.push(`${t.kind} ${t.id} is neither served nor listed as unassigned`);
    if (routeOfTask[i] >= 0 && listed) errors.push(`${t.kind} ${t.id} is both served and listed as unassigned`);
  });
  if (sol.summary.cost !== totalCost) errors.push(`summary.cost ${sol.summary.cost} but routes add up to ${totalCost}`);
  if (canonical(sol.summary.violations ?? []) !== canonical(routeViolations)) errors.push('summary.violations do not add up the routes\' violations');
  if (!plan) {
    for (const [t] of pinnedTo) if (routeOfTask[t] < 0) errors.push(`${model.tasks[t].kind} ${model.tasks[t].id} is listed in a vehicle's steps but not served`);
  }
  if (sol.summary.unassigned !== sol.unassigned.length) errors.push('summary.unassigned does not match the unassigned list');
  errors.push(...checkSnappingSummary(model, sol));
  return errors;
}

const CODES = new Set(['NoSegment', 'NoRoute', 'Skills', 'Capacity', 'Constraints', 'NoFeasiblePlace', 'NotPlanned']);

/**
 * Unassigned tasks: each names a real task at its own location with a known code; a task that no
 * vehicle type can place on its road network (nor its shipment partner) is listed with NoSegment or
 * NoRoute, the placement's own message and the failing field's path, and only such tasks carry those codes.
 */
function checkUnassigned(model: Model, sol: VroomSolution): string[] {
  const errors: string[] = [];
  const unplaceable = (t: number) => model.types.length > 0 && model.types.every((type) => type.reach !== undefined && type.reach[t] === 0);
  const failuresOf = (t: number) =>
    model.types.map((type) => model.snapping?.placements[type.profile]?.[model.tasks[t].location]).filter((p) => p !== undefined && 'code' in p) as { code: string; message: string }[];
  const listed = new Map(sol.unassigned.map((u) => [`${u.type}:${u.id}`, u]));
  sol.unassigned.forEach((u, k) => {
    const at = `unassigned[${k}]`;
    const t = model.tasks.findIndex((x) => x.kind === u.type && x.id === u.id);
    if (t < 0) return errors.push(`${at}: no ${u.type} ${u.id}`);
    const task = model.tasks[t];
    const expectedLocation = model.coordinates ? { location: model.coordinates[task.location] } : { location_index: task.location };
    if (JSON.stringify(u.location) !== JSON.stringify(expectedLocation.location) || u.location_index !== (expectedLocation as { location_index?: number }).location_index) {
      errors.push(`${at}: location does not match ${u.type} ${u.id}`);
    }
    if (!CODES.has(u.code)) errors.push(`${at}: unknown code ${u.code}`);
    const own = unplaceable(t);
    const viaPartner = !own && task.partner >= 0 && unplaceable(task.partner);
    if ((u.code === 'NoSegment' || u.code === 'NoRoute') !== (own || viaPartner)) {
      errors.push(`${at}: code ${u.code}, but ${u.type} ${u.id} ${own || viaPartner ? 'cannot' : 'can'} be placed on the road network`);
    }
    if (own || viaPartner) {
      const failures = failuresOf(own ? t : task.partner);
      if (failures.length === 0) errors.push(`${at}: ${u.type} ${u.id} cannot be placed, yet no placement failure is recorded`);
      else {
        if (failures[0].code !== u.code) errors.push(`${at}: code ${u.code}, but the placement failed with ${failures[0].code}`);
        if (!failures.every((f) => u.reason.includes(f.message))) errors.push(`${at}: reason '${u.reason}' does not give the placement failure`);
      }
      const field = `${model.tasks[own ? t : task.partner].path}.location`;
      if (u.path !== field || !u.reason.includes(`${field} (`)) errors.push(`${at}: path '${u.path}' and reason must name ${field}`);
    } else if (u.path !== undefined) {
      errors.push(`${at}: path '${u.path}' on a task that can be placed`);
    }
  });
  model.tasks.forEach((task, t) => {
    if (unplaceable(t) && !listed.has(`${task.kind}:${task.id}`)) errors.push(`${task.kind} ${task.id} cannot be placed on the road network but is not listed as unassigned`);
  });
  return errors;
}

/** summary.snapping, recomputed from the placements. */
function checkSnappingSummary(model: Model, sol: VroomSolution): string[] {
  const s = model.snapping;
  const got = sol.summary.snapping;
  if (!s) return got ? ['summary.snapping given for a problem that was not snapped'] : [];
  if (!got) return ['summary.snapping is missing'];
  const best: number[] = [];
  let unplaced = 0;
  for (let i = 0; i < model.locations; i++) {
    const all = Object.values(s.placements).map((p) => p[i]);
    const ds = all.flatMap((p) => ('location' in p ? [p.distance] : []));
    if (ds.length > 0) best.push(Math.max(...ds));
    else if (all.some((p) => 'code' in p && p.code === 'NoSegment')) unplaced++;
  }
  const errors: string[] = [];
  const over = best.filter((d) => d > s.threshold).length;
  const max = best.length > 0 ? Math.max(...best) : 0;
  if (got.over_threshold !== over) errors.push(`summary.snapping.over_threshold ${got.over_threshold}, recomputed ${over}`);
  if (got.max_distance !== max) errors.push(`summary.snapping.max_distance ${got.max_distance}, recomputed ${max}`);
  if (got.unplaced !== unplaced) errors.push(`summary.snapping.unplaced ${got.unplaced}, recomputed ${unplaced}`);
  if (got.threshold !== s.threshold) errors.push('summary.snapping.threshold differs from the problem\'s');
  return errors;
}
