/**
 * `waymark bench vrp <files or dirs> [--time-limit S] [--bks csv] [--json]`: solves benchmark
 * instances, re-checks every solution with the independent checker (solveVroom does), and prints
 * cost under the set's convention, vehicles, seconds and the gap to the best-known solution; then
 * mean and max gap per set. Solomon gaps are against the distance BKS; Li & Lim has only
 * hierarchical BKS (fewest vehicles first) and is solved for that objective (a fixed cost per
 * vehicle; the cost printed is the distance): its summary also counts the instances at the BKS's
 * vehicle count and their mean distance gap.
 * `--cpu-time`: the time limit is a CPU budget (time limit x threads CPU-seconds of the process),
 * so that figures measured on a shared machine, or with several instances in parallel, are those
 * of a quiet machine with `--threads` cores. `--search sisr|hgs|portfolio` overrides the solver's
 * default search, to compare them.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { solveVroom } from '../src/vrp/solve.js';
import { readInstance } from './vrp-instances.js';

const defaultBks = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'vrp', 'bks.csv');

interface Bks {
  cost: number;
  vehicles: number;
  objective: string;
}

function readBks(path: string): Map<string, Bks> {
  const out = new Map<string, Bks>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/).slice(1)) {
    const [set, instance, vehicles, cost, objective] = line.split(',');
    if (!set) continue;
    const key = `${set}/${instance}`;
    // Prefer the distance objective where a set has both.
    if (!out.has(key) || objective === 'distance') out.set(key, { cost: Number(cost), vehicles: Number(vehicles), objective });
  }
  return out;
}

function listFiles(inputs: string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (statSync(input).isDirectory()) {
      for (const f of readdirSync(input).sort()) if (/\.(txt|vrp)$/i.test(f) && !/^(README|SOURCES)/i.test(f)) files.push(join(input, f));
    } else files.push(input);
  }
  return files;
}

export function benchVrp(inputs: string[], options: { timeLimit: number; bks?: string; json: boolean; seed: number; runToTimeLimit?: boolean; cpuTime?: boolean; threads?: number; search?: 'sisr' | 'hgs' | 'portfolio' }) {
  const bks = readBks(options.bks ?? defaultBks);
  const rows: { set: string; name: string; cost: number; vehicles: number; seconds: number; cpu_seconds: number; gap: number | null; bks_objective: string | null; bks_vehicles: number | null; iterations: number; stop: string }[] = [];
  const objectives = new Map<string, string>();
  for (const file of listFiles(inputs)) {
    const inst = readInstance(file);
    objectives.set(inst.set, inst.objective);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const { solution } = solveVroom(inst.problem, {
      timeLimit: options.timeLimit,
      seed: options.seed,
      ...(options.runToTimeLimit ? { runToTimeLimit: true } : {}),
      ...(options.cpuTime ? { cpuTimeLimit: true } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.search ? { search: options.search } : {}),
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const cost = inst.cost(solution);
    const ref = bks.get(`${inst.set}/${inst.name}`);
    const gap = ref ? ((cost - ref.cost) / ref.cost) * 100 : null;
    const search = solution.summary.search;
    const row = { set: inst.set, name: inst.name, cost, vehicles: solution.summary.routes, seconds, cpu_seconds: cpuSeconds, gap, bks_objective: ref?.objective ?? null, bks_vehicles: ref?.vehicles ?? null, unassigned: solution.summary.unassigned, iterations: search.iterations, stop: search.stop_reason };
    rows.push(row);
    if (!options.json) {
      process.stdout.write(
        `${inst.set.padEnd(10)} ${inst.name.padEnd(14)} cost ${cost.toFixed(2).padStart(10)}  vehicles ${String(row.vehicles).padStart(3)}  ${seconds.toFixed(1).padStart(6)} s ${cpuSeconds.toFixed(1).padStart(6)} CPU-s  ${String(search.iterations).padStart(8)} it ${String(search.stop_reason).padEnd(10)} gap ${gap === null ? '   n/a' : gap.toFixed(2).padStart(6) + ' %'}${ref && ref.objective !== 'distance' ? ` (vs ${ref.objective} BKS, ${ref.vehicles} vehicles)` : ''}${row.unassigned ? `  UNASSIGNED ${row.unassigned}` : ''}\n`,
      );
    }
  }
  const sets = [...new Set(rows.map((r) => r.set))].map((set) => {
    const gaps = rows.filter((r) => r.set === set && r.gap !== null).map((r) => r.gap!);
    const secs = rows.filter((r) => r.set === set).map((r) => r.seconds);
    const atVehicles = rows.filter((r) => r.set === set && r.gap !== null && r.bks_objective === 'hierarchical' && r.vehicles === r.bks_vehicles).map((r) => r.gap!);
    return {
      set,
      objective: objectives.get(set)!,
      instances: secs.length,
      at_bks_vehicles: atVehicles.length,
      mean_gap_at_bks_vehicles: atVehicles.length ? atVehicles.reduce((a, b) => a + b, 0) / atVehicles.length : null,
      mean_gap: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
      max_gap: gaps.length ? Math.max(...gaps) : null,
      mean_seconds: secs.reduce((a, b) => a + b, 0) / secs.length,
    };
  });
  const allGaps = rows.filter((r) => r.gap !== null).map((r) => r.gap!);
  const mean_gap = allGaps.length ? allGaps.reduce((a, b) => a + b, 0) / allGaps.length : null;
  if (options.json) {
    process.stdout.write(JSON.stringify({ instances: rows.map(({ set, name, cost, vehicles, seconds, cpu_seconds, gap, bks_vehicles, iterations, stop }) => ({ set, name, cost, vehicles, seconds, cpu_seconds, gap, bks_vehicles, iterations, stop })), mean_gap, sets }) + '\n');
  } else {
    for (const s of sets) {
      const hierarchical = rows.some((r) => r.set === s.set && r.bks_objective === 'hierarchical')
        ? `, ${s.at_bks_vehicles} at the BKS's vehicle count (mean distance gap there ${s.mean_gap_at_bks_vehicles?.toFixed(2) ?? 'n/a'} %)`
        : '';
      process.stdout.write(
        `set ${s.set} (objective: ${s.objective}): ${s.instances} instances, mean gap ${s.mean_gap?.toFixed(2) ?? 'n/a'} %, max gap ${s.max_gap?.toFixed(2) ?? 'n/a'} %${hierarchical}, mean ${s.mean_seconds.toFixed(1)} s\n`,
      );
    }
  }
  return { rows, sets, mean_gap };
}
