import { openMapFile } from '/work/wt-15/dist/src/maps/open.js';
import { native } from '/work/wt-15/dist/src/native/index.js';
import * as h3 from 'h3-js';
const map = openMapFile('/tmp/wt15-maps/malta.wmap');
for (const res of [9, 10]) for (let rep = 0; rep < 2; rep++) {
let t = performance.now();
const r = native.isochrone(map.handle, Float64Array.from([14.5147, 35.8989]), { limits: Float64Array.from([1200]), lines: false, sampleStep: h3.getHexagonEdgeLengthAvg(res, 'm') / 2 });
const t1 = performance.now();
const s = r.samples; const cells = new Map();
for (let i = 0; i < s.length; i += 3) cells.set(h3.latLngToCell(s[i + 1], s[i], res), 1);
const t2 = performance.now();
const mp = h3.cellsToMultiPolygon([...cells.keys()], true);
const t3 = performance.now();
console.log({ res, native: (t1 - t).toFixed(0), samples: s.length / 3, index: (t2 - t1).toFixed(0), cells: cells.size, poly: (t3 - t2).toFixed(0) });
}
