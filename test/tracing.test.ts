/**
 * OpenTelemetry traces end to end: a real `waymark serve` child process exports with the real OTLP
 * exporters to a real OTLP/HTTP receiver on 127.0.0.1, which decodes what arrives (protobuf and
 * JSON). Checks span names, parent ids across the worker-thread boundary, attributes, timing
 * order, the incoming traceparent, log correlation, VRP job links, sampling and "off". The job
 * stores' trace_context column and its migrations are tested in job-store.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfig } from '../src/server/config.js';
import { tracingRequested } from '../src/telemetry/tracing.js';
import { monacoMap, repoRoot, tempDir } from './helpers.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startChildServer, stopChild } from './server-helpers.js';

const points = '7.4197,43.7314;7.4265,43.739;7.4163,43.7334';
const tablePath = `/table/v1/car/${points}`;
/** Clocks of different threads agree to well under this (ms). */
const SLACK = 2;

function traceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

async function serve(receiver: OtlpReceiver, env: Record<string, string>) {
  const { path } = await monacoMap();
  const dataDir = tempDir('waymark-tracing-data-');
  const server = await startChildServer([path, '--port', '0', '--workers', '2', '--data-dir', dataDir], {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...env,
  });
  return { ...server, dataDir };
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one ${name} span (got ${found.length})`);
  return found[0];
}

function within(inner: ReceivedSpan, outer: ReceivedSpan) {
  assert.ok(inner.start >= outer.start - SLACK && inner.end <= outer.end + SLACK, `${inner.name} [${inner.start}, ${inner.end}] lies within ${outer.name} [${outer.start}, ${outer.end}]`);
}

describe('tracing with OTLP/HTTP protobuf (the default)', () => {
  const receiver = new OtlpReceiver();
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    await receiver.start();
    server = await serve(receiver, { OTEL_SERVICE_NAME: 'waymark-under-test', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' });
  });
  after(async () => {
    await stopChild(server.child);
    await receiver.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('one /table request gives a trace whose worker spans are children of the request span, honouring the incoming traceparent', async () => {
    const tp = traceparent();
    const res = await fetch(server.base + tablePath, { headers: { traceparent: tp.header, tracestate: 'vendor=abc' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const wanted = ['GET /table/v1/:profile/:coordinates', 'queue.wait', 'snap', 'matrix.many_to_many', 'serialize'];
    await receiver.waitFor((spans) => wanted.every((n) => spans.some((s) => s.traceId === tp.traceId && s.name === n)), 'the /table trace');
    const spans = receiver.inTrace(tp.traceId);
    assert.ok(receiver.contentTypes.every((t) => t.startsWith('application/x-protobuf')), `protobuf by default (${receiver.contentTypes})`);

    const request = byName(spans, 'GET /table/v1/:profile/:coordinates');
    assert.equal(request.parentSpanId, tp.parentId, 'the request span continues the client trace');
    assert.equal(request.kind, 2, 'SERVER span');
    assert.equal(request.attributes['http.response.status_code'], 200);
    assert.equal(request.attributes['http.route'], '/table/v1/:profile/:coordinates');
    assert.equal(request.resource['service.name'], 'waymark-under-test');
    assert.equal(request.resource['deployment.environment'], 'test');

    const wait = byName(spans, 'queue.wait');
    const snap = byName(spans, 'snap');
    const search = byName(spans, 'matrix.many_to_many');
    const serialize = byName(spans, 'serialize');
    for (const s of [wait, snap, search, serialize]) {
      assert.equal(s.parentSpanId, request.spanId, `${s.name} is a child of the request span`);
      assert.ok(typeof s.attributes['thread.id'] === 'number' && (s.attributes['thread.id'] as number) > 0, `${s.name} was recorded on a worker thread`);
      assert.equal(s.scope, 'waymark-worker');
      assert.equal(s.traceState, 'vendor=abc', `${s.name} carries the client's tracestate`);
      within(s, request);
    }
    assert.equal(snap.attributes['waymark.points'], 3);
    assert.equal(snap.attributes['waymark.snapped'], 3);
    assert.equal(snap.attributes['waymark.failed'], 0);
    assert.equal(search.attributes['waymark.sources'], 3);
    assert.equal(search.attributes['waymark.targets'], 3);
    assert.ok((search.attributes['waymark.threads'] as number) >= 1);
    assert.ok((search.attributes['waymark.settled_nodes'] as number) > 0, 'settled nodes reported by the native core');
    assert.ok((serialize.attributes['waymark.bytes'] as number) > 0);
    // Phases in order, with their real start times.
    assert.ok(wait.end <= snap.start + SLACK, 'queue.wait ends before snapping starts');
    assert.ok(snap.end <= search.start + 0.01, 'snapping ends before the search starts');
    assert.ok(search.end <= serialize.start + SLACK, 'the search ends before serialising');
    assert.ok(snap.end - snap.start >= 0 && search.end - search.start > 0);

    // The request's log line carries the trace and span ids.
    const line = server
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'request' && String(l.url).startsWith('/table/'));
    assert.ok(line, 'a request log line');
    assert.equal(line.trace_id, tp.traceId);
    assert.equal(line.span_id, request.spanId);
  });

  it('without a traceparent a new trace starts at the request span', async () => {
    const before = new Set(receiver.spans.map((s) => s.traceId));
    const res = await fetch(`${server.base}/route`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ coordinates: [[7.4197, 43.7314], [7.4265, 43.739]] }) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'POST /route' && !before.has(s.traceId)) && spans.some((s) => s.name === 'ch.route' && !before.has(s.traceId)), 'the /route trace');
    const request = receiver.spans.find((s) => s.name === 'POST /route' && !before.has(s.traceId))!;
    assert.equal(request.parentSpanId, '', 'a root span');
    const spans = receiver.inTrace(request.traceId);
    const route = byName(spans, 'ch.route');
    assert.equal(route.parentSpanId, request.spanId);
    assert.equal(route.attributes['waymark.waypoints'], 2);
    assert.ok((route.attributes['waymark.settled_nodes'] as number) > 0);
    assert.equal(byName(spans, 'snap').parentSpanId, request.spanId);
  });

  it('a request that fails to snap records a failed snap span and a 400 request span', async () => {
    const tp = traceparent();
    const res = await fetch(`${server.base}/route`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: tp.header }, body: JSON.stringify({ coordinates: [[7.4197, 43.7314], [7.3, 43.6]], radius: 5 }) });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'NoSegment');
    await receiver.waitFor((spans) => ['POST /route', 'snap'].every((n) => spans.some((s) => s.traceId === tp.traceId && s.name === n)), 'the failed /route trace');
    const spans = receiver.inTrace(tp.traceId);
    const snap = byName(spans, 'snap');
    assert.equal(snap.status.code, 2, 'ERROR status');
    assert.equal(snap.attributes['waymark.failed'], 1);
    assert.equal(snap.attributes['waymark.error_code'], 'NoSegment');
    assert.equal(byName(spans, 'POST /route').attributes['http.response.status_code'], 400);
  });

  it("an async VRP job's solve is a span linked to the submitting request's trace", async () => {
    const tp = traceparent();
    const body = {
      // Two vehicles: one alone with three jobs would be enumerated, with no search iterations to report.
      vehicles: [{ id: 1, start: [7.4197, 43.7314], end: [7.4197, 43.7314] }, { id: 2, start: [7.4197, 43.7314], end: [7.4197, 43.7314] }],
      jobs: [
        { id: 1, location: [7.4265, 43.739] },
        { id: 2, location: [7.4163, 43.7334] },
        { id: 3, location: [7.423, 43.736] },
      ],
      options: { time_limit: 1, seed: 2 },
    };
    const res = await fetch(`${server.base}/vrp/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: tp.header }, body: JSON.stringify(body) });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'vrp.job' && s.attributes['waymark.job.id'] === id), 'the job span', 30_000);
    const job = receiver.spans.find((s) => s.name === 'vrp.job' && s.attributes['waymark.job.id'] === id)!;
    assert.notEqual(job.traceId, tp.traceId, 'the solve has its own trace');
    assert.equal(job.parentSpanId, '');
    const submit = receiver.inTrace(tp.traceId).find((s) => s.name === 'POST /vrp/jobs');
    assert.ok(submit, 'the submitting request span');
    assert.deepEqual(job.links.map((l) => [l.traceId, l.spanId]), [[tp.traceId, submit.spanId]], 'linked to the submitting request span');
    assert.equal(job.attributes['waymark.job.status'], 'succeeded');
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === job.traceId && s.name === 'vrp.solve'), 'the solve span');
    const spans = receiver.inTrace(job.traceId);
    const solve = byName(spans, 'vrp.solve');
    assert.equal(solve.parentSpanId, job.spanId);
    assert.equal(solve.attributes['waymark.vrp.jobs'], 3);
    assert.equal(solve.attributes['waymark.vrp.vehicles'], 2);
    assert.ok((solve.attributes['waymark.vrp.iterations'] as number) > 0);
    assert.equal(solve.attributes['waymark.vrp.stop_reason'], 'converged', 'three jobs converge long before the time limit');
    assert.ok((solve.attributes['waymark.vrp.best_cost'] as number) > 0);
    within(solve, job);
    // The matrix the solver needed came from the map, in the same worker task.
    assert.equal(byName(spans, 'matrix.many_to_many').parentSpanId, job.spanId);
    assert.equal(byName(spans, 'queue.wait').parentSpanId, job.spanId);
  });
});

describe('tracing with OTLP/HTTP JSON and parent-based ratio sampling', () => {
  const receiver = new OtlpReceiver();
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    await receiver.start();
    server = await serve(receiver, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
  });
  after(async () => {
    await stopChild(server.child);
    await receiver.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('exports JSON; a sampled parent is followed even at ratio 0, and new traces are not sampled', async () => {
    // Unsampled: ratio 0 and no parent.
    for (let i = 0; i < 5; i++) {
      const r = await fetch(server.base + tablePath);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    const sampled = traceparent();
    const res = await fetch(server.base + tablePath, { headers: { traceparent: sampled.header } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    // And an unsampled parent (flags 00) is followed too.
    const unsampled = traceparent();
    const r2 = await fetch(server.base + tablePath, { headers: { traceparent: unsampled.header.replace(/-01$/, '-00') } });
    await r2.arrayBuffer();
    await receiver.waitFor((spans) => ['GET /table/v1/:profile/:coordinates', 'matrix.many_to_many', 'snap', 'serialize', 'queue.wait'].every((n) => spans.some((s) => s.traceId === sampled.traceId && s.name === n)), 'the sampled trace');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(receiver.contentTypes.length > 0 && receiver.contentTypes.every((t) => t.startsWith('application/json')), `JSON (${receiver.contentTypes})`);
    assert.deepEqual([...new Set(receiver.spans.map((s) => s.traceId))], [sampled.traceId], 'only the sampled trace was exported');
    const spans = receiver.inTrace(sampled.traceId);
    const request = byName(spans, 'GET /table/v1/:profile/:coordinates');
    assert.equal(request.parentSpanId, sampled.parentId);
    assert.equal(byName(spans, 'matrix.many_to_many').parentSpanId, request.spanId);
    assert.equal(byName(spans, 'matrix.many_to_many').attributes['waymark.sources'], 3);
  });
});

describe('tracing off', () => {
  it('is off without OTEL configuration, and OTEL_SDK_DISABLED turns it off', () => {
    assert.equal(tracingRequested({}), false);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }), false);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.throws(() => tracingRequested({ OTEL_TRACES_EXPORTER: 'zipkin' }), /not supported/);
    if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_TRACES_EXPORTER) assert.equal(defaultConfig({}).tracing, false);
  });

  it('sends nothing, even to a configured endpoint, when the SDK is disabled', async () => {
    const receiver = new OtlpReceiver();
    await receiver.start();
    const server = await serve(receiver, { OTEL_SDK_DISABLED: 'true' });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(server.base + tablePath, { headers: { traceparent: traceparent().header } });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
      }
      await new Promise((r) => setTimeout(r, 600));
      const line = server
        .log()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'request');
      assert.ok(line && !('trace_id' in line), 'no trace ids in logs when off');
    } finally {
      await stopChild(server.child);
      await receiver.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    }
    assert.equal(receiver.requests, 0, 'nothing was sent');
  });

  it('refuses an unsupported OTLP protocol at start instead of ignoring it', async () => {
    const { path } = await monacoMap();
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'waymark.js'), 'serve', path, '--port', '0'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /OTLP protocol 'grpc' is not supported: use http\/protobuf or http\/json \[InvalidValue\]/);
  });
});
