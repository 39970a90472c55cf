import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '@ledger/ledger/append/ledger-writer';
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
      for (let i = 0; i < 10; i += 1)
        yield `{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n`;
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
