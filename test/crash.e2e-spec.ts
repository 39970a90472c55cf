import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PgEventStore, PostgresDatabase } from '@ledger/event-store';
import { createThrowawayDatabase, testEngines, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { queryView } from '@ledger/reporting';

const ROOT = path.resolve(__dirname, '..');

function appendProcess(url: string, file: string) {
  return spawn(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', 'append', file, '--json', '--batch-size', '200'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Nothing acknowledged is lost and nothing is counted twice when `ledger append` is killed in the
 * middle of a file (SIGKILL: no cleanup at all) and the same file is appended again.
 */
const describeServer = testEngines().includes('postgres') ? describe : describe.skip;

describeServer('append killed mid-file, then restarted [postgres]', () => {
  let server: ThrowawayDatabase;
  let dir: string;
  const PAYMENTS = 20_000;

  beforeAll(async () => {
    server = await createThrowawayDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-crash-'));
  });
  afterAll(async () => {
    await server.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every event exactly once across the crash', async () => {
    const file = path.join(dir, 'payments.ndjson');
    const lines = [
      '{"eventId":"L-open","type":"BudgetLineOpened","effectiveDate":"2021-01-01","data":{"lineId":"L","department":"D","fiscalYear":2021,"kind":"basic"}}',
      '{"eventId":"L-init","type":"InitialBudgetApproved","effectiveDate":"2021-01-01","data":{"lineId":"L","amount":"100000000.00"}}',
    ];
    for (let i = 0; i < PAYMENTS; i += 1) {
      lines.push(`{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.25"}}`);
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    const url = server.url as string;
    const observer = new PostgresDatabase(url, { maxConnections: 1 });
    try {
      const first = appendProcess(url, file);
      // Kill it once some batches have committed and while others are in flight.
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [row] = await observer.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events');
        if ((row?.n ?? 0n) >= 2_000n) break;
      }
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const [partial] = await observer.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events');
      expect(partial!.n).toBeLessThan(BigInt(lines.length));

      const second = appendProcess(url, file);
      let stdout = '';
      second.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise((resolve) => second.once('exit', resolve));
      expect(code).toBe(0);
      const summary = JSON.parse(stdout);
      expect(summary.rejected).toEqual([]);
      expect(summary.appended + summary.duplicates).toBe(lines.length);
      expect(BigInt(summary.duplicates)).toBe(partial!.n);

      const [total] = await observer.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events');
      expect(total!.n).toBe(BigInt(lines.length));
      const view = await queryView(observer, { department: 'D', asOf: '2021-12-31' });
      expect(view.total.executed).toBe('25000.00');
      expect(await new PgEventStore(observer).verify()).toMatchObject({ ok: true, events: lines.length });
    } finally {
      await observer.close();
    }
  });
});
