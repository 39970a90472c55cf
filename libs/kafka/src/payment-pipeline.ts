import type { ErrorCode, LedgerEvent } from '@ledger/domain';
import { LedgerError, parseEvent, type ParseOptions } from '@ledger/domain';
import { MAX_BATCH_EVENTS, type AppendItemResult } from '@ledger/domain';
import { AppendBatcher, DEFAULT_BATCH_SIZE, DEFAULT_MAX_LINE_BYTES, eventParseOptionsFromEnv, type BatchAppender } from '@ledger/ingestion';
import type { Logger } from '@ledger/observability';
import { silentLogger } from '@ledger/observability';
import { ingestionMetrics, type IngestionMetrics } from '@ledger/observability';
import type { MessageSink, SinkHeaderValue, SinkMessage } from './message-sink';

/**
 * The consumer side of Kafka without Kafka: a batch of consumed messages in, per-message outcomes,
 * dead letters and the offsets to commit out. The kafkajs adapter (kafka-consumer.ts) only moves
 * bytes; everything that decides what happens to a message is here, and tested against both
 * database engines.
 */

/** A message as the broker delivered it. `offset` is a decimal string (Kafka offsets are int64). */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;
}

/** Why a message was refused: the stable code of errors.ts, the field at fault, and a message naming the event. */
export interface DeadLetterReason {
  readonly code: ErrorCode;
  readonly field: string | null;
  readonly message: string;
}

export type MessageOutcome =
  | { readonly status: 'stored'; readonly eventId: string; readonly position: bigint; readonly warnings: readonly DeadLetterReason[] }
  | { readonly status: 'duplicate'; readonly eventId: string; readonly position: bigint }
  | { readonly status: 'dead-letter'; readonly eventId: string | null; readonly reason: DeadLetterReason };

export interface ProcessedMessage {
  readonly message: ConsumedMessage;
  readonly outcome: MessageOutcome;
}

/** Kafka's commit convention: `offset` is the next one to read (last processed + 1). */
export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface BatchResult {
  /** One entry per message, in the order given. */
  readonly processed: readonly ProcessedMessage[];
  /** The dead-letter records to produce before committing, in the order of their messages. */
  readonly deadLetters: readonly SinkMessage[];
  /** Per topic-partition, the offset to commit; every message of the batch is settled by then. */
  readonly commits: readonly OffsetCommit[];
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

/** The dead-letter record's value (JSON). The original bytes travel base64-encoded so that any input survives. */
export interface DeadLetterRecord {
  readonly reason: DeadLetterReason;
  readonly eventId: string | null;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    /** The original key, base64; null when the message had none. */
    readonly keyBase64: string | null;
  };
  /** The original value, base64; null for a message without a value (a tombstone). */
  readonly valueBase64: string | null;
  readonly deadLetteredAt: string;
}

export interface PaymentPipelineOptions {
  /** Events per append (one transaction each); default 1,000, at most MAX_BATCH_EVENTS. */
  readonly batchSize?: number;
  /** A value larger than this is refused (LINE_TOO_LONG) without being parsed. */
  readonly maxMessageBytes?: number;
  /** The size limit of an event (default: LEDGER_MAX_EVENT_BYTES, else 64 KiB), the same as every other way in. */
  readonly parseOptions?: ParseOptions;
  /** The `source` label of the counters. */
  readonly source?: string;
  readonly logger?: Logger;
  readonly metrics?: IngestionMetrics;
  /** The time written into dead-letter records. */
  readonly now?: () => Date;
}

/** What the ledger's answer for an event means for its message. */
function outcomeOf(result: AppendItemResult): MessageOutcome {
  switch (result.status) {
    case 'appended':
      return { status: 'stored', eventId: result.eventId, position: result.position, warnings: result.warnings.map(reasonOf) };
    case 'duplicate':
      return { status: 'duplicate', eventId: result.eventId, position: result.position };
    case 'rejected':
      return { status: 'dead-letter', eventId: result.eventId, reason: reasonOf(result.error) };
  }
}

export class PaymentPipeline {
  private readonly batchSize: number;
  private readonly maxMessageBytes: number;
  private readonly source: string;
  private readonly parseOptions: ParseOptions;
  private readonly logger: Logger;
  private readonly metrics: IngestionMetrics;
  private readonly now: () => Date;

