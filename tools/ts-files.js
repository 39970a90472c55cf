'use strict';
// The TypeScript files under a folder, depth first: what the source checks of `npm run lint` read.
const fs = require('node:fs');
const path = require('node:path');

function* tsFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

module.exports = { tsFiles };
