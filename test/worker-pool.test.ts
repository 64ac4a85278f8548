/**
 * Closing a pool right after start: worker threads are terminated only once they have loaded the
 * worker module (terminating one mid-load, inside Piscina's synchronous require of the ES module,
 * aborted a whole test process once on Node 20). A server started and closed within a second (as
 * the deployment checks do) must not depend on luck.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryPool } from '../src/server/pool.js';
import { WORKER_LOADED } from '../src/workers/loaded.js';

describe('worker pool shutdown', () => {
  it('destroy() right after start waits for every thread to load, then stops them all', async () => {
    for (let round = 0; round < 5; round++) {
      const pool = new QueryPool(2, 16, 10_000);
      const loaded = new Set<number>();
      pool.piscina.on('message', (m: Record<string, unknown>) => {
        if (m && WORKER_LOADED in m) loaded.add(Number(m[WORKER_LOADED]));
      });
      const threads = pool.piscina.threads.map((t) => t.threadId);
      assert.equal(threads.length, 2, 'the pool starts its threads at once');
      await pool.destroy();
      assert.deepEqual([...loaded].sort(), [...threads].sort(), `round ${round}: every thread had loaded before it was stopped`);
      assert.equal(pool.piscina.threads.length, 0, 'no thread is left running');
    }
  });
});
