/**
 * Which weights a query runs on. Every map serves its own weights, or the live-traffic metric the
 * server installed (named by the task's map reference, "path#checksum@t<version>"); a request may
 * add excluded road classes and/or a custom model on top (MetricRequest). Each distinct metric is
 * customized once per process (native LRU, shared by the worker threads) and queried through a
 * handle that behaves exactly like a map handle.
 */
import { WaymarkError } from '../errors.js';
import { isNativeError, native, type MapHandle } from '../native/index.js';
import { compileCustomModel, customModelKey, type CustomModel } from './custom-model.js';

export const EXCLUDE_CLASSES = ['motorway', 'toll', 'ferry', 'unpaved'] as const;
export type ExcludeClass = (typeof EXCLUDE_CLASSES)[number];

/** What a request asks of the metric beyond the served weights. */
export interface MetricRequest {
  exclude?: ExcludeClass[];
  customModel?: CustomModel;
}

/** Exclude classes sorted and deduplicated: one metric per distinct set. */
export function canonicalExclude(classes: readonly string[]): ExcludeClass[] {
  return [...new Set(classes)].sort() as ExcludeClass[];
}

/** The canonical description of a metric request ('' = the served weights). */
export function metricKey(req: MetricRequest | undefined): string {
  if (!req) return '';
  const parts: string[] = [];
  if (req.exclude?.length) parts.push(`exclude:${canonicalExclude(req.exclude).join(',')}`);
  if (req.customModel) parts.push(`model:${customModelKey(req.customModel)}`);
  return parts.join('|');
}

function nativeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isNativeError(err)) throw new WaymarkError(err.code, err.message);
    throw err;
  }
}

/**
 * The handle to query for `req` on `base` (a map, or the traffic metric of one): `base` itself when
 * nothing is asked; otherwise the cached metric, customized on first use.
 */
export function metricHandle(base: MapHandle, req: MetricRequest | undefined): MapHandle {
  const key = metricKey(req);
  if (!key) return base;
  return nativeCall(() => {
    const found = native.metricOf(base, key);
    if (found) return found;
    const model = req!.customModel ? compileCustomModel(base, req!.customModel) : undefined;
    return native.metricOf(base, key, { ...(req!.exclude?.length ? { exclude: canonicalExclude(req!.exclude) } : {}), ...(model ?? {}) })!;
  });
}

/** True when answers on `req` report something other than travel time as weight (custom models). */
export function hasMetric(req: MetricRequest | undefined): boolean {
  return metricKey(req) !== '';
}
