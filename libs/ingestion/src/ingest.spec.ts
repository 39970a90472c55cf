import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '@ledger/domain';
import { ingestLines } from './ingest';
import { ndjsonLines } from './ndjson-lines';

describe('ingestLines', () => {
  it('reads the next batch while one is stored, never a third: memory stays bounded, appends stay in order', async () => {
    const TOTAL = 50_000;
    const BATCH = 500;
    let produced = 0;
    let stored = 0;
    let maxAhead = 0;
    let appending = 0;
    let maxAppending = 0;
    const firstIds: string[] = [];
    async function* source() {
      for (let i = 0; i < TOTAL; i += 1) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - stored);
        yield `{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n`;
      }
    }
    const appender = {
      async append(events: readonly LedgerEvent[]): Promise<AppendItemResult[]> {
        appending += 1;
        maxAppending = Math.max(maxAppending, appending);
        firstIds.push(events[0]?.eventId ?? '');
        await new Promise((resolve) => setTimeout(resolve, 1));
        const first = stored;
        stored += events.length;
        appending -= 1;
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(first + i), warnings: [] }));
      },
    };
    const summary = await ingestLines(ndjsonLines(source()), appender, BATCH);
    expect(summary).toMatchObject({ appended: TOTAL, duplicates: 0, rejected: [] });
    expect(maxAppending).toBe(1);
    expect(firstIds).toEqual(Array.from({ length: TOTAL / BATCH }, (_, k) => `p${k * BATCH}`));
    // While a batch is stored the next one is read (more than one batch ahead), but not a third.
    expect(maxAhead).toBeGreaterThan(BATCH + 1);
    expect(maxAhead).toBeLessThanOrEqual(2 * BATCH + 1);
  });

  it('prepares the next batch while one is stored, hands each append its own preparation, and lets I/O run meanwhile', async () => {
    const BATCH = 256;
    const TOTAL = 3 * BATCH;
    const log: string[] = [];
    let storing: string | undefined;
    let readSoFar = 0;
    const appender = {
      prepare(events: readonly LedgerEvent[]): string {
        log.push(`prepare ${events[0]?.eventId} while storing ${storing ?? 'nothing'}`);
        return `prepared ${events[0]?.eventId}`;
      },
      async append(events: readonly LedgerEvent[], prepared?: unknown): Promise<AppendItemResult[]> {
        expect(prepared).toBe(`prepared ${events[0]?.eventId}`);
        storing = events[0]?.eventId;
        // The store waits on I/O (turns of the event loop here, a socket in life) until the next
        // batch is read: the turns must come while it is read, not only once it is full.
        const end = Math.min(Number(storing?.slice(1)) + 2 * BATCH - 1, TOTAL - 1);
        let turns = 0;
        while (readSoFar < end) {
          await new Promise((resolve) => setImmediate(resolve));
          turns += 1;
        }
        if (Number(storing?.slice(1)) + BATCH < TOTAL) log.push(`${storing} saw ${turns > 1 ? 'several turns' : 'one turn'}`);
        storing = undefined;
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(i), warnings: [] }));
      },
    };
    async function* source() {
      for (let i = 0; i < TOTAL; i += 1) {
        readSoFar = i;
        yield `{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n`;
      }
    }
    const summary = await ingestLines(ndjsonLines(source()), appender, BATCH);
    expect(summary.appended).toBe(TOTAL);
    expect(log).toEqual([
      'prepare p0 while storing nothing',
      'prepare p256 while storing p0',
      'p0 saw several turns',
      'prepare p512 while storing p256',
      'p256 saw several turns',
    ]);
  });

  it('reports a failed store, and stores no batch after it', async () => {
    const calls: number[] = [];
    const appender = {
      async append(events: readonly LedgerEvent[]): Promise<AppendItemResult[]> {
        calls.push(events.length);
        await new Promise((resolve) => setImmediate(resolve));
        if (calls.length === 2) throw new Error('the database went away');
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(i), warnings: [] }));
      },
    };
    async function* source() {
      for (let i = 0; i < 10; i += 1) {
        yield `{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n`;
      }
    }
    await expect(ingestLines(ndjsonLines(source()), appender, 2)).rejects.toThrow('the database went away');
    expect(calls).toEqual([2, 2]);
  });

  it('refuses bad lines by number, keeps the good ones beside them, and lists refusals in input order', async () => {
    async function* source() {
      yield '{"eventId":"a","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n';
      yield '{oops\n';
      yield '{"eventId":"b","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"-1.00"}}\n';
      yield '{"eventId":"c","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"2.00"}}\n';
    }
    const appender = {
      async append(events: readonly LedgerEvent[]): Promise<AppendItemResult[]> {
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(i + 1), warnings: [] }));
      },
    };
    const summary = await ingestLines(ndjsonLines(source()), appender, 10);
    expect(summary.appended).toBe(2);
    expect(summary.rejected.map((r) => [r.line, r.eventId, r.code, r.field])).toEqual([
      [2, null, 'INVALID_JSON', null],
      [3, 'b', 'INVALID_EVENT', 'data.amount'],
    ]);
  });
});
