/**
 * Readers for classic VRP benchmark files, turned into VROOM-format problems with matrices, plus
 * each set's own cost convention (../shared/data/vrp/SOURCES.md):
 * - Solomon, Gehring–Homberger, CMT, Li & Lim: real-valued Euclidean distances. The solver works on
 *   integers scaled by SCALE (1000): travel times are rounded up (so a schedule feasible for the
 *   solver is feasible with exact distances), costs rounded; the reported cost is recomputed with
 *   exact doubles.
 * - CVRPLIB X and Augerat: every edge nint(euclid), integer; scale 1, cost exact.
 * Objectives: Solomon, X, Augerat and CMT minimise distance (their BKS in bks.csv are by distance).
 * Li & Lim's BKS are hierarchical (fewest vehicles, then distance), so its vehicles carry a fixed
 * cost (LILIM_VEHICLE_COST) larger than any route plan's distance: one vehicle fewer always wins.
 * The reported cost stays the pure Euclidean distance.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { VroomProblem, VroomSolution } from '../src/vrp/types.js';

export const SCALE = 1000;

export interface Instance {
  set: string;
  name: string;
  problem: VroomProblem;
  /** What the solver is given to minimise (the set's BKS convention). */
  objective: 'distance' | 'vehicles, then distance';
  /** Cost of a solution under the set's convention. */
  cost(solution: VroomSolution): number;
}

