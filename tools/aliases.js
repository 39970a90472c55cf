'use strict';
// One table of path aliases, read by tools/register.js (runtime) and jest.config.js (tests);
// tsconfig.json's "paths" must say the same (test/architecture checks it).
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const libs = ['domain', 'event-store', 'event-store-esdb', 'projections', 'ledger', 'reporting', 'ingestion', 'kafka', 'observability', 'auth', 'http', 'consumer'];
const table = Object.fromEntries(libs.map((name) => [`@ledger/${name}`, path.join(root, 'libs', name, 'src')]));

function resolve(request) {
  if (!request.startsWith('@ledger/')) return undefined;
  const slash = request.indexOf('/', '@ledger/'.length);
  const name = slash === -1 ? request : request.slice(0, slash);
  const base = table[name];
  if (base === undefined) return undefined;
  return slash === -1 ? path.join(base, 'index.ts') : path.join(base, request.slice(slash + 1));
}

module.exports = { table, resolve, libs };
