import type { LedgerEvent } from '@ledger/domain';
import { LedgerError, parseEvent, type ParseOptions } from '@ledger/domain';
import { eventParseOptionsFromEnv } from './event-limits';
import type { AppendItemResult } from '@ledger/domain';
import type { NdjsonLine } from './ndjson-lines';

/** One refused input: its line (or array item) number, its eventId when readable, and why. */
export interface RejectedEntry {
  readonly line: number;
  readonly eventId: string | null;
  readonly code: string;
  readonly field: string | null;
  readonly error: string;
}

export interface WarningEntry {
  readonly line: number;
  readonly eventId: string;
  readonly code: string;
  readonly warning: string;
}

/** The summary `append` prints and `POST /v1/events` answers (DESIGN.md §6). */
export interface AppendSummary {
  appended: number;
  duplicates: number;
  rejected: RejectedEntry[];
  /** Accepted with a warning (payment policy `flag`). */
  warnings: WarningEntry[];
  /** Refusals beyond MAX_REPORTED_REJECTIONS are counted here, not listed. */
  rejectedNotListed: number;
}

/** Anything that stores a batch of parsed events and answers per event, in order. */
export interface BatchAppender {
  /**
   * The work on a batch that needs no lock (LedgerWriter.prepare), if the appender has any: done
   * while the batch before it is being stored, and handed to `append` with the batch.
   */
  prepare?(events: readonly LedgerEvent[]): unknown;
  append(events: readonly LedgerEvent[], prepared?: unknown): Promise<AppendItemResult[]>;
}

export const DEFAULT_BATCH_SIZE = 1_000;
/** A summary lists at most this many refusals, so that a huge bad file cannot exhaust memory. */
export const MAX_REPORTED_REJECTIONS = 100_000;

/** While a batch is stored, the event loop is given back after this many inputs are taken. */
const INPUTS_BETWEEN_YIELDS = 64;

/**
 * Batches stored one after the other, in order, one in flight: the next batch is prepared
 * (BatchAppender.prepare) while the one before is in the database, and is appended only once that
 * one is stored. A failed append surfaces at the next send, or at drain, and no batch after it
 * is appended.
 */
export class OrderedAppends {
  private inFlight: Promise<void> | undefined;

  constructor(private readonly appender: BatchAppender) {}

  /**
   * Prepares `events`, waits for the batch in flight, runs `before` (if given), then starts
   * appending `events` without waiting for it; `settle` takes their results.
   */
  async send(events: readonly LedgerEvent[], settle: (results: AppendItemResult[]) => void, before?: () => Promise<void>): Promise<void> {
    // Done now, while the batch before is in the database, rather than after it.
    const prepared = this.appender.prepare?.(events);
    const previous = this.inFlight;
    this.inFlight = undefined;
    await previous;
    if (before !== undefined) await before();
    const storing = this.appender.append(events, prepared).then(settle);
    storing.catch(() => undefined);
    this.inFlight = storing;
  }