function euclid(a: number[], b: number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function routeCost(solution: VroomSolution, edge: (i: number, j: number) => number): number {
  let total = 0;
  for (const r of solution.routes) {
    const idx = r.steps.map((s) => s.location_index!).filter((x) => x !== undefined);
    for (let k = 1; k < idx.length; k++) total += edge(idx[k - 1], idx[k]);
  }
  return total;
}

function realMatrices(points: number[][]) {
  const n = points.length;
  const durations = points.map((a) => points.map((b) => Math.ceil(euclid(a, b) * SCALE - 1e-9)));
  const costs = points.map((a) => points.map((b) => Math.round(euclid(a, b) * SCALE)));
  return { n, durations, costs };
}

/** Solomon and Gehring–Homberger (.txt with VEHICLE / CUSTOMER sections). */
export function readSolomon(path: string, set: string): Instance {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const vIdx = lines.findIndex((l) => l.startsWith('NUMBER'));
  const [number, capacity] = lines[vIdx + 1].split(/\s+/).map(Number);
  const rows = lines.slice(lines.findIndex((l) => l.startsWith('CUST')) + 1).map((l) => l.split(/\s+/).map(Number)).filter((r) => r.length >= 7 && r.every(Number.isFinite));
  const points = rows.map((r) => [r[1], r[2]]);
  const { durations, costs } = realMatrices(points);
  const depot = rows[0];
  const problem: VroomProblem = {
    vehicles: Array.from({ length: number }, (_, i) => ({ id: i + 1, start_index: 0, end_index: 0, capacity: [capacity], time_window: [depot[4] * SCALE, depot[5] * SCALE] })),
    jobs: rows.slice(1).map((r, i) => ({ id: r[0], location_index: i + 1, delivery: [r[3]], service: r[6] * SCALE, time_windows: [[r[4] * SCALE, r[5] * SCALE]] })),
    matrices: { car: { durations, costs } },
  };
  return { set, name: basename(path).replace(/\.txt$/i, ''), problem, objective: 'distance', cost: (s) => routeCost(s, (i, j) => euclid(points[i], points[j])) };
}

/**
 * Li & Lim's vehicle fixed cost, in solver units: 100,000 distance units, more than the total length
 * of any plan there (100 tasks in a 100 x 100 square: at most ~110 arcs of at most 142).
 */
export const LILIM_VEHICLE_COST = 100_000 * SCALE;

/** Li & Lim PDPTW (.txt: "K Q S" then id x y demand ready due service pickup delivery). */
export function readLiLim(path: string): Instance {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const [number, capacity] = lines[0].split(/\s+/).map(Number);
  const rows = lines.slice(1).map((l) => l.split(/\s+/).map(Number));
  const points = rows.map((r) => [r[1], r[2]]);
  const { durations, costs } = realMatrices(points);
  const depot = rows[0];
  const step = (r: number[]) => ({ id: r[0], location_index: r[0], service: r[6] * SCALE, time_windows: [[r[4] * SCALE, r[5] * SCALE] as [number, number]] });
  const shipments = rows.slice(1).filter((r) => r[3] > 0).map((r) => ({ amount: [r[3]], pickup: step(r), delivery: step(rows[r[8]]) }));
  const problem: VroomProblem = {
    vehicles: Array.from({ length: number }, (_, i) => ({
      id: i + 1,
      start_index: 0,
      end_index: 0,
      capacity: [capacity],
      time_window: [depot[4] * SCALE, depot[5] * SCALE] as [number, number],
      costs: { fixed: LILIM_VEHICLE_COST },
    })),
    shipments,
    matrices: { car: { durations, costs } },
  };
  return { set: 'lilim', name: basename(path).replace(/\.txt$/i, ''), problem, objective: 'vehicles, then distance', cost: (s) => routeCost(s, (i, j) => euclid(points[i], points[j])) };
}

/** CVRPLIB / TSPLIB .vrp (EUC_2D): X, Augerat (nint per edge) and CMT (real, with DISTANCE and SERVICE_TIME). */
export function readVrplib(path: string, set: string): Instance {
  const text = readFileSync(path, 'utf8');
  const field = (key: string) => new RegExp(`^\\s*${key}\\s*:\\s*(.+)$`, 'm').exec(text)?.[1].trim();
  const n = Number(field('DIMENSION'));
  const capacity = Number(field('CAPACITY'));
  const maxDistance = field('DISTANCE') ? Number(field('DISTANCE')) : undefined;
  const serviceTime = field('SERVICE_TIME') ? Number(field('SERVICE_TIME')) : 0;
  const section = (name: string) => {
    const start = text.indexOf(name);
    const body = text.slice(start + name.length).split(/\r?\n/).slice(1);
    const out: number[][] = [];
    for (const line of body) {
      const parts = line.trim().split(/\s+/).filter((x) => x.length > 0);
      if (parts.length === 0) continue;
      if (!/^-?\d/.test(parts[0])) break;
      out.push(parts.map(Number));
    }
    return out;
  };
  const coords = section('NODE_COORD_SECTION').slice(0, n);
  const demands = section('DEMAND_SECTION').slice(0, n);
  const depotId = section('DEPOT_SECTION')[0][0];
  const order = [depotId, ...coords.map((c) => c[0]).filter((id) => id !== depotId)];
  const pointOf = new Map(coords.map((c) => [c[0], [c[1], c[2]]]));
  const demandOf = new Map(demands.map((d) => [d[0], d[1]]));
  const points = order.map((id) => pointOf.get(id)!);
  const real = set === 'cmt';
  const integer = (a: number[], b: number[]) => Math.round(euclid(a, b));
  const matrices = real ? realMatrices(points) : { durations: points.map((a) => points.map((b) => integer(a, b))), costs: undefined };
  const scale = real ? SCALE : 1;
  const vehicles = Array.from({ length: n - 1 }, (_, i) => ({
    id: i + 1,
    start_index: 0,
    end_index: 0,
    capacity: [capacity],
    ...(maxDistance !== undefined ? { time_window: [0, Math.floor(maxDistance * scale)] as [number, number] } : {}),
  }));
  const problem: VroomProblem = {
    vehicles,
    jobs: order.slice(1).map((id, i) => ({ id, location_index: i + 1, delivery: [demandOf.get(id)!], service: serviceTime * scale })),
    matrices: { car: { durations: matrices.durations, ...(matrices.costs ? { costs: matrices.costs } : {}) } },
  };
  return {
    set,
    name: basename(path).replace(/\.vrp$/i, ''),
    problem,
    objective: 'distance',
    cost: (s) => routeCost(s, real ? (i, j) => euclid(points[i], points[j]) : (i, j) => integer(points[i], points[j])),
  };
}

/** Reads a file by extension and content; the set is named after its folder. */
export function readInstance(path: string): Instance {
  const folder = basename(path.replace(/\/[^/]+$/, ''));
  const set = ['solomon', 'cvrplib-x', 'cmt', 'augerat', 'lilim'].includes(folder) ? folder : 'other';
  if (path.endsWith('.vrp')) return readVrplib(path, set);
  const head = readFileSync(path, 'utf8').slice(0, 200);
  if (/VEHICLE/.test(head)) return readSolomon(path, set === 'other' ? 'solomon' : set);
  return readLiLim(path);
}
