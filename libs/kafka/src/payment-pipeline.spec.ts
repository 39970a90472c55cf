import { PgEventStore } from '@ledger/event-store';
import { describeEachEngine, type ThrowawayDatabase } from '@ledger/event-store/testing/test-databases';
import { LedgerWriter } from '@ledger/ledger';
import type { BatchAppender } from '@ledger/ingestion';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, MetricsRegistry } from '@ledger/observability';
import {
  commitsOf,
  deadLetterMessage,
  PaymentPipeline,
  processAndCommit,
  type BatchResult,
  type ConsumedMessage,
  type DeadLetterRecord,
  type MessageOutcome,
} from './payment-pipeline';
import { FakeTopic, parsed, raw, RecordingSink } from './testing/fixtures';

const DLQ = 'treasury.payments.dlq';

function writerOn(db: ThrowawayDatabase): LedgerWriter {
  return new LedgerWriter(db.db, new PgEventStore(db.db));
}

function pipelineOn(appender: BatchAppender, batchSize = 1_000, registry = new MetricsRegistry()): PaymentPipeline {
  return new PaymentPipeline(appender, {
    batchSize,
    logger: silentLogger(),
    metrics: ingestionMetrics(registry),
    now: () => new Date('2021-05-01T00:00:00.000Z'),
  });
}

/** The outcome in a comparable form: status, eventId, and the reason code and field of a dead letter. */
function summary(outcome: MessageOutcome): unknown {
  switch (outcome.status) {
    case 'stored':
    case 'duplicate':
      return [outcome.status, outcome.eventId];
    case 'dead-letter':
      return [outcome.status, outcome.eventId, outcome.reason.code, outcome.reason.field];
  }
}

async function executedFen(db: ThrowawayDatabase): Promise<Record<string, bigint>> {
  const rows = await db.db.query<{ line_id: string; executed_fen: bigint }>(
    'SELECT line_id, executed_fen FROM ledger_lines ORDER BY line_id',
  );
  return Object.fromEntries(rows.map((r) => [r.line_id, r.executed_fen]));
}

async function eventCount(db: ThrowawayDatabase): Promise<bigint> {
  const rows = await db.db.query<{ n: bigint }>('SELECT count(*) AS n FROM ledger_events');
  return (rows[0] as { n: bigint }).n;
}

/** Fails the appender's Nth call, after the calls before it were stored: a crash in the middle of a batch. */
function failingOnCall(appender: BatchAppender, failingCall: number): BatchAppender {
  let calls = 0;
  return {
    append: async (events) => {
      calls += 1;
      if (calls === failingCall) throw new Error('connection to the database lost');
      return appender.append(events);
    },
  };
}

