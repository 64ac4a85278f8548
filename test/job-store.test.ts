/**
 * One test suite for the job-store interface, run against both implementations: SQLite (in a temp
 * directory) and PostgreSQL (a throw-away cluster). Then what only a shared store has: concurrent
 * migrations, concurrent claims and idempotent creates from several connections, notifications.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrations as pgMigrations, PostgresJobStore } from '../src/jobs/postgres-store.js';
import { SqliteJobStore } from '../src/jobs/sqlite-store.js';
import type { JobStore } from '../src/jobs/store.js';
import { tempDir } from './helpers.js';
import { startPgCluster, type PgCluster } from './postgres-helpers.js';

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const HOUR = 3600_000;

interface Backend {
  name: string;
  /** A fresh, empty store (its own file or database). */
  make(): Promise<JobStore>;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

const dirs: string[] = [];
let cluster: PgCluster | undefined;
let databases = 0;

const backends: Backend[] = [
  {
    name: 'SQLite',
    setup: async () => undefined,
    make: async () => {
      const dir = tempDir('waymark-store-');
      dirs.push(dir);
      const store = new SqliteJobStore(dir);
      await store.open();
      return store;
    },
    teardown: async () => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  },
  {
    name: 'PostgreSQL',
    setup: async () => {
      cluster = await startPgCluster();
    },
    make: async () => {
      const db = `jobs_${++databases}`;
      cluster!.psql(`CREATE DATABASE ${db}`);
      const store = new PostgresJobStore(cluster!.url.replace(/\/postgres$/, `/${db}`));
      await store.open();
      return store;
    },
    teardown: async () => cluster?.destroy(),
  },
];

