import type { Command } from 'commander';
import { openMapFile } from '../maps/open.js';
import { printJson } from './output.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the header of a map file as JSON')
    .argument('<map>', 'map file (.wmap)')
    .action((mapPath: string) => {
      printJson(openMapFile(mapPath).header);
    });
}
