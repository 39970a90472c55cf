'use strict';
// `npm ci` runs the root package's `prepare`, which builds the console (apps/console → dist) so
// that the README's two commands still do all the set-up. Where the console's sources or its
// build tools are absent — a production install (`npm ci --omit=dev`) or a Docker layer that
// copies package.json alone — there is nothing to build and the install must not fail.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const config = path.join(root, 'apps', 'console', 'vite.config.mjs');
let vite;
try {
  vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
} catch {
  vite = undefined;
}
if (!fs.existsSync(config) || vite === undefined) {
  process.stderr.write('console: sources or vite not installed here; skipping the console build\n');
  process.exit(0);
}
const result = spawnSync(process.execPath, [vite, 'build', '--config', config], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
