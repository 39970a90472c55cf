import { CopyFailedError } from './database';
import { describeEachEngine } from '../testing/test-databases';

describeEachEngine('Transaction.copyFrom', (get) => {
  beforeAll(async () => {
    await get().db.query('CREATE TABLE copied (n int PRIMARY KEY, label text NOT NULL, doc jsonb, CHECK (n < 1000))');
  });

  async function labels(): Promise<string[]> {
    return (await get().db.query<{ label: string }>('SELECT label FROM copied ORDER BY n')).map((row) => row.label);
  }

  it('loads the rows of every chunk, made while the earlier ones are sent, then runs the statement behind them', async () => {
    const made: number[] = [];
    async function* chunks(): AsyncGenerator<string> {
      for (let c = 0; c < 3; c += 1) {
        made.push(c);
        yield `${c * 2}\tchunk ${c}\t{"c":${c}}\n${c * 2 + 1}\ttab\\there\t\\N\n`;
      }
    }
    const total = await get().db.transaction(async (tx) => {
      await tx.copyFrom('copied', ['n', 'label', 'doc'], chunks(), () => ({
        text: 'INSERT INTO copied (n, label) SELECT max(n) + 1, $1 FROM copied',
        params: ['after'],
      }));
      return (await tx.query<{ count: bigint }>('SELECT count(*) AS count FROM copied'))[0]?.count;
    });
    expect(made).toEqual([0, 1, 2]);
    expect(total).toBe(7n);
    expect(await labels()).toEqual(['chunk 0', 'tab\there', 'chunk 1', 'tab\there', 'chunk 2', 'tab\there', 'after']);
    await get().db.query('DELETE FROM copied');
  });

  it('fails with the transaction when a row is refused, even the last one, and leaves the connection usable', async () => {
    const refusals: [string, string][] = [
      ['1\tfine\t\\N\n1000\trefused by the check\t\\N\n', '23514'],
      ['1\tfine\t\\N\n2\tnot json\t{oops\n', '22P02'],
      ['1\tfine\t\\N\n1\tduplicate key\t\\N\n', '23505'],
    ];
    for (const [rows, code] of refusals) {
      const error = await get()
        .db.transaction(async (tx) => {
          await tx.copyFrom('copied', ['n', 'label', 'doc'], [rows]);
          await tx.query("INSERT INTO copied (n, label) VALUES (500, 'must not stay')");
        })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      // PGlite hands the server's error over; postgres.js does not always (porsager/postgres#1173).
      const reported = error instanceof CopyFailedError ? error.code : (error as { code?: unknown } | undefined)?.code;
      expect(get().engine === 'pglite' ? [code] : [code, 'COPY_FAILED']).toContain(reported);
      expect(await labels()).toEqual([]);
    }
    await get().db.transaction(async (tx) => tx.copyFrom('copied', ['n', 'label'], ['7\tlast\n']));
    expect(await labels()).toEqual(['last']);
  });

  it('abandons the COPY when making a chunk fails, with that error', async () => {
    function* chunks(): Generator<string> {
      yield '8\tfirst\n';
      throw new Error('no second chunk');
    }
    await expect(get().db.transaction(async (tx) => tx.copyFrom('copied', ['n', 'label'], chunks()))).rejects.toThrow('no second chunk');
    expect(await labels()).toEqual(['last']);
  });
});
