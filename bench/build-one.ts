/** Child process of `waymark bench build`: imports one PBF and prints figures as one JSON line. */
import { statSync } from 'node:fs';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { getProfile } from '../src/profiles/index.js';

const [input, output, profile = 'car'] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: build-one <input.osm.pbf> <output.wmap> [profile]\n');
  process.exit(2);
}
const result = await buildMapFromPbf({ input, output, profile: getProfile(profile) });
process.stdout.write(
  JSON.stringify({
    input,
    seconds: result.secondsTotal,
    seconds_read: result.secondsImport,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    // CPU time of this process (every thread; osmium's own processes not included).
    cpu_s: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    nodes: result.nodes,
    edges: result.edges,
    file_bytes: statSync(output).size,
    result,
  }) + '\n',
);
