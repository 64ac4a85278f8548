/**
 * The independent checker: re-validates a VROOM-format solution against the problem using only the
 * TypeScript model and the matrices — none of the solver's code. It recomputes arrival times, waiting,
 * setup, loads, precedence, skills, breaks, limits and costs, and lists every violation.
 * Arithmetic is exact: matrices are unwrapped doubles and every sum is checked to stay a safe
 * integer, so a value the solver wrapped around 32 or 64 bits can never agree with the recomputation.
 */
import type { Model } from './model.js';
import type { VroomSolution } from './types.js';

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
  /** a + b, flagged when the result leaves the range where doubles are exact integers. */
  const add = (a: number, b: number): number => {
    const s = a + b;
    if (!Number.isSafeInteger(s)) inexact = true;
    return s;
  };

  sol.routes.forEach((route, r) => {
    const at = (i: number, msg: string) => errors.push(`routes[${r}].steps[${i}]: ${msg}`);
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
    if (tasksHere.length > v.maxTasks) errors.push(`routes[${r}]: ${tasksHere.length} tasks exceed max_tasks ${v.maxTasks}`);
    let here = v.start;
    let previousLocation = v.start;
    let travel = 0;
    let distance = 0;
    let cost = tasksHere.length > 0 ? v.fixed : 0;
    let departure = steps[0].arrival;
    if (steps[0].arrival < v.window[0]) at(0, `starts at ${steps[0].arrival}, before the vehicle's time window`);
    const breaksTaken = new Set<number>();
    const pickedUp = new Set<number>();
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
        if (type.reach && !type.reach[t]) at(i, `vehicle ${v.id} cannot place ${task.kind} ${task.id} on its road network`);
        routeOfTask[t] = r;
        if (!task.windows.some(([a, b]) => begin >= a && begin <= b)) at(i, `service starts at ${begin}, outside every time window of ${task.kind} ${task.id}`);
        const setup = previousLocation === loc ? 0 : task.setup;
        if (s.setup !== setup) at(i, `setup ${s.setup}, expected ${setup}`);
        if (s.service !== task.service) at(i, `service ${s.service}, expected ${task.service}`);
        if (!task.skills.every((k) => v.skills.includes(k))) at(i, `vehicle ${v.id} lacks a skill of ${task.kind} ${task.id}`);
        if (task.kind === 'pickup') pickedUp.add(t);
        if (task.kind === 'delivery' && !pickedUp.has(task.partner)) at(i, `delivery ${task.id} before its pickup (or in another route)`);
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
          if (!b.windows.some(([a, c]) => begin >= a && begin <= c)) at(i, `break ${b.id} starts at ${begin}, outside its time windows`);
          if (s.service !== b.service) at(i, `break service ${s.service}, expected ${b.service}`);
        }
        departure = add(begin, s.service);
      } else if (s.type === 'end') {
        if (s.arrival > v.window[1]) at(i, `route ends at ${s.arrival}, after the vehicle's time window`);
      } else {
        at(i, `unexpected ${s.type} step`);
      }
      checkSnap(s, s.type === 'end' && v.end < 0 ? -1 : loc, i);
      if (s.load.some((x, d) => x !== load[d])) at(i, `load ${JSON.stringify(s.load)} differs from ${JSON.stringify(load)}`);
      if (load.some((x, d) => x > v.capacity[d] || x < 0)) at(i, `load ${JSON.stringify(load)} exceeds capacity ${JSON.stringify(v.capacity)}`);
      here = loc;
    });
    for (const t of tasksHere) {
      const task = model.tasks[t];
      if (task.kind === 'pickup' && routeOfTask[task.partner] !== r) errors.push(`shipment pickup ${task.id} and its delivery are not in the same route`);
    }
    if (tasksHere.length > 0 && breaksTaken.size !== v.breaks.length) errors.push(`routes[${r}]: vehicle ${v.id} takes ${breaksTaken.size} of its ${v.breaks.length} breaks`);
    if (travel > v.maxTravelTime) errors.push(`routes[${r}]: travel time ${travel} exceeds max_travel_time ${v.maxTravelTime}`);
    if (distance > v.maxDistance) errors.push(`routes[${r}]: distance ${distance} exceeds max_distance ${v.maxDistance}`);
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
  if (sol.summary.unassigned !== sol.unassigned.length) errors.push('summary.unassigned does not match the unassigned list');
  errors.push(...checkSnappingSummary(model, sol));
  return errors;
}

const CODES = new Set(['NoSegment', 'NoRoute', 'Skills', 'Capacity', 'Constraints', 'NoFeasiblePlace']);

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
