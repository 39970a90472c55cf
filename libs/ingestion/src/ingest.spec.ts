import type { LedgerEvent } from '@ledger/domain';
import type { AppendItemResult } from '@ledger/ledger/append/ledger-writer';
import { ingestLines } from './ingest';
import { ndjsonLines } from './ndjson-lines';

describe('ingestLines', () => {
  it('never reads far ahead of what has been stored: memory stays bounded by the batch size', async () => {
    const TOTAL = 50_000;
    const BATCH = 500;
    let produced = 0;
    let stored = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < TOTAL; i += 1) {
        produced += 1;
        yield `{"eventId":"p${i}","type":"PaymentRecorded","effectiveDate":"2021-05-01","data":{"lineId":"L","amount":"1.00"}}\n`;
      }
    }
    const appender = {
      async append(events: readonly LedgerEvent[]): Promise<AppendItemResult[]> {
        maxAhead = Math.max(maxAhead, produced - stored);
        await new Promise((resolve) => setImmediate(resolve));
        stored += events.length;
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(stored + i), warnings: [] }));
      },
    };
    const summary = await ingestLines(ndjsonLines(source()), appender, BATCH);
    expect(summary).toMatchObject({ appended: TOTAL, duplicates: 0, rejected: [] });
    // The lines read but not yet stored never exceed one batch and the line being read.
    expect(maxAhead).toBeLessThanOrEqual(BATCH + 1);
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
