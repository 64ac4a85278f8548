import { openMapFile } from '/work/wt-15/dist/src/maps/open.js';
import { isochroneOnMap } from '/work/wt-15/dist/src/routing/isochrone.js';
const map = openMapFile(process.argv[2]);
const loc = JSON.parse(process.argv[3]);
for (const contours of [[10], [5, 10, 15, 20]]) {
  const t0 = performance.now();
  const r = isochroneOnMap(map.handle, { location: loc, contours_minutes: contours, generalize: 10 });
  const t1 = performance.now();
  console.log(contours, (t1 - t0).toFixed(1), 'ms', r.features.map((f) => [f.properties.area_km2, f.properties.cells, f.geometry.coordinates.length, f.geometry.coordinates.reduce((a, p) => a + p.length - 1, 0), JSON.stringify(f).length]));
}
