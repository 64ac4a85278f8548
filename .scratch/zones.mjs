import { openMapFile } from '/work/wt-15/dist/src/maps/open.js';
import { zoneMatrixOnMap, zoneEtaOnMap } from '/work/wt-15/dist/src/zones/zones.js';
const map = openMapFile('/tmp/wt15-maps/malta.wmap');
const bbox = map.header.bbox;
for (const res of [7, 8]) {
  const t = performance.now();
  const z = zoneMatrixOnMap(map.handle, { resolution: res, bbox });
  const s = (performance.now() - t) / 1000;
  const nulls = z.durations.flat().filter((x) => x === null).length;
  console.log({ res, cells: z.cells.length, roadless: z.roadless.length, samples: z.points.flat().length, seconds: s.toFixed(2), nulls, d01: z.durations[0][1], c01: z.counts[0][1] });
}
const t = performance.now();
const e = zoneEtaOnMap(map.handle, { resolution: 8, bbox }, [14.5147, 35.8989]);
console.log('eta', ((performance.now() - t)/1000).toFixed(2), e.cells.length, e.cells.slice(0, 3));