describeEachEngine('PaymentPipeline, message by message', (get) => {
  it('stores valid payments in order and dead-letters every bad message with its reason, without blocking the partition', async () => {
    const db = get();
    const topic = new FakeTopic('treasury.payments');
    const registry = new MetricsRegistry();
    const pipeline = pipelineOn(writerOn(db), 4, registry);
    const sink = new RecordingSink();
    const commit = (commits: readonly { topic: string; partition: number; offset: string }[]) => Promise.resolve(topic.commit(commits));

    // The lines first (treasury may send any event type), keyed by department like the payments.
    topic.produce(0, 'D1', raw.opened('L-A', 'D1'));
    topic.produce(0, 'D1', raw.approved('L-A', '1000.00'));
    topic.produce(1, 'D2', raw.opened('L-B', 'D2'));
    topic.produce(1, 'D2', raw.approved('L-B', '500.00'));
    const setup = await processAndCommit(pipeline, topic.uncommitted(), { deadLetters: sink, deadLetterTopic: DLQ, commit });
    expect(setup.processed.map((p) => p.outcome.status)).toEqual(['stored', 'stored', 'stored', 'stored']);

    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    const batch: ConsumedMessage[] = [
      topic.produce(0, 'D1', raw.payment('pay-1', 'L-A', '100.00')),
      topic.produce(0, 'D1', raw.payment('pay-1', 'L-A', '100.00')),
      topic.produce(0, 'D1', raw.payment('pay-1', 'L-A', '200.00')),
      topic.produce(0, 'D1', '{"eventId": "pay-x", "type": '),
      topic.produce(0, 'D1', { ...raw.payment('cancel-1', 'L-A', '1.00'), type: 'PaymentCancelled' }),
      topic.produce(0, 'D1', raw.payment('pay-2', 'L-UNKNOWN', '10.00')),
      topic.produce(0, 'D1', raw.payment('pay-3', 'L-A', '950.00')),
      topic.produce(0, 'D1', raw.payment('pay-4', 'L-A', '12.345')),
      topic.produce(0, 'D1', null),
      topic.produce(0, 'D1', invalidUtf8),
      topic.produce(0, 'D1', raw.payment('pay-5', 'L-A', '900.00')),
      topic.produce(1, 'D2', raw.payment('pay-b1', 'L-B', '50.00')),
      topic.produce(1, 'D2', raw.payment('pay-b2', 'L-B', '25.50')),
      topic.produce(1, 'D2', raw.reversal('rev-b1', 'pay-b1', '60.00')),
      topic.produce(1, 'D2', raw.reversal('rev-b2', 'pay-b1', '10.00')),
      topic.produce(1, 'D2', raw.approved('L-B', '500.00')),
    ];
    const result = await processAndCommit(pipeline, topic.uncommitted(), { deadLetters: sink, deadLetterTopic: DLQ, commit });

    expect(result.processed.map((p) => p.message)).toEqual(batch);
    expect(result.processed.map((p) => summary(p.outcome))).toEqual([
      ['stored', 'pay-1'],
      ['duplicate', 'pay-1'],
      ['dead-letter', 'pay-1', 'EVENT_ID_CONFLICT', 'eventId'],
      ['dead-letter', null, 'INVALID_JSON', null],
      ['dead-letter', 'cancel-1', 'UNKNOWN_EVENT_TYPE', 'type'],
      ['dead-letter', 'pay-2', 'LINE_NOT_FOUND', 'data.lineId'],
      ['dead-letter', 'pay-3', 'LINE_OVERDRAWN', 'data.amount'],
      ['dead-letter', 'pay-4', 'INVALID_EVENT', 'data.amount'],
      ['dead-letter', null, 'INVALID_JSON', null],
      ['dead-letter', null, 'INVALID_JSON', null],
      // The refusals before it did not block the partition: the last payment of D1 is stored.
      ['stored', 'pay-5'],
      ['stored', 'pay-b1'],
      ['stored', 'pay-b2'],
      ['dead-letter', 'rev-b1', 'REVERSAL_EXCEEDS_PAYMENT', 'data.amount'],
      ['stored', 'rev-b2'],
      ['duplicate', 'init-L-B'],
    ]);
    expect([result.stored, result.duplicates, result.deadLettered]).toEqual([5, 2, 9]);
    // A duplicate answers with the position of what was stored first.
    const [first, second] = result.processed;
    expect(
      first?.outcome.status === 'stored' && second?.outcome.status === 'duplicate' && first.outcome.position === second.outcome.position,
    ).toBe(true);

    // Positions follow the messages: per-department order is the order of the partition.
    const positions = result.processed.flatMap((p) => (p.outcome.status === 'stored' ? [p.outcome.position] : []));
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);

    // Every dead letter carries the original bytes, where they came from and why.
    const dead = sink.on(DLQ);
    const deadMessages = result.processed.filter((p) => p.outcome.status === 'dead-letter');
    expect(dead).toHaveLength(9);
    dead.forEach((letter, i) => {
      const { message, outcome } = deadMessages[i]!;
      const record = JSON.parse(letter.value as string) as DeadLetterRecord;
      expect(record.source).toEqual({
        topic: 'treasury.payments',
        partition: message.partition,
        offset: message.offset,
        keyBase64: message.key!.toString('base64'),
      });
      expect(record.valueBase64 === null ? null : Buffer.from(record.valueBase64, 'base64')).toEqual(message.value);
      expect(outcome.status === 'dead-letter' && record.reason).toEqual(outcome.status === 'dead-letter' && outcome.reason);
      expect(record.deadLetteredAt).toBe('2021-05-01T00:00:00.000Z');
      expect(letter.key).toEqual(message.key);
      expect(letter.headers).toEqual({
        'x-dead-letter-code': record.reason.code,
        'x-source-topic': 'treasury.payments',
        'x-source-partition': String(message.partition),
        'x-source-offset': message.offset,
      });
    });
    const overdrawn = JSON.parse(dead[4]!.value as string) as DeadLetterRecord;
    expect(overdrawn.reason.message).toBe('event pay-3: data.amount: payment 950.00 exceeds the available 900.00 of line L-A');

    // Committed: past the last message of each partition.
    expect(result.commits).toEqual([
      { topic: 'treasury.payments', partition: 0, offset: '13' },
      { topic: 'treasury.payments', partition: 1, offset: '7' },
    ]);
    expect(topic.uncommitted()).toEqual([]);

    expect(await executedFen(db)).toEqual({ 'L-A': 100000n, 'L-B': 6550n });
    expect(await eventCount(db)).toBe(4n + 5n);

    const metrics = ingestionMetrics(registry);
    expect(metrics.consumed.get({ topic: 'treasury.payments' })).toBe(4 + 16);
    expect(metrics.stored.get({ source: 'kafka' })).toBe(4 + 5);
    expect(metrics.duplicates.get({ source: 'kafka' })).toBe(2);
    expect(metrics.deadLettered.get({ source: 'kafka', code: 'INVALID_JSON' })).toBe(3);
    expect(metrics.deadLettered.get({ source: 'kafka', code: 'LINE_OVERDRAWN' })).toBe(1);
  });

  it('refuses a message larger than the limit without parsing it', async () => {
    const pipeline = new PaymentPipeline(writerOn(get()), {
      maxMessageBytes: 64,
      logger: silentLogger(),
      metrics: ingestionMetrics(new MetricsRegistry()),
    });
    const topic = new FakeTopic('treasury.payments');
    const result = await pipeline.process([topic.produce(0, 'D1', raw.payment('pay-big', 'L-A', '1.00'))]);
    expect(result.processed.map((p) => summary(p.outcome))).toEqual([['dead-letter', null, 'LINE_TOO_LONG', null]]);
  });
});

