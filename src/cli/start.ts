import type { Command } from 'commander';
import { ensureBundledMap } from '../maps/bundled.js';
import { printJson } from './output.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('build the bundled map if needed and print its summary (what `npm start` runs)')
    .action(async () => {
      const map = await ensureBundledMap();
      printJson(map.header);
    });
}
