/**
 * An upper bound on the bytes of a VROOM-format solution's JSON (without route geometry), known
 * from the problem alone: the server refuses a problem whose answer cannot fit its byte limit
 * before solving or queueing it (a few KB of problem can ask for hundreds of MB of answer through
 * many capacity dimensions, repeated in every step's load).
 */
import { WaymarkError } from '../errors.js';
import type { Model } from './model.js';

/** The longest JSON number text the output can hold ("-1.2345678901234567e-300"). */
const WIDEST = -1.2345678901234567e-300;

const templateBytes = (o: unknown) => JSON.stringify(o).length;
const STEP = templateBytes({
  type: 'delivery',
  location: [WIDEST, WIDEST],
  location_index: WIDEST,
  setup: WIDEST,
  service: WIDEST,
  waiting_time: WIDEST,
  load: [],
  arrival: WIDEST,
  duration: WIDEST,
  distance: WIDEST,
  snapped_location: [WIDEST, WIDEST],
  snap_distance: WIDEST,
  id: WIDEST,
  description: '',
});
const ROUTE = templateBytes({
  vehicle: WIDEST,
  description: '',
  cost: WIDEST,
  delivery: [],
  pickup: [],
  setup: WIDEST,
  service: WIDEST,
  duration: WIDEST,
  waiting_time: WIDEST,
  priority: WIDEST,
  distance: WIDEST,
  steps: [],
});
/**
 * Reasons: the solver's (under 100 characters), or a placement failure: a prefix naming the field
 * and task (with the partner's wording), then per failing profile a coordinate, the profile and the
 * snapping message.
 */
const REASON_PREFIX = 150;
const REASON_PER_PROFILE = 250;
const UNASSIGNED = templateBytes({
  id: WIDEST,
  type: 'delivery',
  location: [WIDEST, WIDEST],
  location_index: WIDEST,
  description: '',
  reason: '',
  code: 'NoFeasiblePlace',
  path: 'shipments[12345678901].delivery.location',
});
const SUMMARY = templateBytes({
  code: WIDEST,
  summary: {
    cost: WIDEST,
    routes: WIDEST,
    unassigned: WIDEST,
    delivery: [],
    pickup: [],
    setup: WIDEST,
    service: WIDEST,
    duration: WIDEST,
    waiting_time: WIDEST,
    priority: WIDEST,
    distance: WIDEST,
    computing_times: { loading: WIDEST, solving: WIDEST, routing: WIDEST },
    snapping: { radius: WIDEST, threshold: WIDEST, over_threshold: WIDEST, max_distance: WIDEST, unplaced: WIDEST },
  },
  unassigned: [],
  routes: [],
});

/** Bytes of a JSON string for text (escapes included), or 0 when absent. */
const textBytes = (s: string | undefined) => (s === undefined ? 0 : JSON.stringify(s).length);

/**
 * At least the length of the solution's JSON for any solution of this model (validated with or
 * without matrices). Every task appears once (a step or an unassigned entry), every break at most
 * once, every vehicle at most one route with a start and an end step; a load never exceeds the sum
 * of the problem's amounts in its dimension.
 */
export function vrpAnswerBytesBound(model: Pick<Model, 'dims' | 'tasks' | 'vehicles'>): number {
  const totals = new Array<number>(model.dims).fill(0);
  for (const t of model.tasks) for (let d = 0; d < model.dims; d++) totals[d] += t.delivery[d] + t.pickup[d];
  // One amount vector: each number's digits and its comma.
  const amounts = totals.reduce((n, x) => n + String(x).length + 1, 0);
  const profiles = new Set(model.vehicles.map((v) => v.profile)).size;
  let bytes = SUMMARY + 2 * amounts;
  for (const t of model.tasks) {
    const step = STEP + amounts + textBytes(t.description) + 1;
    const unassigned = UNASSIGNED + textBytes(t.description) + REASON_PREFIX + REASON_PER_PROFILE * profiles + 1;
    bytes += Math.max(step, unassigned);
  }
  for (const v of model.vehicles) {
    bytes += ROUTE + 2 * amounts + textBytes(v.description) + 1;
    bytes += 2 * (STEP + amounts + 1);
    for (const b of v.breaks) bytes += STEP + amounts + textBytes(b.description) + 1;
  }
  return bytes;
}

/** Refuses (TooBig) a problem whose answer could exceed maxBytes. */
export function checkVrpAnswerBytes(model: Pick<Model, 'dims' | 'tasks' | 'vehicles'>, maxBytes: number): void {
  const bound = vrpAnswerBytesBound(model);
  if (bound > maxBytes) {
    throw new WaymarkError('TooBig', `the solution could take up to ${bound} bytes of JSON (${model.tasks.length} tasks, ${model.vehicles.length} vehicles, ${model.dims} capacity dimensions), over the limit of ${maxBytes}`);
  }
}