describeEachEngine('PaymentPipeline, crash between store and commit', (get) => {
  const topic = new FakeTopic('treasury.payments');
  const deadLetters = new RecordingSink();
  const crash = () => Promise.reject(new Error('process killed before the commit'));
  const commit = (commits: readonly { topic: string; partition: number; offset: string }[]) => Promise.resolve(topic.commit(commits));

  it('re-delivers after a crash before the commit: the stored events come back as duplicates, never counted twice', async () => {
    const db = get();
    topic.produce(0, 'D1', raw.opened('L-A', 'D1'));
    topic.produce(0, 'D1', raw.approved('L-A', '1000.00'));
    topic.produce(1, 'D2', raw.opened('L-B', 'D2'));
    topic.produce(1, 'D2', raw.approved('L-B', '1000.00'));
    for (let i = 1; i <= 20; i += 1) topic.produce(0, 'D1', raw.payment(`pay-a${i}`, 'L-A', '10.01'));
    for (let i = 1; i <= 10; i += 1) topic.produce(1, 'D2', raw.payment(`pay-b${i}`, 'L-B', '3.33'));
    topic.produce(0, 'D1', raw.payment('pay-a3', 'L-A', '10.01')); // a duplicate sent by treasury
    topic.produce(1, 'D2', 'not json');
    topic.produce(1, 'D2', raw.payment('pay-b-over', 'L-B', '999.00'));
    const delivered = topic.uncommitted();
    expect(delivered).toHaveLength(37);

    // First run: everything is stored, the dead letters are produced, and the process dies before committing.
    const first = pipelineOn(writerOn(db), 5);
    await expect(processAndCommit(first, delivered, { deadLetters, deadLetterTopic: DLQ, commit: crash })).rejects.toThrow(
      'process killed',
    );
    expect(topic.committedOffset(0)).toBeUndefined();
    expect(await eventCount(db)).toBe(34n);
    expect(await executedFen(db)).toEqual({ 'L-A': 20020n, 'L-B': 3330n });

    // Restart: a new pipeline on a new store instance; the broker delivers the same messages again.
    const redelivered = topic.uncommitted();
    expect(redelivered).toEqual(delivered);
    const second = pipelineOn(writerOn(db), 7);
    const result = await processAndCommit(second, redelivered, { deadLetters, deadLetterTopic: DLQ, commit });
    expect([result.stored, result.duplicates, result.deadLettered]).toEqual([0, 35, 2]);
    expect(
      result.processed
        .filter((p) => p.outcome.status === 'dead-letter')
        .map((p) => (p.outcome as { reason: { code: string } }).reason.code),
    ).toEqual(['INVALID_JSON', 'LINE_OVERDRAWN']);
    expect([topic.committedOffset(0), topic.committedOffset(1)]).toEqual(['23', '14']);
    expect(topic.uncommitted()).toEqual([]);

    // Exact after the restart: 4 setup events + 20 + 10 payments, each counted once.
    expect(await eventCount(db)).toBe(34n);
    expect(await executedFen(db)).toEqual({ 'L-A': 20020n, 'L-B': 3330n });
    // The dead-letter topic is at-least-once as well: the refusals were produced by both runs.
    expect(deadLetters.on(DLQ)).toHaveLength(4);
    expect(await new PgEventStore(db.db).verify()).toMatchObject({ ok: true, events: 34 });
  });

  it('re-delivers after a crash in the middle of a batch: the first appends are duplicates, the rest is stored once', async () => {
    const db = get();
    for (let i = 21; i <= 32; i += 1) topic.produce(0, 'D1', raw.payment(`pay-a${i}`, 'L-A', '1.00'));
    const delivered = topic.uncommitted();

    // Appends of 5: the first two (10 events) commit, the third fails; nothing is committed to Kafka, no dead letter produced.
    const before = deadLetters.sent.length;
    const crashing = pipelineOn(failingOnCall(writerOn(db), 3), 5);
    await expect(processAndCommit(crashing, delivered, { deadLetters, deadLetterTopic: DLQ, commit })).rejects.toThrow(
      'connection to the database lost',
    );
    expect(topic.uncommitted()).toEqual(delivered);
    expect(deadLetters.sent.length).toBe(before);
    expect(await eventCount(db)).toBe(44n);

    const restarted = pipelineOn(writerOn(db), 5);
    const result = await processAndCommit(restarted, topic.uncommitted(), { deadLetters, deadLetterTopic: DLQ, commit });
    expect([result.stored, result.duplicates, result.deadLettered]).toEqual([2, 10, 0]);
    expect(await eventCount(db)).toBe(46n);
    expect(await executedFen(db)).toEqual({ 'L-A': 20020n + 1200n, 'L-B': 3330n });
  });

  it('does not commit when the dead letters cannot be produced; the retry stores nothing twice', async () => {
    const db = get();
    topic.produce(1, 'D2', raw.payment('pay-b11', 'L-B', '1.11'));
    topic.produce(1, 'D2', raw.payment('pay-b12', 'L-B', 'minus one'));
    topic.produce(1, 'D2', raw.payment('pay-b1', 'L-B', '9.99')); // stored in an earlier batch with 3.33
    const delivered = topic.uncommitted();

    deadLetters.down = true;
    await expect(processAndCommit(pipelineOn(writerOn(db)), delivered, { deadLetters, deadLetterTopic: DLQ, commit })).rejects.toThrow(
      'broker unavailable',
    );
    expect(topic.uncommitted()).toEqual(delivered);
    expect(await eventCount(db)).toBe(47n);

    deadLetters.down = false;
    const result: BatchResult = await processAndCommit(pipelineOn(writerOn(db)), topic.uncommitted(), {
      deadLetters,
      deadLetterTopic: DLQ,
      commit,
    });
    expect(result.processed.map((p) => summary(p.outcome))).toEqual([
      ['duplicate', 'pay-b11'],
      ['dead-letter', 'pay-b12', 'INVALID_EVENT', 'data.amount'],
      ['dead-letter', 'pay-b1', 'EVENT_ID_CONFLICT', 'eventId'],
    ]);
    expect(
      deadLetters
        .on(DLQ)
        .slice(-2)
        .map((m) => (JSON.parse(m.value as string) as DeadLetterRecord).reason.code),
    ).toEqual(['INVALID_EVENT', 'EVENT_ID_CONFLICT']);
    expect(topic.uncommitted()).toEqual([]);
    expect(await eventCount(db)).toBe(47n);
    expect(await executedFen(db)).toEqual({ 'L-A': 21220n, 'L-B': 3441n });
  });
});

