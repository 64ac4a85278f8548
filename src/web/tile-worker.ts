/**
 * The road-tile worker thread: keeps one geojson-vt index per profile (for the map version last asked
 * for; a new version replaces it) and answers cut requests with MVT bytes, transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { InlineCutter, type TileSource } from './road-tiles.js';

const cutter = new InlineCutter();

parentPort!.on('message', (m: { id: number; source: TileSource; z: number; x: number; y: number }) => {
  cutter.cut(m.source, m.z, m.x, m.y).then(
    (r) => {
      // A fresh copy so the whole buffer can be transferred.
      const data = r.data.slice();
      parentPort!.postMessage({ id: m.id, data, ms: r.ms, indexMs: r.indexMs }, [data.buffer]);
    },
    (err: { code?: string; message?: string }) => {
      parentPort!.postMessage({ id: m.id, error: { code: err.code ?? 'InternalError', message: err.message ?? String(err) } });
    },
  );
});
