/**
 * VRP jobs shared by replicas: real `waymark serve` child processes on one throw-away PostgreSQL
 * cluster. Any replica answers for any job, a killed replica's job is finished by another, duplicate
 * submissions across replicas make one job, and a database restart loses no accepted job.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { monacoMap, runCli, tempDir } from './helpers.js';
import { freePort, startPgCluster, type PgCluster } from './postgres-helpers.js';
import { startChildServer, stopChild } from './server-helpers.js';
import { getJob, postJob, trivialProblem, vrpProblem, waitForJob } from './vrp-job-helpers.js';

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

interface Replica {
  child: ChildProcess;
  base: string;
  log: () => string;
  name: string;
}

describe('VRP jobs on PostgreSQL shared by replicas', () => {
  let pg: PgCluster;
  let mapPath: string;
  const dataDir = tempDir('waymark-replicas-');
  const live = new Set<Replica>();
  let databases = 0;

  async function replica(name: string, db: string, extra: string[] = []): Promise<Replica> {
    const url = pg.url.replace(/\/postgres$/, `/${db}`);
    const r = await startChildServer([mapPath, '--port', '0', '--workers', '1', '--max-solves', '1', '--jobs', url, '--job-lease', '2000', '--data-dir', dataDir, ...extra]);
    const rep = { ...r, name };
    live.add(rep);
    return rep;
  }
  async function stop(r: Replica, signal: NodeJS.Signals = 'SIGTERM') {
    live.delete(r);
    await stopChild(r.child, signal);
  }
  function database(): string {
    const db = `replicas_${++databases}`;
    pg.psql(`CREATE DATABASE ${db}`);
    return db;
  }
  /** Which replica logged starting the job (latest attempt). */
  function solver(replicas: Replica[], id: string): Replica | undefined {
    return replicas.find((r) => r.log().includes(`"job":"${id}","attempt"`));
  }

  before(async () => {
    pg = await startPgCluster();
    mapPath = (await monacoMap()).path;
  });
  after(async () => {
    for (const r of [...live]) await stop(r, 'SIGKILL');
    pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a job store it cannot use, before listening', async () => {
    const notPostgres = runCli(['serve', mapPath, '--port', '0', '--jobs', 'mysql://localhost/jobs']);
    assert.equal(notPostgres.status, 1);
    assert.match(notPostgres.stderr, /--jobs .*postgres:\/\/.*\[InvalidValue\]/);
    const noStore = runCli(['serve', mapPath, '--port', '0', '--no-job-notify', '--data-dir', dataDir]);
    assert.equal(noStore.status, 1);
    assert.match(noStore.stderr, /--no-job-notify applies to the PostgreSQL job store/);
    const unreachable = runCli(['serve', mapPath, '--port', '0', '--jobs', `postgres://postgres@127.0.0.1:${await freePort()}/none`, '--data-dir', dataDir]);
    assert.notEqual(unreachable.status, 0);
    assert.match(unreachable.stderr + unreachable.stdout, /ECONNREFUSED|unreachable/);
    assert.doesNotMatch(unreachable.stdout, /"msg":"listening"/);
  });

  it('submit to A, poll and cancel on B: progress and cancellation cross replicas', async () => {
    const db = database();
    const [a, b] = await Promise.all([replica('A', db), replica('B', db)]);
    const r = await postJob(a.base, vrpProblem(0.3));
    assert.equal(r.status, 202);
    const done = await waitForJob(b.base, r.json.id, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.solution.summary.unassigned, 0);
    assert.equal((await getJob(a.base, r.json.id)).json.solution.summary.cost, done.solution.summary.cost, 'both replicas answer the same');

    // A long solve, wherever it lands; cancelled through the replica that is not solving it.
    const long = await postJob(b.base, vrpProblem(60));
    await waitForJob(a.base, long.json.id, ['running']);
    let solving: Replica | undefined;
    for (let i = 0; i < 400 && !solving; i++, await sleep(50)) solving = solver([a, b], long.json.id);
    assert.ok(solving, 'one replica logged starting the job');
    const other = solving === a ? b : a;
    // Until the solver itself reports (its worker thread is up and searching), then a heartbeat more.
    for (let i = 0; i < 600 && (await getJob(solving.base, long.json.id)).json.progress?.best_cost == null; i++) await sleep(50);
    await sleep(1000);
    const progress = (await getJob(other.base, long.json.id)).json.progress;
    assert.ok(progress && progress.elapsed_s > 0, `the other replica shows the heartbeat's progress: ${JSON.stringify(progress)}`);
    const t0 = performance.now();
    const del = await fetch(`${other.base}/vrp/jobs/${long.json.id}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const cancelled = await waitForJob(other.base, long.json.id, ['cancelled', 'succeeded'], 20_000, 20);
    const ms = performance.now() - t0;
    assert.equal(cancelled.status, 'cancelled', 'stopped long before its 60 s time limit');
    assert.ok(cancelled.solution, 'the best solution so far is kept');
    console.log(`cross-replica cancellation (LISTEN/NOTIFY): ${ms.toFixed(0)} ms from DELETE on ${other.name} to cancelled`);
    await Promise.all([stop(a), stop(b)]);
  });

  it('without notifications (--no-job-notify), polling alone runs jobs and carries cancellations across replicas', async () => {
    const db = database();
    const [a, b] = await Promise.all([replica('A', db, ['--no-job-notify']), replica('B', db, ['--no-job-notify'])]);
    const long = await postJob(a.base, vrpProblem(60));
    await waitForJob(b.base, long.json.id, ['running']);
    let solving: Replica | undefined;
    for (let i = 0; i < 400 && !solving; i++, await sleep(50)) solving = solver([a, b], long.json.id);
    assert.ok(solving);
    const other = solving === a ? b : a;
    // Until the solver itself reports (its worker thread is up and searching).
    for (let i = 0; i < 600 && (await getJob(solving.base, long.json.id)).json.progress?.best_cost == null; i++) await sleep(50);
    const t0 = performance.now();
    assert.equal((await fetch(`${other.base}/vrp/jobs/${long.json.id}`, { method: 'DELETE' })).status, 202);
    const cancelled = await waitForJob(other.base, long.json.id, ['cancelled', 'succeeded'], 20_000, 20);
    assert.equal(cancelled.status, 'cancelled');
    console.log(`cross-replica cancellation (polling): ${(performance.now() - t0).toFixed(0)} ms from DELETE on ${other.name} to cancelled`);
    await Promise.all([stop(a), stop(b)]);
  });

  it('SIGKILL the replica that is solving: the other re-runs the job after its lease expires', async () => {
    const db = database();
    const [a, b] = await Promise.all([replica('A', db), replica('B', db)]);
    const job = await postJob(a.base, vrpProblem(3));
    await waitForJob(b.base, job.json.id, ['running']);
    let solving: Replica | undefined;
    for (let i = 0; i < 400 && !solving; i++, await sleep(50)) solving = solver([a, b], job.json.id);
    assert.ok(solving);
    const survivor = solving === a ? b : a;
    const killedAt = Date.now();
    await stop(solving, 'SIGKILL');
    const done = await waitForJob(survivor.base, job.json.id, ['succeeded', 'failed'], 60_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.ok(Date.parse(done.started_at) >= killedAt, 'the survivor started it again after the kill');
    assert.match(survivor.log(), new RegExp(`"job":"${job.json.id}","attempt":2`), 'second attempt, on the survivor');
    console.log(`re-run after SIGKILL: finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (lease 2 s, time limit 3 s)`);
    await stop(survivor);
  });

  it('50 concurrent duplicate submissions across both replicas make one job; another body is 422 on each', async () => {
    const db = database();
    const [a, b] = await Promise.all([replica('A', db), replica('B', db)]);
    const body = vrpProblem(0.2, { description: 'dup' });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => postJob(i % 2 ? a.base : b.base, body, { 'idempotency-key': 'order-4711' })));
    assert.deepEqual([...new Set(answers.map((x) => x.status))], [202]);
    const ids = new Set(answers.map((x) => x.json.id));
    assert.equal(ids.size, 1, 'one job');
    assert.equal(answers.filter((x) => x.headers.get('idempotent-replayed') === 'true').length, 49, 'the other 49 replayed it');
    assert.equal(pg.psql('SELECT count(*) FROM waymark_jobs', db), '1');
    for (const r of [a, b]) {
      const other = await postJob(r.base, vrpProblem(0.25), { 'idempotency-key': 'order-4711' });
      assert.equal(other.status, 422);
      assert.equal(other.json.code, 'IdempotencyConflict');
    }
    await waitForJob(a.base, [...ids][0], ['succeeded']);
    await Promise.all([stop(a), stop(b)]);
  });

  it('a database restart mid-run loses no accepted job; the replicas reconnect', async () => {
    const db = database();
    const [a, b] = await Promise.all([replica('A', db), replica('B', db)]);
    const accepted: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await postJob(i % 2 ? a.base : b.base, vrpProblem(1, { description: `before-${i}` }));
      assert.equal(r.status, 202);
      accepted.push(r.json.id);
    }
    await waitForJob(a.base, accepted[0], ['running']);
    pg.stop('immediate'); // like a crash: the restart recovers from the WAL
    const during = await postJob(a.base, trivialProblem('during'));
    assert.equal(during.status, 503, 'not accepted while the database is down');
    assert.equal(during.json.code, 'JobStoreUnavailable');
    assert.equal((await fetch(`${b.base}/health/live`)).status, 200, 'the replica itself stays alive');
    await sleep(1000);
    pg.start();
    for (let i = 0; i < 2; i++) {
      const r = await postJob(i % 2 ? a.base : b.base, vrpProblem(0.5, { description: `after-${i}` }));
      assert.equal(r.status, 202, JSON.stringify(r.json));
      accepted.push(r.json.id);
    }
    for (const id of accepted) {
      const done = await waitForJob(i2b(id), id, ['succeeded', 'failed', 'cancelled'], 120_000, 250);
      assert.equal(done.status, 'succeeded', `${id}: ${JSON.stringify(done.error)}`);
    }
    assert.equal(pg.psql("SELECT count(*) FROM waymark_jobs WHERE status = 'succeeded'", db), String(accepted.length));
    await Promise.all([stop(a), stop(b)]);
    function i2b(id: string) {
      return accepted.indexOf(id) % 2 ? a.base : b.base;
    }
  });
});
