/**
 * osmium-tool does all PBF work, as child processes: add-locations-to-ways inlines node locations
 * into ways, tags-filter keeps highways, ferries, barriers, signals and turn restrictions, and the OPL
 * text it prints is piped in chunks straight into the native importer. Nothing is held as JS objects.
 */
import { spawn, spawnSync } from 'node:child_process';
import { WaymarkError } from '../errors.js';

/**
 * Tagged nodes any profile may care about: barriers, access on the node itself, and the nodes that
 * cost time to pass (signals, stop signs, crossings).
 */
const NODE_FILTERS = [
  'n/barrier',
  'n/highway=traffic_signals,stop,give_way,crossing',
  'n/railway=level_crossing,crossing',
  ...['access', 'vehicle', 'motor_vehicle', 'motorcar', 'bicycle', 'foot'].map((key) => `n/${key}`),
].join(' ');

export function ensureOsmium(): void {
  const r = spawnSync('osmium', ['--version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new WaymarkError('OsmiumMissing', 'osmium-tool is not installed: run `apt-get install -y osmium-tool`');
  }
}

export interface PbfInfo {
  /** Replication timestamp from the PBF header, or '' when the file has none. */
  timestamp: string;
}

/** Reads the PBF header only (fast); fails with NotPbf for anything osmium cannot read as PBF. */
export function readPbfInfo(path: string): PbfInfo {
  const r = spawnSync('osmium', ['fileinfo', '-j', '-F', 'pbf', path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error || r.status !== 0) {
    throw new WaymarkError('NotPbf', `${path} is not a readable OSM PBF file${r.stderr ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`);
  }
  try {
    const info = JSON.parse(r.stdout) as { header?: { option?: Record<string, string> } };
    const option = info.header?.option ?? {};
    return { timestamp: option['osmosis_replication_timestamp'] ?? option['timestamp'] ?? '' };
  } catch {
    return { timestamp: '' };
  }
}

/**
 * Streams the routable part of `input` as OPL, calling onChunk for every chunk of stdout in order.
 * Resolves when both osmium processes exited cleanly.
 */
export function streamRoutableOpl(input: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  // One shell pipeline (the path is passed as $1, never interpolated): the kernel pipe between the two
  // osmium processes carries the data, and pipefail reports a failure of either. Locations go onto
  // the ways first; the filter then needs no second pass for referenced nodes (-R), which keeps it
  // fast. Tagged nodes that matter (barriers, signals) are kept explicitly.
  const script =
    'set -o pipefail; ' +
    'osmium add-locations-to-ways --no-progress -i sparse_mem_array --ignore-missing-nodes -F pbf "$1" -f pbf,pbf_compression=none -o - ' +
    '| osmium tags-filter --no-progress -R -F pbf - w/highway w/route=ferry r/type=restriction ' +
    `${NODE_FILTERS} ` +
    '-f opl,add_metadata=false,locations_on_ways=true -o -';
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'osmium-pipeline', input], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 16) stderr += d.toString();
    });
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      child.kill();
      reject(err);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        onChunk(chunk);
      } catch (err) {
        fail(err as Error);
      }
    });
    child.on('error', (e) => fail(new WaymarkError('OsmiumMissing', `cannot run the osmium pipeline: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (failed) return;
      if (code === 0) return resolve();
      fail(new WaymarkError('OsmiumFailed', `osmium failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
