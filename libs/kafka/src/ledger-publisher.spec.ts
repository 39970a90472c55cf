import { THRESHOLD_CROSSED } from '@ledger/domain';
import { PgEventStore, type StoredEvent } from '@ledger/event-store';
import {
  createThrowawayDatabase,
  describeEachEngine,
  testEngines,
  type ThrowawayDatabase,
} from '@ledger/event-store/testing/test-databases';
import { LedgerWriter } from '@ledger/ledger';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';
import { departmentOf, LedgerPublisher, type PublishedEvent } from './ledger-publisher';
import { parsed, raw, RecordingSink, waitFor } from './testing/fixtures';

const LEDGER = 'ledger.events';
const ALERTS = 'ledger.alerts';

function publisherOn(
  db: ThrowawayDatabase,
  sink: RecordingSink,
  subscriptionId: string,
  registry = new MetricsRegistry(),
): LedgerPublisher {
  return new LedgerPublisher(new PgEventStore(db.db), sink, {
    ledgerTopic: LEDGER,
    alertsTopic: ALERTS,
    subscriptionId,
    batchSize: 7,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    maxRetryDelayMs: 40,
    watchIntervalMs: 10,
    logger: silentLogger(),
    metrics: ingestionMetrics(registry),
  });
}

async function storedIds(db: ThrowawayDatabase): Promise<string[]> {
  const rows = await db.db.query<{ event_id: string }>('SELECT event_id FROM ledger_events ORDER BY position');
  return rows.map((r) => r.event_id);
}

/** The last position committed. (The store's headPosition may lag behind it while any transaction runs on the server.) */
async function lastPosition(db: ThrowawayDatabase): Promise<bigint> {
  const rows = await db.db.query<{ position: bigint }>('SELECT max(position) AS position FROM ledger_events');
  return rows[0]?.position ?? 0n;
}

async function checkpoint(db: ThrowawayDatabase, subscriptionId: string): Promise<bigint | undefined> {
  const rows = await db.db.query<{ position: bigint }>('SELECT position FROM ledger_checkpoints WHERE subscription_id = $1', [
    subscriptionId,
  ]);
  return rows[0]?.position;
}

function published(sink: RecordingSink, topic: string): PublishedEvent[] {
  return sink.on(topic).map((m) => JSON.parse(m.value as string) as PublishedEvent);
}

/** The first occurrence of each eventId, in publishing order (what a consumer deduping on eventId keeps). */
function deduped(events: readonly PublishedEvent[]): string[] {
  return [...new Set(events.map((e) => e.eventId))];
}

async function writeDepartment(writer: LedgerWriter, department: string, payments: number, prefix: string): Promise<void> {
  const results = await writer.append([
    parsed(raw.opened(`${prefix}-L`, department)),
    parsed(raw.approved(`${prefix}-L`, '100000.00')),
    ...Array.from({ length: payments }, (_, i) => parsed(raw.payment(`${prefix}-pay-${i}`, `${prefix}-L`, '1.00'))),
  ]);
  expect(results.every((r) => r.status === 'appended')).toBe(true);
}

/** A ThresholdCrossed alert as the ledger records it, in the department-year's stream. */
async function recordAlert(db: ThrowawayDatabase, department: string, triggeredBy: string): Promise<void> {
  await new PgEventStore(db.db).append([
    {
      streamId: `budget-${department}-2021`,
      events: [
        {
          eventId: `alert:adjustment-transfer-10pct:${triggeredBy}`,
          type: THRESHOLD_CROSSED,
          effectiveDate: '2021-03-15',
          correction: false,
          data: {
            department,
            fiscalYear: 2021,
            rule: 'adjustment-transfer-10pct',
            value: '0.1200',
            threshold: '0.1000',
            points: '0.80',
            triggeredBy,
          },
          metadata: null,
        },
      ],
    },
  ]);
}