for (const backend of backends) {
  describe(`job store: ${backend.name}`, () => {
    const open: JobStore[] = [];
    const fresh = async () => {
      const s = await backend.make();
      open.push(s);
      return s;
    };
    before(() => backend.setup());
    after(async () => {
      for (const s of open) await s.close();
      await backend.teardown();
    });

    it('numbers the versions of a job (replans) atomically, finds each, and keys them like submissions', async () => {
      const store = await fresh();
      const { job: root } = await store.create('{"p":1}', '{}', undefined, HOUR);
      assert.deepEqual([root.version, root.root_id], [1, null]);
      const next = { rootId: root.id, request: '{"jobs":[]}' };
      const v2 = await store.create('{"p":2}', '{}', 'replan-key', HOUR, undefined, next);
      assert.deepEqual([v2.created, v2.job.version, v2.job.root_id], [true, 2, root.id]);
      // The key compares the replan request (the derived problem may differ on a retry).
      const again = await store.create('{"p":2b}', '{}', 'replan-key', HOUR, undefined, next);
      assert.deepEqual([again.created, again.job.id], [false, v2.job.id]);
      await assert.rejects(store.create('{"p":2}', '{}', 'replan-key', HOUR, undefined, { rootId: root.id, request: '{"jobs":[1]}' }), { code: 'IdempotencyConflict' });
      // Concurrent replans get distinct, consecutive numbers.
      const many = await Promise.all([0, 1, 2, 3, 4].map((i) => store.create(`{"p":${i}}`, '{}', undefined, HOUR, undefined, next)));
      assert.deepEqual(many.map((m) => m.job.version).sort((a, b) => a - b), [3, 4, 5, 6, 7]);
      assert.equal((await store.getVersion(root.id))!.version, 7);
      assert.equal((await store.getVersion(root.id, 1))!.id, root.id);
      assert.equal((await store.getVersion(root.id, 2))!.id, v2.job.id);
      assert.equal(await store.getVersion(root.id, 8), undefined);
      await assert.rejects(store.create('{}', '{}', undefined, HOUR, undefined, { rootId: '00000000-0000-4000-8000-000000000000', request: '{}' }), { code: 'NotFound' });
    });

    it('creates, reads and counts jobs', async () => {
      const store = await fresh();
      const { job, created } = await store.create('{"vehicles":[]}', '{}', undefined, HOUR);
      assert.equal(created, true);
      assert.equal(job.status, 'queued');
      assert.equal(job.attempts, 0);
      assert.equal(typeof job.created_at, 'number');
      const again = await store.get(job.id);
      assert.equal(again?.problem, '{"vehicles":[]}');
      assert.equal(await store.get('00000000-0000-0000-0000-000000000000'), undefined);
      assert.equal(await store.get('not-a-uuid'), undefined);
      assert.deepEqual(await store.counts(), { queued: 1, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
    });

    it('idempotency: same key and body, same job; other body, IdempotencyConflict; expired key, new job', async () => {
      const store = await fresh();
      const a = await store.create('p', 'o', 'k1', HOUR);
      const b = await store.create('p', 'o', 'k1', HOUR);
      assert.equal(b.created, false);
      assert.equal(b.job.id, a.job.id);
      await assert.rejects(store.create('p2', 'o', 'k1', HOUR), { code: 'IdempotencyConflict' });
      await sleep(20);
      const c = await store.create('p2', 'o', 'k1', 10);
      assert.equal(c.created, true, 'an expired key starts afresh');
      assert.notEqual(c.job.id, a.job.id);
      assert.equal((await store.create('p2', 'o', 'k1', HOUR)).job.id, c.job.id);
    });

    it('keeps the trace context of the submitting request with the job, claimed rows included', async () => {
      const store = await fresh();
      const context = JSON.stringify({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' });
      const traced = await store.create('traced', '{}', 'kt', HOUR, context);
      assert.equal(traced.job.trace_context, context);
      assert.equal((await store.get(traced.job.id))!.trace_context, context);
      const untraced = (await store.create('untraced', '{}', undefined, HOUR)).job;
      assert.equal(untraced.trace_context, null);
      const replay = await store.create('traced', '{}', 'kt', HOUR, JSON.stringify({ traceparent: 'another request' }));
      assert.equal(replay.created, false);
      assert.equal(replay.job.trace_context, context, 'a replayed key returns the job as first submitted');
      const claimed = await store.claimNext('me', 60_000);
      assert.equal(claimed!.id, traced.job.id);
      assert.equal(claimed!.trace_context, context, 'the runner links its span from the claimed row');
      assert.equal((await store.claimNext('me', 60_000))!.trace_context, null);
    });

    it('50 concurrent creates with one key make one job', async () => {
      const store = await fresh();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.create('same', '{}', 'dup', HOUR)));
      assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal((await store.counts()).queued, 1);
    });

    it('claims in FIFO order under a lease, one runner per job', async () => {
      const store = await fresh();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await store.create(`p${i}`, '{}', undefined, HOUR)).job.id);
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimNext(`owner-${i % 3}`, 60_000)));
      const claimed = claims.filter((j) => j !== undefined);
      assert.equal(claimed.length, 6, 'two claims found the queue empty');
      assert.deepEqual(claimed.map((j) => j!.id).sort(), [...ids].sort(), 'every job claimed exactly once');
      for (const j of claimed) {
        assert.equal(j!.status, 'running');
        assert.equal(j!.attempts, 1);
        assert.ok(j!.lease_until! > Date.now() + 50_000);
      }
      const store2 = await fresh();
      const first = (await store2.create('a', '{}', undefined, HOUR)).job.id;
      await sleep(2);
      await store2.create('b', '{}', undefined, HOUR);
      assert.equal((await store2.claimNext('x', 1000))!.id, first, 'oldest first');
    });

    it('heartbeats extend leases, store progress, report cancels and lost leases', async () => {
      const store = await fresh();
      const a = (await store.create('a', '{}', undefined, HOUR)).job;
      const b = (await store.create('b', '{}', undefined, HOUR)).job;
      await store.claimNext('me', 1000);
      await store.claimNext('other', 1000);
      await store.requestCancel(a.id);
      const beat = await store.heartbeat('me', new Map<string, unknown>([[a.id, { best_cost: 12 }], [b.id, { best_cost: 1 }]]), 60_000);
      assert.deepEqual(beat, { cancel: [a.id], lost: [b.id] });
      const row = (await store.get(a.id))!;
      assert.deepEqual(JSON.parse(row.progress!), { best_cost: 12 });
      assert.ok(row.lease_until! > Date.now() + 50_000);
      assert.equal(row.status, 'running', 'a running job asked to cancel stays running until its runner stops');
    });

    it('expired leases: re-queued, cancelled if asked, failed after max attempts', async () => {
      const store = await fresh();
      const plain = (await store.create('plain', '{}', undefined, HOUR)).job;
      const asked = (await store.create('asked', '{}', undefined, HOUR)).job;
      const live = (await store.create('live', '{}', undefined, HOUR)).job;
      await store.claimNext('dead', 1);
      await store.claimNext('dead', 1);
      await store.claimNext('alive', 60_000);
      await store.requestCancel(asked.id);
      await sleep(20);
      assert.deepEqual(await store.requeueExpired(3), { requeued: 1, cancelled: 1, failed: 0 });
      assert.equal((await store.get(plain.id))!.status, 'queued');
      assert.equal((await store.get(plain.id))!.owner, null);
      assert.equal((await store.get(asked.id))!.status, 'cancelled');
      assert.equal((await store.get(live.id))!.status, 'running', 'a live lease is left alone');
      assert.equal(await store.finish(plain.id, 'dead', 'succeeded', '{}', null), false, 'the dead owner cannot record a result');
      // Two more deaths: the third expired attempt fails the job instead of looping forever.
      for (let i = 0; i < 2; i++) {
        assert.equal((await store.claimNext('dead', 1))!.id, plain.id);
        await sleep(20);
        await store.requeueExpired(3);
      }
      const failed = (await store.get(plain.id))!;
      assert.equal(failed.status, 'failed');
      assert.equal(JSON.parse(failed.error!).code, 'JobAbandoned');
      assert.equal(failed.attempts, 3);
    });

    it('finish is fenced by the owner; release hands jobs back', async () => {
      const store = await fresh();
      const a = (await store.create('a', '{}', undefined, HOUR)).job;
      const b = (await store.create('b', '{}', undefined, HOUR)).job;
      await store.claimNext('me', 60_000);
      await store.claimNext('me', 60_000);
      assert.equal(await store.finish(a.id, 'someone-else', 'succeeded', '{"x":1}', null), false);
      assert.equal(await store.finish(a.id, 'me', 'succeeded', '{"x":1}', null), true);
      assert.equal(await store.finish(a.id, 'me', 'failed', null, { code: 'X', message: 'y' }), false, 'recorded once');
      const done = (await store.get(a.id))!;
      assert.equal(done.status, 'succeeded');
      assert.equal(done.result, '{"x":1}');
      assert.ok(done.finished_at! >= done.started_at!);
      assert.equal(await store.release('me'), 1);
      const back = (await store.get(b.id))!;
      assert.equal(back.status, 'queued');
      assert.equal(back.owner, null);
      assert.equal((await store.claimNext('next', 1000))!.attempts, 2);
    });

    it('cancel: queued at once, running flagged, finished unchanged, unknown undefined', async () => {
      const store = await fresh();
      const q = (await store.create('q', '{}', undefined, HOUR)).job;
      const r = (await store.create('r', '{}', undefined, HOUR)).job;
      const d = (await store.create('d', '{}', undefined, HOUR)).job;
      const cancelled = (await store.requestCancel(q.id))!;
      assert.equal(cancelled.status, 'cancelled');
      assert.ok(cancelled.finished_at);
      await store.claimNext('me', 60_000);
      await store.claimNext('me', 60_000);
      await store.finish(d.id, 'me', 'succeeded', '{}', null);
      const flagged = (await store.requestCancel(r.id))!;
      assert.equal(flagged.status, 'running');
      assert.equal(flagged.cancel_requested, 1);
      assert.equal((await store.requestCancel(d.id))!.status, 'succeeded');
      assert.equal(await store.requestCancel('00000000-0000-0000-0000-000000000000'), undefined);
    });

    it('purges finished jobs past retention and expired keys', async () => {
      const store = await fresh();
      const done = (await store.create('d', '{}', 'kd', HOUR)).job;
      const queued = (await store.create('q', '{}', undefined, HOUR)).job;
      await store.claimNext('me', 60_000);
      await store.finish(done.id, 'me', 'succeeded', '{}', null);
      await sleep(20);
      assert.deepEqual(await store.purge(HOUR, HOUR), { jobs: 0, keys: 0 });
      assert.deepEqual(await store.purge(5, 5), { jobs: 1, keys: 1 });
      assert.equal(await store.get(done.id), undefined);
      assert.equal((await store.get(queued.id))!.status, 'queued', 'unfinished jobs are never purged');
    });
  });
}

