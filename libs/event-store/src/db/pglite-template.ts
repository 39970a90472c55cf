import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A new embedded store starts from a data directory that `npm run build` prepared (initdb'd and
 * migrated, dumped as a tarball beside the built code: tools/build.js) instead of running initdb:
 * PGlite's initdb alone peaks near 900 MB of RSS, loading the tarball near a third of that.
 * Sources run without a build have no template and fall back to initdb. Migrations newer than the
 * template are applied on open as for any store, so a stale template costs time, never correctness.
 */
export const PGLITE_TEMPLATE_FILE = path.resolve(__dirname, '../../../../infra/pglite/template.tar.gz');

/** The template to load into `dataDir`, or undefined when the directory already holds a database or no template was built. */
export function pgliteTemplateFor(dataDir: string | undefined, templateFile: string = PGLITE_TEMPLATE_FILE): Blob | undefined {
  if (dataDir !== undefined && fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return undefined;
  if (!fs.existsSync(templateFile)) return undefined;
  return new Blob([fs.readFileSync(templateFile)]);
}