describeEachEngine('LedgerPublisher (the event table as outbox)', (get) => {
  it('holds everything while the broker is down, then catches up in order: stored = published, alerts on their topic', async () => {
    const db = get();
    const writer = new LedgerWriter(db.db, new PgEventStore(db.db));
    await writeDepartment(writer, '市贸促委', 12, 'a');
    await recordAlert(db, '市贸促委', 'a-pay-3');

    const sink = new RecordingSink();
    sink.down = true;
    const registry = new MetricsRegistry();
    const publisher = publisherOn(db, sink, 'outage', registry);
    publisher.start();
    try {
      await waitFor('several failed attempts', () => sink.failures >= 4);
      // Nothing went out, and the checkpoint did not move past what the broker never acknowledged.
      expect(sink.sent).toEqual([]);
      expect(await checkpoint(db, 'outage')).toBe(0n);
      expect(publisher.consecutiveFailures()).toBeGreaterThanOrEqual(1);

      // The ledger keeps working while the publisher is down.
      await writeDepartment(writer, 'D-2', 9, 'b');

      sink.down = false;
      const stored = await storedIds(db);
      expect(stored).toHaveLength(2 + 12 + 1 + 2 + 9);
      await waitFor('the publisher to catch up', () => sink.on(LEDGER).length >= stored.length);

      const out = published(sink, LEDGER);
      // Every stored event exactly once, in the order of the log; positions strictly increase.
      expect(out.map((e) => e.eventId)).toEqual(stored);
      out.forEach((e, i) => i > 0 && expect(BigInt(e.position)).toBeGreaterThan(BigInt(out[i - 1]!.position)));
      // Keyed by department, whether the event names it or only its stream does.
      expect(sink.on(LEDGER).map((m) => m.key)).toEqual([
        ...Array<string>(2 + 12 + 1).fill('市贸促委'),
        ...Array<string>(2 + 9).fill('D-2'),
      ]);
      expect(sink.on(LEDGER)[2]!.headers).toEqual({ eventId: 'a-pay-0', type: 'PaymentRecorded', position: out[2]!.position });
      expect(out[2]).toEqual({
        position: out[2]!.position,
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        eventId: 'a-pay-0',
        type: 'PaymentRecorded',
        effectiveDate: '2021-03-15',
        correction: false,
        data: { lineId: 'a-L', amount: '1.00', payee: 'supplier' },
        metadata: { source: 'treasury' },
      });
      expect(published(sink, ALERTS).map((e) => [e.type, e.eventId])).toEqual([
        [THRESHOLD_CROSSED, 'alert:adjustment-transfer-10pct:a-pay-3'],
      ]);
      expect(sink.on(ALERTS)[0]!.key).toBe('市贸促委');

      await waitFor(
        'the checkpoint to reach the last event',
        async () => (await checkpoint(db, 'outage')) === BigInt(out[out.length - 1]!.position),
      );
      expect(publisher.consecutiveFailures()).toBe(0);
      const metrics = ingestionMetrics(registry);
      expect(metrics.published.get({ topic: LEDGER })).toBe(stored.length);
      expect(metrics.published.get({ topic: ALERTS })).toBe(1);
      expect(metrics.publishFailures.get()).toBeGreaterThanOrEqual(4);
    } finally {
      await publisher.stop();
    }
  });

  it('resends a batch whose alerts failed (at-least-once), and a restarted publisher resumes after its checkpoint', async () => {
    const db = get();
    const writer = new LedgerWriter(db.db, new PgEventStore(db.db));
    await recordAlert(db, 'D-2', 'b-pay-1');

    const sink = new RecordingSink();
    sink.failOnceFor.add(ALERTS);
    const first = publisherOn(db, sink, 'restart');
    first.start();
    const stored = await storedIds(db);
    try {
      const head = await lastPosition(db);
      await waitFor('the first publisher to checkpoint the head', async () => (await checkpoint(db, 'restart')) === head);
    } finally {
      await first.stop();
    }
    const out = published(sink, LEDGER);
    // The batch with the alert was sent to the ledger topic twice: consumers dedupe on eventId.
    expect(out.length).toBeGreaterThan(stored.length);
    expect(deduped(out)).toEqual(stored);
    // A new subscription starts from the beginning of the log: every alert stored so far, once.
    const alerts = await db.db.query<{ event_id: string }>('SELECT event_id FROM ledger_events WHERE type = $1 ORDER BY position', [
      THRESHOLD_CROSSED,
    ]);
    expect(alerts.map((a) => a.event_id)).toContain('alert:adjustment-transfer-10pct:b-pay-1');
    expect(published(sink, ALERTS).map((e) => e.eventId)).toEqual(alerts.map((a) => a.event_id));

    // While no publisher runs, more is stored; a new instance publishes only that, in order.
    await writeDepartment(writer, 'D-3', 4, 'c');
    const sentBefore = sink.sent.length;
    const second = publisherOn(db, sink, 'restart');
    second.start();
    try {
      await waitFor('the second publisher to catch up', () => sink.sent.length - sentBefore >= 6);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await second.stop();
    }
    expect(sink.sent.slice(sentBefore).map((s) => (JSON.parse(s.message.value as string) as PublishedEvent).eventId)).toEqual([
      'open-c-L',
      'init-c-L',
      'c-pay-0',
      'c-pay-1',
      'c-pay-2',
      'c-pay-3',
    ]);
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const db = get();
    const store = new PgEventStore(db.db);
    await expect(
      store.withStreams(['budget-D-4-2021'], async (session) => {
        await session.append([
          {
            streamId: 'budget-D-4-2021',
            events: [
              {
                eventId: 'rolled-back',
                type: 'PaymentRecorded',
                effectiveDate: '2021-03-15',
                correction: false,
                data: { lineId: 'x', amount: '1.00' },
                metadata: null,
              },
            ],
          },
        ]);
        throw new Error('the append failed after the insert');
      }),
    ).rejects.toThrow('after the insert');
    await writeDepartment(new LedgerWriter(db.db, store), 'D-4', 2, 'd');

    const sink = new RecordingSink();
    const publisher = publisherOn(db, sink, 'rollback');
    publisher.start();
    const stored = await storedIds(db);
    try {
      await waitFor('the publisher to catch up', () => sink.on(LEDGER).length >= stored.length);
    } finally {
      await publisher.stop();
    }
    expect(stored).not.toContain('rolled-back');
    expect(published(sink, LEDGER).map((e) => e.eventId)).toEqual(stored);
  });
});