describe('job store: SQLite schema upgrades', () => {
  it('a database at version 2 (before trace contexts) gets the trace_context column; its jobs run on', async () => {
    const dir = tempDir('waymark-store-upgrade-');
    try {
      // The schema as user_version 2 left it.
      const old = new Database(join(dir, 'jobs.sqlite'));
      old.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        started_at INTEGER, finished_at INTEGER, problem TEXT NOT NULL, options TEXT NOT NULL, body_hash TEXT NOT NULL, result TEXT,
        error TEXT, progress TEXT, attempts INTEGER NOT NULL DEFAULT 0, cancel_requested INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until INTEGER);
        CREATE INDEX jobs_queue ON jobs (status, created_at);
        CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, job_id TEXT NOT NULL, created_at INTEGER NOT NULL);
        PRAGMA user_version = 2;`);
      old.prepare("INSERT INTO jobs (id, status, created_at, updated_at, problem, options, body_hash) VALUES ('old', 'queued', 1, 1, '{}', '{}', 'h')").run();
      old.close();
      const store = new SqliteJobStore(dir);
      await store.open();
      try {
        const claimed = (await store.claimNext('me', 60_000))!;
        assert.equal(claimed.id, 'old');
        assert.equal(claimed.trace_context, null);
        assert.deepEqual([claimed.version, claimed.root_id], [1, null], 'old jobs are version 1 of themselves');
        const { job } = await store.create('new', '{}', undefined, HOUR, '{"traceparent":"x"}');
        assert.equal((await store.get(job.id))!.trace_context, '{"traceparent":"x"}');
      } finally {
        await store.close();
      }
      const check = new Database(join(dir, 'jobs.sqlite'), { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), 4, 'trace contexts (3), then versions (4)');
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('job store: PostgreSQL shared by several replicas', () => {
  let pg: PgCluster;
  const stores: PostgresJobStore[] = [];
  before(async () => {
    pg = await startPgCluster();
  });
  after(async () => {
    for (const s of stores) await s.close();
    pg.destroy();
  });
  const connect = (db: string) => {
    const s = new PostgresJobStore(pg.url.replace(/\/postgres$/, `/${db}`));
    stores.push(s);
    return s;
  };

  it('replicas starting together migrate once, under the advisory lock', async () => {
    pg.psql('CREATE DATABASE shared_migrate');
    const replicas = Array.from({ length: 6 }, () => connect('shared_migrate'));
    const applied = await Promise.all(replicas.map((s) => s.migrate()));
    assert.deepEqual(applied.flat(), [1, 2, 3], 'each version applied by exactly one replica');
    assert.ok(applied.every((a) => a.length === 0 || a.length === 3), 'by the same replica, in one transaction');
    assert.equal(pg.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM waymark_schema_migrations", 'shared_migrate').replace(/\s/g, ''), '1,2,3');
    assert.deepEqual(await replicas[0].migrate(), [], 'nothing left to apply');
  });

  it('a database at version 1 (before trace contexts) is migrated to 2; its jobs run on', async () => {
    pg.psql('CREATE DATABASE shared_upgrade');
    pg.psql(
      `CREATE TABLE waymark_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       ${pgMigrations[0]}
       INSERT INTO waymark_schema_migrations (version) VALUES (1);
       INSERT INTO waymark_jobs (id, status, created_at, updated_at, problem, options, body_hash)
         VALUES ('00000000-0000-0000-0000-0000000000aa', 'queued', 1, 1, '{}', '{}', 'h');`,
      'shared_upgrade',
    );
    const store = connect('shared_upgrade');
    assert.deepEqual(await store.migrate(), [2, 3]);
    const claimed = (await store.claimNext('me', 60_000))!;
    assert.equal(claimed.id, '00000000-0000-0000-0000-0000000000aa');
    assert.equal(claimed.trace_context, null);
    assert.deepEqual([claimed.version, claimed.root_id], [1, null], 'old jobs are version 1 of themselves');
    const { job } = await store.create('new', '{}', undefined, HOUR, '{"traceparent":"x"}');
    assert.equal((await store.get(job.id))!.trace_context, '{"traceparent":"x"}');
  });

  it('concurrent claims from several connections never share a job; creates across replicas are idempotent', async () => {
    pg.psql('CREATE DATABASE shared_claims');
    const replicas = Array.from({ length: 4 }, () => connect('shared_claims'));
    for (const s of replicas) await s.open();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await replicas[i % 4].create(`p${i}`, '{}', undefined, HOUR)).job.id);
    const claimed: string[] = [];
    await Promise.all(
      replicas.map(async (s, r) => {
        for (;;) {
          const job = await s.claimNext(`replica-${r}`, 60_000);
          if (!job) return;
          claimed.push(job.id);
        }
      }),
    );
    assert.equal(claimed.length, 40);
    assert.deepEqual(new Set(claimed), ids);
    const dups = await Promise.all(Array.from({ length: 50 }, (_, i) => replicas[i % 4].create('same body', '{}', 'shared-key', HOUR)));
    assert.equal(new Set(dups.map((d) => d.job.id)).size, 1);
    assert.equal(dups.filter((d) => d.created).length, 1);
    const conflicts = await Promise.allSettled(replicas.map((s) => s.create('other body', '{}', 'shared-key', HOUR)));
    assert.ok(conflicts.every((c) => c.status === 'rejected' && (c.reason as { code: string }).code === 'IdempotencyConflict'));
  });

  it('notifies every replica of new jobs and cancellations', async () => {
    pg.psql('CREATE DATABASE shared_notify');
    const [a, b] = [connect('shared_notify'), connect('shared_notify')];
    await a.open();
    await b.open();
    let queued = 0;
    const cancels: string[] = [];
    await b.subscribe({ queued: () => queued++, cancel: (id) => cancels.push(id) });
    const initial = queued;
    const job = (await a.create('n', '{}', undefined, HOUR)).job;
    for (let i = 0; i < 100 && queued === initial; i++) await sleep(10);
    assert.ok(queued > initial, 'B heard of the job A queued');
    await b.claimNext('b', 60_000);
    await a.requestCancel(job.id);
    for (let i = 0; i < 100 && cancels.length === 0; i++) await sleep(10);
    assert.deepEqual(cancels, [job.id]);
  });
});
