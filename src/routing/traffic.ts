/** Live traffic: names of the installed traffic metrics (native/metric/traffic.h builds them). */

/** The process-wide key of live-traffic metric `version` of a map. */
export function trafficKey(version: number | 'latest'): string {
  return `traffic:${version}`;
}