// Needs two connections (a transaction held open while the publisher reads): the server only.
const onServer = testEngines().includes('postgres') ? describe : describe.skip;

onServer('LedgerPublisher and a late commit [postgres]', () => {
  let server: ThrowawayDatabase | undefined;
  beforeAll(async () => {
    server = await createThrowawayDatabase('postgres');
  });
  afterAll(async () => {
    await server?.drop();
  });

  it('does not publish an event while its transaction is open, and does not skip it once committed', async () => {
    const db = server!;
    const store = new PgEventStore(db.db);
    const sink = new RecordingSink();
    await writeDepartment(new LedgerWriter(db.db, store), 'D-7', 1, 'f');
    const publisher = publisherOn(db, sink, 'in-flight');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    publisher.start();
    try {
      await waitFor(
        'the publisher to catch up with the log',
        async () => sink.on(LEDGER).length > 0 && publisher.position() === (await lastPosition(db)),
      );
      const slow = store.withStreams(['budget-D-5-2021'], async (session) => {
        await session.append([
          {
            streamId: 'budget-D-5-2021',
            events: [
              {
                eventId: 'slow-commit',
                type: 'PaymentRecorded',
                effectiveDate: '2021-03-15',
                correction: false,
                data: { lineId: 'x', amount: '1.00' },
                metadata: null,
              },
            ],
          },
        ]);
        await released;
      });
      // Committed meanwhile by a younger transaction: its positions are above the open one's.
      await writeDepartment(new LedgerWriter(db.db, store), 'D-6', 1, 'e');
      const attempts = sink.attempts;
      await new Promise((resolve) => setTimeout(resolve, 300)); // dozens of polls of the publisher
      expect(published(sink, LEDGER).map((e) => e.eventId)).not.toContain('slow-commit');

      release();
      await slow;
      const stored = await storedIds(db);
      expect(stored).toContain('slow-commit');
      await waitFor('every stored event to be published', () => deduped(published(sink, LEDGER)).length >= stored.length, 5_000);
      // In the order of the log: the late commit was not skipped by a follower that had seen younger events.
      expect(deduped(published(sink, LEDGER))).toEqual(stored);
      expect(sink.attempts).toBeGreaterThan(attempts);
    } finally {
      release();
      await publisher.stop();
    }
  });
});

describe('departmentOf', () => {
  const event = (data: Record<string, string>, streamId: string): Pick<StoredEvent, 'data' | 'streamId'> => ({ data, streamId });

  it('takes the department from the data when the event names it, else from the stream id', () => {
    expect(departmentOf(event({ department: 'D-1', lineId: 'L' }, 'budget-D-1-2021'))).toBe('D-1');
    expect(departmentOf(event({ lineId: 'L' }, 'budget-市贸促委-2021'))).toBe('市贸促委');
    expect(departmentOf(event({ lineId: 'L' }, 'budget-a-b-c-2022'))).toBe('a-b-c');
    expect(departmentOf(event({ lineId: 'L' }, 'other-stream'))).toBe('other-stream');
  });
});
