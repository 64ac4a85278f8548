#!/usr/bin/env node
// Entry point of the `waymark` command; the code lives in src/cli (compiled to dist/ by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('waymark: not built yet; run `npm run build` (or `npm start` / `npm test`, which set everything up)\n');
  process.exit(1);
}
await import(main.href);