  /**
   * Called with the size of the batch being filled, after each input taken: while a batch is
   * stored, lets the I/O that is due run every INPUTS_BETWEEN_YIELDS inputs. Taking inputs is
   * work for this thread only, and the stored batch waits on answers that it would otherwise
   * leave unread until the next batch is full.
   */
  async taken(pending: number): Promise<void> {
    if (this.inFlight !== undefined && pending % INPUTS_BETWEEN_YIELDS === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Resolves once every batch sent is stored. */
  async drain(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    await inFlight;
  }
}

/**
 * Events taken one at a time and stored in batches of `batchSize` through OrderedAppends, in the
 * order taken; each result is settled with the key its event came with (a line number, a message
 * index). The one batch-and-settle loop of every way in: NDJSON and JSON bodies (Ingestion) and
 * Kafka (PaymentPipeline).
 */
export class AppendBatcher<K> {
  private batch: { key: K; event: LedgerEvent }[] = [];
  private readonly appends: OrderedAppends;

  /** `before` runs before each append once the one ahead of it is stored (the Kafka adapter heartbeats there). */
  constructor(
    appender: BatchAppender,
    private readonly batchSize: number,
    private readonly settle: (key: K, result: AppendItemResult) => void,
    private readonly before?: () => Promise<void>,
  ) {
    this.appends = new OrderedAppends(appender);
  }

  /** Takes one valid event; sends the batch once it is full. */
  async add(key: K, event: LedgerEvent): Promise<void> {
    this.batch.push({ key, event });
    if (this.batch.length >= this.batchSize) await this.send();
    else await this.appends.taken(this.batch.length);
  }

  /** Stores what is pending, and resolves once everything taken so far is stored. */
  async flush(): Promise<void> {
    await this.send();
    await this.appends.drain();
  }

  /**
   * Waits for the batch in flight to be stored, then sends the pending one without waiting for
   * it. A failure of the store surfaces at the next send or flush, before anything after it is stored.
   */
  private async send(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    await this.appends.send(
      batch.map((b) => b.event),
      (results) => {
        if (results.length !== batch.length) throw new Error(`appender answered ${results.length} results for ${batch.length} events`);
        results.forEach((result, i) => this.settle((batch[i] as { key: K }).key, result));
      },
      this.before,
    );
  }
}

export function emptySummary(): AppendSummary {
  return { appended: 0, duplicates: 0, rejected: [], warnings: [], rejectedNotListed: 0 };
}

/**
 * Feeds numbered raw inputs (NDJSON lines, or items of a JSON array already parsed) through
 * validation and the appender in batches. Each input is accepted or refused on its own. Batches
 * are stored one after the other, in input order; while one is being stored the next is read and
 * validated, and no third is taken before the first is stored, so memory stays bounded (two
 * batches) and nothing is reported stored before it is.
 */
export class Ingestion {
  readonly summary = emptySummary();
  private readonly batcher: AppendBatcher<number>;

  constructor(
    appender: BatchAppender,
    batchSize = DEFAULT_BATCH_SIZE,
    private readonly parseOptions: ParseOptions = eventParseOptionsFromEnv(),
  ) {
    this.batcher = new AppendBatcher(appender, batchSize, (line, result) => this.settle(line, result));
  }

  /** Takes one NDJSON line. Blank lines are skipped. */
  async addLine(line: NdjsonLine): Promise<void> {
    if (line.text === undefined) {
      this.reject(line.lineNo, null, new LedgerError('LINE_TOO_LONG', undefined, 'line is longer than the limit'));
      return;
    }
    if (line.text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line.text);
    } catch (error) {
      this.reject(line.lineNo, null, new LedgerError('INVALID_JSON', undefined, `not valid JSON (${(error as Error).message})`));
      return;
    }
    await this.addValue(line.lineNo, raw);
  }

  /** Takes one already-parsed JSON value (an item of a JSON array body, a Kafka message). */
  async addValue(lineNo: number, raw: unknown): Promise<void> {
    const parsed = parseEvent(raw, this.parseOptions);
    if (!parsed.ok) {
      this.reject(lineNo, parsed.error.eventId ?? null, parsed.error);
      return;
    }
    await this.batcher.add(lineNo, parsed.event);
  }

  /** Stores what is pending, and resolves once everything taken so far is stored. */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  private settle(line: number, result: AppendItemResult): void {
    switch (result.status) {
      case 'appended':
        this.summary.appended += 1;
        for (const w of result.warnings) this.summary.warnings.push({ line, eventId: result.eventId, code: w.code, warning: w.message });
        break;
      case 'duplicate':
        this.summary.duplicates += 1;
        break;
      case 'rejected':
        this.reject(line, result.eventId, result.error);
        break;
    }
  }

  async finish(): Promise<AppendSummary> {
    await this.flush();
    // Validation refusals are noted at once, rule refusals when their batch is stored: report
    // both in input order.
    this.summary.rejected.sort((a, b) => a.line - b.line);
    this.summary.warnings.sort((a, b) => a.line - b.line);
    return this.summary;
  }

  private reject(line: number, eventId: string | null, error: LedgerError): void {
    if (this.summary.rejected.length >= MAX_REPORTED_REJECTIONS) {
      this.summary.rejectedNotListed += 1;
      return;
    }
    this.summary.rejected.push({
      line,
      eventId,
      code: error.code,
      field: error.field ?? null,
      error: error.forEvent(eventId ?? undefined).message,
    });
  }
}

/** Streams NDJSON lines through an Ingestion and returns the summary. */
export async function ingestLines(
  lines: AsyncIterable<NdjsonLine>,
  appender: BatchAppender,
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<AppendSummary> {
  const ingestion = new Ingestion(appender, batchSize);
  for await (const line of lines) await ingestion.addLine(line);
  return ingestion.finish();
}
