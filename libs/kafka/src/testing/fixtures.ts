import type { LedgerEvent } from '@ledger/domain';
import { parseEvent } from '@ledger/domain';
import type { ConsumedMessage, OffsetCommit } from '../payment-pipeline';
import type { MessageSink, SinkMessage } from '../message-sink';

/** Raw events of DESIGN.md §3, as treasury would send them. */
export const raw = {
  opened: (lineId: string, department: string, fiscalYear = 2021) => ({
    eventId: `open-${lineId}`,
    type: 'BudgetLineOpened',
    effectiveDate: `${fiscalYear}-01-01`,
    data: { lineId, department, fiscalYear, kind: 'basic' },
  }),
  approved: (lineId: string, amount: string, fiscalYear = 2021) => ({
    eventId: `init-${lineId}`,
    type: 'InitialBudgetApproved',
    effectiveDate: `${fiscalYear}-01-01`,
    data: { lineId, amount },
  }),
  payment: (eventId: string, lineId: string, amount: string, effectiveDate = '2021-03-15') => ({
    eventId,
    type: 'PaymentRecorded',
    effectiveDate,
    data: { lineId, amount, payee: 'supplier' },
    metadata: { source: 'treasury' },
  }),
  reversal: (eventId: string, paymentEventId: string, amount: string) => ({
    eventId,
    type: 'PaymentReversed',
    effectiveDate: '2021-04-01',
    data: { paymentEventId, amount },
  }),
};

export function parsed(value: unknown): LedgerEvent {
  const result = parseEvent(value);
  if (!result.ok) throw new Error(`fixture does not parse: ${result.error.message}`);
  return result.event;
}

export function bytes(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/**
 * One topic of a broker, in memory: partitions with offsets, and one consumer group's committed
 * offsets. Enough to replay what Kafka does around a crash: what is not committed is delivered again.
 */
export class FakeTopic {
  private readonly partitions = new Map<number, ConsumedMessage[]>();
  private readonly committed = new Map<number, bigint>();

  constructor(readonly name: string) {}

  /** Appends a message; `value` is JSON-encoded unless it is a Buffer, a string (sent as is) or null. */
  produce(partition: number, key: string | null, value: unknown): ConsumedMessage {
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    const message: ConsumedMessage = {
      topic: this.name,
      partition,
      offset: String(log.length),
      key: key === null ? null : Buffer.from(key, 'utf8'),
      value: value === null ? null : Buffer.isBuffer(value) ? value : bytes(value),
    };
    log.push(message);
    return message;
  }

  /** Everything after the committed offsets, partition by partition (as one multi-partition batch). */
  uncommitted(): ConsumedMessage[] {
    const out: ConsumedMessage[] = [];
    for (const [partition, log] of [...this.partitions].sort(([a], [b]) => a - b)) {
      out.push(...log.slice(Number(this.committed.get(partition) ?? 0n)));
    }
    return out;
  }

  commit(commits: readonly OffsetCommit[]): void {
    for (const c of commits) {
      if (c.topic !== this.name) throw new Error(`commit for topic ${c.topic} on ${this.name}`);
      this.committed.set(c.partition, BigInt(c.offset));
    }
  }

  committedOffset(partition: number): string | undefined {
    return this.committed.get(partition)?.toString();
  }
}

/** A MessageSink that keeps what it was sent, and can be taken down and brought back. */
export class RecordingSink implements MessageSink {
  readonly sent: { topic: string; message: SinkMessage }[] = [];
  attempts = 0;
  failures = 0;
  /** While true, every send fails (the broker is down). */
  down = false;
  /** Fails the sends to these topics, once each, then works again. */
  failOnceFor = new Set<string>();

  async send(topic: string, messages: readonly SinkMessage[]): Promise<void> {
    this.attempts += 1;
    // Asynchronous like a real producer, so that a test never depends on a synchronous send.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down || this.failOnceFor.delete(topic)) {
      this.failures += 1;
      throw new Error(`broker unavailable (send to ${topic})`);
    }
    for (const message of messages) this.sent.push({ topic, message });
  }

  on(topic: string): SinkMessage[] {
    return this.sent.filter((s) => s.topic === topic).map((s) => s.message);
  }
}

/** Polls `check` until it holds, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
