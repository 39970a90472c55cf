import { PgEventStore } from '@ledger/event-store';
import { describeEachEngine } from '@ledger/event-store/testing/test-databases';
import { LedgerWriter } from '@ledger/ledger';
import { eventParseOptionsFromEnv } from '@ledger/ingestion';
import { Ingestion } from '@ledger/ingestion';
import { PaymentPipeline } from './payment-pipeline';
import { FakeTopic, raw } from './testing/fixtures';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';

/** A payment whose metadata carries `bytes` bytes of text. */
const padded = (eventId: string, bytes: number) => ({
  ...raw.payment(eventId, 'L-A', '1.00'),
  metadata: { source: 'treasury', note: 'x'.repeat(bytes) },
});

describeEachEngine('one event size limit on every way in', (get) => {
  let writer: LedgerWriter;
  beforeAll(async () => {
    writer = new LedgerWriter(get().db, new PgEventStore(get().db));
    const setup = new Ingestion(writer);
    await setup.addValue(1, raw.opened('L-A', 'D1'));
    await setup.addValue(2, raw.approved('L-A', '1000000.00'));
    expect((await setup.finish()).appended).toBe(2);
  });

  it('refuses an oversized event in a JSON array and in NDJSON, naming the event, and stores the rest', async () => {
    const ingestion = new Ingestion(writer);
    await ingestion.addValue(1, padded('big-array', 10 * 1024 * 1024));
    await ingestion.addValue(2, padded('fits-array', 60 * 1024));
    await ingestion.addLine({ lineNo: 3, text: JSON.stringify(padded('big-ndjson', 70 * 1024)) });
    await ingestion.addLine({ lineNo: 4, text: JSON.stringify(padded('fits-ndjson', 100)) });
    const summary = await ingestion.finish();
    expect(summary.appended).toBe(2);
    expect(summary.rejected).toEqual([
      {
        line: 1,
        eventId: 'big-array',
        code: 'EVENT_TOO_LARGE',
        field: 'metadata',
        error: expect.stringMatching(
          /^event big-array: metadata: is 10485939 bytes as JSON \(its metadata 10485791\); an event may be at most 65536 bytes$/,
        ),
      },
      expect.objectContaining({ line: 3, eventId: 'big-ndjson', code: 'EVENT_TOO_LARGE' }),
    ]);
    const stored = await new PgEventStore(get().db).readStream('budget-D1-2021');
    expect(stored.map((e) => e.eventId)).not.toContain('big-array');
  });

  it('refuses it from Kafka alike, to the dead-letter topic with the same reason', async () => {
    const pipeline = new PaymentPipeline(writer, { logger: silentLogger(), metrics: ingestionMetrics(new MetricsRegistry()) });
    const topic = new FakeTopic('treasury.payments');
    const result = await pipeline.process([
      topic.produce(0, 'D1', padded('big-kafka', 80 * 1024)),
      topic.produce(0, 'D1', padded('ok-kafka', 10)),
    ]);
    expect(result.processed.map((p) => p.outcome.status)).toEqual(['dead-letter', 'stored']);
    expect(result.processed[0]?.outcome).toMatchObject({ reason: { code: 'EVENT_TOO_LARGE', field: 'metadata' } });
  });

  it('counts bytes, not characters, and takes its limit from LEDGER_MAX_EVENT_BYTES', async () => {
    const options = eventParseOptionsFromEnv({ LEDGER_MAX_EVENT_BYTES: '4096' });
    const ingestion = new Ingestion(writer, 1000, options);
    // 1,500 characters of three bytes each: 4,500 bytes.
    await ingestion.addValue(1, { ...raw.payment('cjk', 'L-A', '1.00'), metadata: { note: '预'.repeat(1500) } });
    await ingestion.addValue(2, { ...raw.payment('ascii', 'L-A', '1.00'), metadata: { note: 'x'.repeat(1500) } });
    const summary = await ingestion.finish();
    expect(summary.rejected.map((r) => [r.eventId, r.code])).toEqual([['cjk', 'EVENT_TOO_LARGE']]);
    expect(summary.appended).toBe(1);
    expect(() => eventParseOptionsFromEnv({ LEDGER_MAX_EVENT_BYTES: 'lots' })).toThrow(/LEDGER_MAX_EVENT_BYTES/);
    expect(eventParseOptionsFromEnv({})).toEqual({ maxEventBytes: 65536 });
  });
});
