#!/usr/bin/env node
/** The `waymark` command line: one file per subcommand, registered here. */
import { Command, CommanderError } from 'commander';
import { WaymarkError } from '../errors.js';
import { registerBench } from './bench.js';
import { registerBuild } from './build.js';
import { registerInfo } from './info.js';
import { registerMatrix } from './matrix.js';
import { registerRoute } from './route.js';
import { registerTraffic } from './traffic.js';
import { registerVrp } from './vrp.js';
import { registerZones } from './zones.js';
import { registerServe, registerStart } from './serve.js';

const program = new Command();
program
  .name('waymark')
  .description('Road routing and vehicle routing engine')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerBuild(program);
registerBench(program);
registerInfo(program);
registerRoute(program);
registerMatrix(program);
registerVrp(program);
registerTraffic(program);
registerZones(program);
registerServe(program);
registerStart(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode);
  }
  if (err instanceof WaymarkError) {
    process.stderr.write(`waymark: ${err.message} [${err.code}]\n`);
    process.exit(1);
  }
  process.stderr.write(`waymark: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