  constructor(
    private readonly appender: BatchAppender,
    options: PaymentPipelineOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_BATCH_EVENTS) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_EVENTS}, got ${this.batchSize}`);
    }
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.source = options.source ?? 'kafka';
    this.parseOptions = options.parseOptions ?? eventParseOptionsFromEnv();
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? ingestionMetrics();
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Validates every message, stores the valid events in message order (in appends of at most
   * batchSize events, each its own transaction) and settles every message: stored, duplicate or
   * dead letter. Resolves only after the last append resolved, so the commits it returns never run
   * ahead of the store. Rejects when the store fails; nothing may be committed then, and the
   * re-delivered messages come back as duplicates for whatever was stored before the failure.
   * `between` runs between appends (the adapter heartbeats there during a long batch).
   */
  async process(messages: readonly ConsumedMessage[], between?: () => Promise<void>): Promise<BatchResult> {
    const startedMs = performance.now();
    const outcomes: (MessageOutcome | undefined)[] = new Array<MessageOutcome | undefined>(messages.length);
    let firstAppend = true;
    // In message order, the next chunk decoded and prepared while one is stored.
    const batcher = new AppendBatcher<number>(
      this.appender,
      this.batchSize,
      (index, result) => (outcomes[index] = outcomeOf(result)),
      async () => {
        if (!firstAppend && between !== undefined) await between();
        firstAppend = false;
      },
    );
    for (const [index, message] of messages.entries()) {
      const decoded = this.decode(message);
      if (!decoded.ok) {
        outcomes[index] = { status: 'dead-letter', eventId: decoded.error.eventId ?? null, reason: reasonOf(decoded.error) };
        continue;
      }
      await batcher.add(index, decoded.event);
    }
    // A failed append rejects here: nothing after it is stored.
    await batcher.flush();
    const result = this.resultOf(messages, outcomes);
    this.record(result, performance.now() - startedMs);
    return result;
  }

  /** Every message with its outcome, the dead letters to send and the offsets to commit. */
  private resultOf(messages: readonly ConsumedMessage[], outcomes: readonly (MessageOutcome | undefined)[]): BatchResult {
    const processed: ProcessedMessage[] = [];
    const deadLetters: SinkMessage[] = [];
    let stored = 0;
    let duplicates = 0;
    const at = this.now().toISOString();
    for (const [index, message] of messages.entries()) {
      const outcome = outcomes[index];
      if (outcome === undefined) throw new Error(`message ${message.topic}/${message.partition}@${message.offset} was not settled`);
      processed.push({ message, outcome });
      switch (outcome.status) {
        case 'stored':
          stored += 1;
          break;
        case 'duplicate':
          duplicates += 1;
          break;
        case 'dead-letter':
          deadLetters.push(deadLetterMessage(message, outcome.eventId, outcome.reason, at));
          break;
      }
    }
    return { processed, deadLetters, commits: commitsOf(messages), stored, duplicates, deadLettered: deadLetters.length };
  }

  private decode(message: ConsumedMessage): { ok: true; event: LedgerEvent } | { ok: false; error: LedgerError } {
    if (message.value === null) return { ok: false, error: new LedgerError('INVALID_JSON', undefined, 'the message has no value') };
    if (message.value.length > this.maxMessageBytes) {
      return {
        ok: false,
        error: new LedgerError(
          'LINE_TOO_LONG',
          undefined,
          `the message is ${message.value.length} bytes, more than ${this.maxMessageBytes}`,
        ),
      };
    }
    const text = decodeUtf8(message.value);
    if (text === undefined) return { ok: false, error: new LedgerError('INVALID_JSON', undefined, 'the message is not valid UTF-8') };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { ok: false, error: new LedgerError('INVALID_JSON', undefined, `not valid JSON (${(error as Error).message})`) };
    }
    const parsed = parseEvent(raw, this.parseOptions);
    return parsed.ok ? parsed : { ok: false, error: parsed.error };
  }

  private record(result: BatchResult, elapsedMs: number): void {
    const first = result.processed[0];
    if (first !== undefined) this.metrics.consumed.inc({ topic: first.message.topic }, result.processed.length);
    this.metrics.stored.inc({ source: this.source }, result.stored);
    this.metrics.duplicates.inc({ source: this.source }, result.duplicates);
    const debug = this.logger.isLevelEnabled('debug');
    let firstPosition: bigint | undefined;
    let lastPosition: bigint | undefined;
    for (const { message, outcome } of result.processed) {
      const where = { partition: message.partition, offset: message.offset };
      switch (outcome.status) {
        case 'stored':
          firstPosition ??= outcome.position;
          lastPosition = outcome.position;
          if (debug) this.logger.debug({ ...where, eventId: outcome.eventId, position: outcome.position.toString() }, 'stored');
          for (const warning of outcome.warnings) {
            this.logger.warn({ ...where, eventId: outcome.eventId, code: warning.code, field: warning.field }, warning.message);
          }
          break;
        case 'duplicate':
          if (debug) this.logger.debug({ ...where, eventId: outcome.eventId, position: outcome.position.toString() }, 'duplicate');
          break;
        case 'dead-letter':
          this.metrics.deadLettered.inc({ source: this.source, code: outcome.reason.code });
          this.logger.warn(
            { ...where, eventId: outcome.eventId, code: outcome.reason.code, field: outcome.reason.field },
            `dead letter: ${outcome.reason.message}`,
          );
          break;
      }
    }
    this.logger.info(
      {
        messages: result.processed.length,
        stored: result.stored,
        duplicates: result.duplicates,
        deadLettered: result.deadLettered,
        firstPosition: firstPosition?.toString(),
        lastPosition: lastPosition?.toString(),
        commits: result.commits,
        elapsedMs: Math.round(elapsedMs),
      },
      'batch processed',
    );
  }
}

/**
 * The order of a batch's end (ISSUE 5 §1): the store already happened in `process`; then the dead
 * letters are produced and acknowledged; then the offsets are committed. A crash anywhere before
 * the commit re-delivers the batch: stored events come back as duplicates, refused ones are
 * dead-lettered again (the dead-letter topic is at-least-once too). Nothing is committed that was
 * neither stored nor dead-lettered.
 */
export async function processAndCommit(
  pipeline: PaymentPipeline,
  messages: readonly ConsumedMessage[],
  io: {
    readonly deadLetters: MessageSink;
    readonly deadLetterTopic: string;
    readonly commit: (commits: readonly OffsetCommit[]) => Promise<void>;
    readonly between?: () => Promise<void>;
  },
): Promise<BatchResult> {
  const result = await pipeline.process(messages, io.between);
  if (result.deadLetters.length > 0) await io.deadLetters.send(io.deadLetterTopic, result.deadLetters);
  if (result.commits.length > 0) await io.commit(result.commits);
  return result;
}

export function deadLetterMessage(
  message: ConsumedMessage,
  eventId: string | null,
  reason: DeadLetterReason,
  deadLetteredAt: string,
): SinkMessage {
  const record: DeadLetterRecord = {
    reason,
    eventId,
    source: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      keyBase64: message.key?.toString('base64') ?? null,
    },
    valueBase64: message.value?.toString('base64') ?? null,
    deadLetteredAt,
  };
  return {
    // Same key as the original: a department's refusals land in one dead-letter partition, in order.
    key: message.key,
    value: JSON.stringify(record),
    // The original headers travel along (a trace id, the sender's own ids); ours come last and win.
    headers: {
      ...originalHeaders(message.headers),
      'x-dead-letter-code': reason.code,
      'x-source-topic': message.topic,
      'x-source-partition': String(message.partition),
      'x-source-offset': message.offset,
    },
  };
}

function originalHeaders(headers: ConsumedMessage['headers']): Record<string, SinkHeaderValue> {
  const out: Record<string, SinkHeaderValue> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = value;
  return out;
}

/** Per topic-partition: the highest offset of the batch + 1. */
export function commitsOf(messages: readonly ConsumedMessage[]): OffsetCommit[] {
  const highest = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const message of messages) {
    const key = `${message.topic}\u0000${message.partition}`;
    const offset = BigInt(message.offset);
    const current = highest.get(key);
    if (current === undefined || offset > current.offset) highest.set(key, { topic: message.topic, partition: message.partition, offset });
  }
  return [...highest.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset: (offset + 1n).toString() }));
}

function reasonOf(error: LedgerError): DeadLetterReason {
  return { code: error.code, field: error.field ?? null, message: error.message };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a UTF-8 value, or undefined when the bytes are not UTF-8 (refused rather than replaced with U+FFFD). */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