describe('commitsOf', () => {
  it('commits past the highest offset of each partition, offsets compared as integers', () => {
    const m = (partition: number, offset: string): ConsumedMessage => ({ topic: 't', partition, offset, key: null, value: null });
    expect(commitsOf([m(0, '9'), m(0, '10'), m(2, '9007199254740993')])).toEqual([
      { topic: 't', partition: 0, offset: '11' },
      { topic: 't', partition: 2, offset: '9007199254740994' },
    ]);
  });

  it('prepares each chunk while the one before is stored, and hands every append its own preparation', async () => {
    const topic = new FakeTopic('treasury.payments');
    for (let i = 0; i < 12; i += 1) topic.produce(0, 'D', raw.payment(`p${i}`, 'L', '1.00'));
    const log: string[] = [];
    let storing: string | undefined;
    const appender: BatchAppender = {
      prepare: (events) => {
        log.push(`prepare ${events[0]?.eventId} while storing ${storing ?? 'nothing'}`);
        return `prepared ${events[0]?.eventId}`;
      },
      append: async (events, prepared) => {
        expect(prepared).toBe(`prepared ${events[0]?.eventId}`);
        storing = events[0]?.eventId;
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`stored ${storing}`);
        storing = undefined;
        return events.map((e, i) => ({ status: 'appended' as const, eventId: e.eventId, position: BigInt(i), warnings: [] }));
      },
    };
    const result = await pipelineOn(appender, 5).process(topic.uncommitted());
    expect(result.stored).toBe(12);
    expect(log).toEqual([
      'prepare p0 while storing nothing',
      'prepare p5 while storing p0',
      'stored p0',
      'prepare p10 while storing p5',
      'stored p5',
      'stored p10',
    ]);
  });

  it('the pipeline refuses a batch size the writer would refuse', () => {
    expect(() => new PaymentPipeline({ append: () => Promise.resolve([]) }, { batchSize: 10_001 })).toThrow(RangeError);
    expect(parsed(raw.payment('p', 'L', '1.00')).type).toBe('PaymentRecorded');
  });
});

describe('deadLetterMessage', () => {
  it('keeps the original key and headers, and its own x- headers win over forged ones', () => {
    const message = {
      topic: 'treasury.payments',
      partition: 3,
      offset: '41',
      key: Buffer.from('D1|2021'),
      value: Buffer.from('{'),
      headers: { traceparent: '00-abc-01', 'x-dead-letter-code': 'FORGED', repeated: ['a', Buffer.from('b')], absent: undefined },
    };
    const reason = { code: 'INVALID_JSON' as const, field: null, message: 'not valid JSON' };
    const letter = deadLetterMessage(message, null, reason, '2021-05-01T00:00:00.000Z');
    expect(letter.key).toEqual(Buffer.from('D1|2021'));
    expect(letter.headers).toEqual({
      traceparent: '00-abc-01',
      repeated: ['a', Buffer.from('b')],
      'x-dead-letter-code': 'INVALID_JSON',
      'x-source-topic': 'treasury.payments',
      'x-source-partition': '3',
      'x-source-offset': '41',
    });
  });
});
