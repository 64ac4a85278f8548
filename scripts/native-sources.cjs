// Lists the addon's C++ sources for binding.gyp, so a new file under native/ needs no gyp edit.
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const out = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel);
    else if (entry.name.endsWith('.cc')) out.push(rel);
  }
})('native');
process.stdout.write(out.sort().join(' '));
