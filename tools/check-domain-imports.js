'use strict';
// The dependency rule of STYLE.md: libs/domain imports nothing but decimal.js, node's own
// modules are not allowed either (no I/O in the domain), and itself (relative imports).
// Exits non-zero, naming file and import, on any other import.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');
const { tsFiles } = require('./ts-files');

const root = path.resolve(__dirname, '..');
const domainDir = path.join(root, 'libs', 'domain', 'src');
const allowed = (spec) => spec === 'decimal.js' || spec.startsWith('./') || spec.startsWith('../') || spec === '@ledger/domain';

let bad = 0;
for (const file of tsFiles(domainDir)) {
  const isTest = file.endsWith('.spec.ts');
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  for (const ref of info.importedFiles) {
    const spec = ref.fileName;
    // Tests may use node's test helpers (assert, etc.) but never the frameworks.
    if (spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(domainDir)) {
      console.error(`${path.relative(root, file)}: imports ${spec} from outside libs/domain`);
      bad += 1;
      continue;
    }
    if (allowed(spec) || (isTest && spec.startsWith('node:'))) continue;
    console.error(`${path.relative(root, file)}: imports '${spec}'; libs/domain may import only decimal.js and itself`);
    bad += 1;
  }
}
if (bad > 0) process.exit(1);
console.log('libs/domain imports: ok');
