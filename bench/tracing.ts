/**
 * `waymark bench tracing <map> [--duration 10] [--connections 8] [--workers 1] [--rounds 2] [--json]`:
 * the cost of OpenTelemetry tracing on POST /route. Starts `waymark serve` on 127.0.0.1 once per
 * mode (tracing off; on, sampling 1% of new traces; on, sampling all) with an OTLP/HTTP sink on
 * 127.0.0.1 receiving the real exports, drives each with autocannon, and prints requests/s, latency
 * the server's CPU time per request (all threads, from /proc: steadier than requests/s on a shared
 * machine) and the ratios to "off" (medians over the rounds). Modes alternate within each round so drift on
 * a shared machine spreads evenly; all in the same run.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import autocannon from 'autocannon';
import { routeLoad, startServer } from './http.js';

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

interface Mode {
  name: string;
  env: (sink: string) => Record<string, string>;
}

const MODES: Mode[] = [
  { name: 'off', env: () => ({}) },
  { name: 'on, 1% sampled', env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }) },
  { name: 'on, 100% sampled', env: (sink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: 'parentbased_always_on' }) },
];

export async function benchTracing(mapPath: string, options: { duration: number; connections: number; workers: number; rounds: number; json: boolean }): Promise<unknown> {
  // The collector: accepts every export, counts requests and bytes.
  let exports = 0;
  let bytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
  const load = routeLoad(mapPath);
  const runs: Record<string, { rps: number[]; p50: number[]; p99: number[]; cpuUs: number[]; errors: number; exports: number; bytes: number }> = {};
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of MODES) {
        const { child, base, dataDir } = await startServer(mapPath, options.workers, mode.env(sinkUrl));
        try {
          // A short warm-up, then the measured run.
          await autocannon({ url: base, connections: options.connections, duration: 1, requests: load.requests });
          const before = { exports, bytes, cpu: cpuSeconds(child.pid!) };
          const r = await autocannon({ url: base, connections: options.connections, duration: options.duration, requests: load.requests });
          const row = (runs[mode.name] ??= { rps: [], p50: [], p99: [], cpuUs: [], errors: 0, exports: 0, bytes: 0 });
          row.cpuUs.push(((cpuSeconds(child.pid!) - before.cpu) * 1e6) / Math.max(1, r.requests.total));
          row.rps.push(r.requests.average);
          row.p50.push(r.latency.p50);
          row.p99.push(r.latency.p99);
          row.errors += r.errors + r.timeouts + r.non2xx;
          // Exports still buffered are sent on shutdown; count what arrived during the run.
          row.exports += exports - before.exports;
          row.bytes += bytes - before.bytes;
        } finally {
          child.kill('SIGTERM');
          await new Promise((resolve) => child.on('exit', resolve));
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    sink.closeAllConnections();
    await new Promise((resolve) => sink.close(resolve));
  }
  // Medians over the rounds: one round disturbed by the machine's other work does not decide.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const off = median(runs.off.rps);
  const offCpu = median(runs.off.cpuUs);
  const results = MODES.map((m) => {
    const r = runs[m.name];
    return {
      mode: m.name,
      requests_per_s: median(r.rps),
      requests_per_s_by_round: r.rps,
      ratio_to_off: median(r.rps) / off,
      server_cpu_us_per_request: median(r.cpuUs),
      server_cpu_us_per_request_by_round: r.cpuUs,
      cpu_ratio_to_off: median(r.cpuUs) / offCpu,
      latency_p50_ms: median(r.p50),
      latency_p99_ms: median(r.p99),
      errors: r.errors,
      otlp_exports: r.exports,
      otlp_kb: r.bytes / 1024,
    };
  });
  if (options.json) {
    process.stdout.write(JSON.stringify({ map: mapPath, duration_s: options.duration, connections: options.connections, workers: options.workers, rounds: options.rounds, results }) + '\n');
  } else {
    for (const r of results) {
      process.stdout.write(
        `POST /route, tracing ${r.mode.padEnd(17)} ${r.requests_per_s.toFixed(1).padStart(8)} req/s (${r.requests_per_s_by_round.map((x) => x.toFixed(0)).join(', ')})  x${r.ratio_to_off.toFixed(3)} of off  server CPU ${r.server_cpu_us_per_request.toFixed(0)} µs/request (x${r.cpu_ratio_to_off.toFixed(3)})  p50 ${r.latency_p50_ms.toFixed(1)} ms  p99 ${r.latency_p99_ms.toFixed(1)} ms  errors ${r.errors}  OTLP exports ${r.otlp_exports} (${r.otlp_kb.toFixed(0)} KB)\n`,
      );
    }
  }
  return results;
}
