/**
 * Request fields that pick other weights: `exclude` (road classes to avoid) and `custom_model`
 * (GraphHopper's custom-model JSON), on POST /route, POST /matrix and VRP vehicles. Validated here,
 * in the main thread, so a bad model is a 400 naming its field path before any work is queued.
 */
import { validateCustomModel, type CustomModel } from '../routing/custom-model.js';
import { canonicalExclude, EXCLUDE_CLASSES, type MetricRequest } from '../routing/metric.js';

export const excludeSchema = {
  type: 'array',
  items: { enum: [...EXCLUDE_CLASSES] },
  uniqueItems: true,
  description: 'road classes to avoid: no route uses them and no point snaps onto them (NoRoute when every way needs one)',
} as const;

export const customModelSchema = {
  type: 'object',
  description:
    'GraphHopper custom model: priority and speed statements (if / else_if / else with multiply_by or limit_to; conditions on road_class, road_class_link, road_environment, toll, surface, road_access, max_speed) and distance_influence (s/km). Durations stay travel times; the weight minimised is reported as weight.',
  additionalProperties: true,
} as const;

/** The metric a request names, or undefined for the served weights. */
export function metricRequestOf(exclude: string[] | undefined, customModel: unknown, path = 'custom_model'): MetricRequest | undefined {
  const out: MetricRequest = {};
  if (exclude?.length) out.exclude = canonicalExclude(exclude);
  if (customModel !== undefined) {
    validateCustomModel(customModel, path);
    out.customModel = customModel as CustomModel;
  }
  return out.exclude || out.customModel ? out : undefined;
}
