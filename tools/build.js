'use strict';
// `npm run build`: compiles apps/ and libs/ to plain CommonJS in dist/ that runs with `node` alone
// (`node dist/apps/cli/src/main.js`), then prepares the embedded store's template (see
// tools/make-pglite-template.js). swc rather than tsc: the same compiler and settings as the
// tests and tools/register.js, and a second rather than a minute on a busy machine — type checking
// is `npm run typecheck`'s job. The @ledger/* aliases become relative paths (swc's jsc.paths), and
// dist/ keeps the source tree's layout so that paths computed from __dirname (infra/migrations,
// infra/kafka/topics.json) resolve inside dist/ exactly as they do in the sources.
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
const { table } = require('./aliases.js');
const baseOptions = require('./swc-options.js');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist');
const SOURCE_DIRS = ['apps', 'libs'];
// What ships: the same selection as tsconfig.build.json (no tests, no test harnesses).
const isTestOnly = (file) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file) || file.split(path.sep).includes('testing');
// Front ends bundled by their own tool (the browser console, with Vite) are not Node code.
const OWN_BUILD = [path.join(root, 'apps', 'console')];
const skipped = (file) => isTestOnly(file) || OWN_BUILD.some((dir) => file.startsWith(dir + path.sep));
// Files the compiled code reads at run time, found relative to its own location.
const ASSETS = [
  { from: 'infra/migrations', match: /\.sql$/ },
  { from: 'infra/kafka', match: /\.json$/ },
];

const paths = {};
for (const [alias, dir] of Object.entries(table)) {
  paths[alias] = [path.join(dir, 'index.ts')];
  paths[`${alias}/*`] = [path.join(dir, '*')];
}
const options = {
  ...baseOptions,
  jsc: { ...baseOptions.jsc, baseUrl: root, paths },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function compile() {
  let files = 0;
  for (const sourceDir of SOURCE_DIRS) {
    for (const file of walk(path.join(root, sourceDir))) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts') || skipped(file)) continue;
      const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
      const { code, map } = swc.transformFileSync(file, {
        ...options,
        filename: file,
        outputPath: target,
        sourceFileName: path.relative(path.dirname(target), file),
      });
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
      if (map !== undefined) fs.writeFileSync(`${target}.map`, map);
      files += 1;
    }
  }
  return files;
}

function copyAssets() {
  for (const asset of ASSETS) {
    const dir = path.join(root, asset.from);
    fs.mkdirSync(path.join(out, asset.from), { recursive: true });
    for (const name of fs.readdirSync(dir).filter((n) => asset.match.test(n))) {
      fs.copyFileSync(path.join(dir, name), path.join(out, asset.from, name));
    }
  }
}

function assertNoAliasLeft() {
  for (const file of walk(out)) {
    if (!file.endsWith('.js')) continue;
    const match = /require\("(@ledger\/[^"]*)"\)/.exec(fs.readFileSync(file, 'utf8'));
    if (match !== null) throw new Error(`${path.relative(root, file)} still requires ${match[1]}: the alias rewrite missed it`);
  }
}

/**
 * The embedded store's template (libs/event-store/src/db/pglite-template.ts): initdb and every
 * migration, run once here with the built code, so that a new data directory is a tarball to unpack.
 */
async function writePgliteTemplate() {
  const { PgliteDatabase, migrate, PGLITE_TEMPLATE_FILE } = require(path.join(out, 'libs/event-store/src'));
  const db = await PgliteDatabase.open();
  try {
    await migrate(db);
    const tarball = await db.dumpDataDir();
    fs.mkdirSync(path.dirname(PGLITE_TEMPLATE_FILE), { recursive: true });
    fs.writeFileSync(PGLITE_TEMPLATE_FILE, Buffer.from(await tarball.arrayBuffer()));
    return path.relative(root, PGLITE_TEMPLATE_FILE);
  } finally {
    await db.close();
  }
}

async function main() {
  const started = Date.now();
  fs.rmSync(out, { recursive: true, force: true });
  const files = compile();
  copyAssets();
  assertNoAliasLeft();
  process.stdout.write(`build: ${files} files compiled to dist/ in ${Date.now() - started} ms\n`);
  const templateStarted = Date.now();
  const template = await writePgliteTemplate();
  process.stdout.write(`build: embedded store template ${template} in ${Date.now() - templateStarted} ms\n`);
}

main().catch((error) => {
  process.stderr.write(`build failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
