/**
 * Waymark's extension to VROOM vehicles: `"exclude": ["toll", ...]` and `"custom_model": {...}`
 * (GraphHopper's JSON), so each vehicle's matrix and route geometry come from the metric it names.
 * A vehicle with either gets a profile of its own ("car~<metric key>"): vehicles sharing profile and
 * metric share one matrix, as vehicles sharing a profile do in VROOM.
 */
import { WaymarkError } from '../errors.js';
import { resolveProfileName } from '../profiles/index.js';
import { validateCustomModel, type CustomModel } from '../routing/custom-model.js';
import { canonicalExclude, EXCLUDE_CLASSES, metricKey, type MetricRequest } from '../routing/metric.js';

export interface VehicleMetrics {
  /** The problem with those vehicles' profiles rewritten and the two fields removed. */
  problem: Record<string, unknown>;
  /** Per rewritten profile: the served profile it derives from and the metric. */
  profiles: Record<string, { base: string; metric: MetricRequest }>;
}

/** Validates and splits out vehicles' exclude / custom_model (errors name vehicles[i].field paths, code InvalidCustomModel or InvalidValue). */
export function splitVehicleMetrics(problem: Record<string, unknown>): VehicleMetrics {
  const vehicles = problem.vehicles;
  const profiles: VehicleMetrics['profiles'] = {};
  if (!Array.isArray(vehicles)) return { problem, profiles };
  let changed = false;
  const out = vehicles.map((v: unknown, i: number) => {
    if (typeof v !== 'object' || v === null) return v;
    const { exclude, custom_model: customModel, ...rest } = v as Record<string, unknown>;
    if (exclude === undefined && customModel === undefined) return v;
    const metric: MetricRequest = {};
    if (exclude !== undefined) {
      if (!Array.isArray(exclude) || exclude.some((c) => !(EXCLUDE_CLASSES as readonly unknown[]).includes(c))) {
        throw new WaymarkError('InvalidValue', `vehicles[${i}].exclude: must be an array of ${EXCLUDE_CLASSES.join(', ')}`);
      }
      if (exclude.length) metric.exclude = canonicalExclude(exclude as string[]);
    }
    if (customModel !== undefined) {
      validateCustomModel(customModel, `vehicles[${i}].custom_model`);
      metric.customModel = customModel as CustomModel;
    }
    const key = metricKey(metric);
    if (!key) return rest;
    if (problem.matrices !== undefined) throw new WaymarkError('InvalidValue', `vehicles[${i}]: exclude and custom_model need matrices computed from the map (no "matrices" given)`);
    const base = resolveProfileName(typeof rest.profile === 'string' ? rest.profile : 'car');
    const profile = `${base}~${key}`;
    profiles[profile] = { base, metric };
    changed = true;
    return { ...rest, profile };
  });
  return { problem: changed || out.some((v, i) => v !== vehicles[i]) ? { ...problem, vehicles: out } : problem, profiles };
}
