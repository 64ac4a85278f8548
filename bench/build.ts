/**
 * `waymark bench build <pbf...> [--json]`: for each PBF, a fresh process imports it; prints import
 * seconds, peak RSS of the importing process (osmium's own processes not included), graph nodes and
 * edges, and file bytes per graph node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildSummary } from '../src/native/index.js';

export interface BuildBenchRow {
  name: string;
  seconds: number;
  seconds_read: number;
  /** CPU seconds of the importing process (all its threads). */
  cpu_s: number;
  peak_rss_mb: number;
  nodes: number;
  edges: number;
  file_bytes: number;
  bytes_per_node: number;
  /** Turn restriction relations by fate: read, applied (via-way ones among them), ignored by reason. */
  restrictions: { read: number; applied: number; via_way: number; ignored: Record<string, number> };
  [key: string]: unknown;
}

function restrictionFigures(result: BuildSummary): BuildBenchRow['restrictions'] {
  const i = result.import;
  const g = result.graph;
  const ignored: Record<string, number> = {
    on_red: i.restrictionsOnRed,
    conditional: i.restrictionsConditional,
    excepted: i.restrictionsExcepted,
    other_vehicle: i.restrictionsOtherVehicle,
    unknown_value: i.restrictionsUnknownValue,
    incomplete: i.restrictionsIncomplete,
    unmapped: g.restrictionsUnmapped,
    ambiguous: g.restrictionsAmbiguous,
    disconnected: g.restrictionsDisconnected,
  };
  return { read: i.restrictionsRead, applied: g.restrictionsApplied, via_way: g.viaWayRestrictions, ignored };
}

const here = dirname(fileURLToPath(import.meta.url));

export function benchBuildOne(pbf: string, profile = 'car', keepMap?: string): BuildBenchRow {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
  const out = keepMap ?? join(dir, 'map.wmap');
  try {
    const r = spawnSync(process.execPath, [join(here, 'build-one.js'), pbf, out, profile], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, WAYMARK_LOG_LEVEL: 'warn' },
    });
    if (r.status !== 0) throw new Error(`import of ${pbf} failed: ${r.stderr.trim().split('\n').pop()}`);
    const row = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    return {
      name: basename(pbf).replace(/\.osm\.pbf$/, ''),
      seconds: row.seconds,
      seconds_read: row.seconds_read,
      cpu_s: row.cpu_s,
      peak_rss_mb: row.peak_rss_mb,
      nodes: row.nodes,
      edges: row.edges,
      file_bytes: row.file_bytes,
      bytes_per_node: row.file_bytes / row.nodes,
      restrictions: restrictionFigures(row.result as BuildSummary),
      result: row.result,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function restrictionText(r: BuildBenchRow['restrictions']): string {
  const reasons = Object.entries(r.ignored)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `${r.read}/${r.applied}(${r.via_way})/${reasons || '-'}`;
}

export function benchBuild(pbfs: string[], json: boolean): void {
  const rows: BuildBenchRow[] = [];
  if (!json) {
    process.stdout.write(
      'file                 seconds   read_s  peak_rss_mb      nodes      edges   file_MB  bytes/node   restrictions read/applied(via-way)/ignored by reason\n',
    );
  }
  for (const pbf of pbfs) {
    const row = benchBuildOne(pbf);
    rows.push(row);
    if (!json) {
      process.stdout.write(
        `${row.name.padEnd(18)} ${row.seconds.toFixed(2).padStart(9)} ${row.seconds_read.toFixed(2).padStart(8)} ${row.peak_rss_mb.toFixed(0).padStart(12)} ${String(row.nodes).padStart(10)} ${String(row.edges).padStart(10)} ${(row.file_bytes / 1e6).toFixed(1).padStart(9)} ${row.bytes_per_node.toFixed(0).padStart(11)}   ${restrictionText(row.restrictions)}\n`,
      );
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify({ files: rows.map(({ result: _r, ...rest }) => rest) }, null, 2) + '\n');
  }
}
