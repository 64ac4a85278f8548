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
  model.tasks.forEach((t, i) => {
    const listed = unassigned.has(`${t.kind}:${t.id}`);
    if (routeOfTask[i] < 0 && !listed) errors.push(`${t.kind} ${t.id} is neither served nor listed as unassigned`);
    if (routeOfTask[i] >= 0 && listed) errors.push(`${t.kind} ${t.id} is both served and listed as unassigned`);
  });
  if (sol.summary.cost !== totalCost) errors.push(`summary.cost ${sol.summary.cost} but routes add up to ${totalCost}`);
  if (sol.summary.unassigned !== sol.unassigned.length) errors.push('summary.unassigned does not match the unassigned list');
  return errors;
}
