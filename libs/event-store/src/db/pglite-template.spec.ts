import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMigrations, migrate } from './migrate';
import { PgliteDatabase } from './pglite-database';
import { pgliteTemplateFor } from './pglite-template';

// Two PGlite starts, one of them initdb: slow on a busy machine, so a generous timeout.
jest.setTimeout(180_000);

describe('PGlite store template', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-template-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('offers no template when none was built, or when the directory already holds a database', () => {
    const template = path.join(dir, 'template.tar.gz');
    expect(pgliteTemplateFor(path.join(dir, 'store'), template)).toBeUndefined();
    fs.writeFileSync(template, 'x');
    expect(pgliteTemplateFor(path.join(dir, 'store'), template)).toBeInstanceOf(Blob);
    expect(pgliteTemplateFor(undefined, template)).toBeInstanceOf(Blob);
    fs.mkdirSync(path.join(dir, 'store'));
    fs.writeFileSync(path.join(dir, 'store', 'PG_VERSION'), '17');
    expect(pgliteTemplateFor(path.join(dir, 'store'), template)).toBeUndefined();
  });

  it('starts a new store from a migrated template, then reopens it as it left it', async () => {
    const template = path.join(dir, 'template.tar.gz');
    const source = await PgliteDatabase.open();
    await migrate(source);
    fs.writeFileSync(template, Buffer.from(await (await source.dumpDataDir()).arrayBuffer()));
    await source.close();

    const store = path.join(dir, 'store');
    const db = await PgliteDatabase.open(store, { templateFile: template });
    const names = (await db.query<{ name: string }>('SELECT name FROM ledger_migrations ORDER BY name')).map((r) => r.name);
    expect(names).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    await db.exec('CREATE TABLE template_spec_marker (a int)');
    await db.close();

    // The directory now holds a database: the template is not loaded over it (PGlite would refuse).
    const reopened = await PgliteDatabase.open(store, { templateFile: template });
    expect(await reopened.query("SELECT to_regclass('template_spec_marker') IS NOT NULL AS present")).toEqual([{ present: true }]);
    await reopened.close();
  });
});
