import { openMapFile } from '/work/wt-15/dist/src/maps/open.js';
import { native } from '/work/wt-15/dist/src/native/index.js';
import * as h3 from 'h3-js';
const map = openMapFile('/tmp/wt15-maps/malta.wmap');
let t = performance.now();
const r = native.isochrone(map.handle, Float64Array.from([14.5147, 35.8989]), { limits: Float64Array.from([600]) });
console.log('native', performance.now() - t, r.contours[0].coordinates.length / 2);
t = performance.now();
const c = r.contours[0].coordinates; const cells = new Set();
for (let i = 0; i < c.length; i += 2) cells.add(h3.latLngToCell(c[i + 1], c[i], 10));
console.log('h3 index', performance.now() - t, cells.size);
t = performance.now();
const mp = h3.cellsToMultiPolygon([...cells], true);
console.log('multipolygon', performance.now() - t, mp.length, mp.map(p => p.length));
for (let rep = 0; rep < 2; rep++) {
t = performance.now();
const cells2 = new Set();
for (let i = 0; i < c.length; i += 2) cells2.add(h3.latLngToCell(c[i + 1], c[i], 10));
console.log('h3 index again', performance.now() - t, cells2.size);
t = performance.now();
h3.cellsToMultiPolygon([...cells2], true);
console.log('multipolygon again', performance.now() - t);
t = performance.now();
for (const x of cells2) h3.cellToBoundary(x, true);
console.log('boundaries', performance.now() - t);
}
