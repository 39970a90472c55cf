'use strict';
// Runs the TypeScript sources directly: `node -r ./tools/register.js apps/cli/src/main.ts`.
// We compile with @swc/core rather than tsx/esbuild because NestJS dependency injection needs
// `emitDecoratorMetadata`, which esbuild does not emit. Type checking is `npm run typecheck`'s job.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = require('./aliases.js');

const swcOptions = { ...require('./swc-options.js'), sourceMaps: 'inline' };

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, parent, ...rest) {
  const target = aliases.resolve(request);
  return originalResolve.call(this, target ?? request, parent, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};

process.setSourceMapsEnabled(true);
module.exports = { root };
