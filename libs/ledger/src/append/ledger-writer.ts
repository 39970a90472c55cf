import type { AppendItemResult, DepartmentYearTotals, LedgerEvent, LedgerState, LineState, ScoringConfig } from '@ledger/domain';
import {
  decideBatch,
  MAX_BATCH_EVENTS,
  DEFAULT_SCORING_CONFIG,
  linesReferenced,
  movesCountedAmounts,
  paymentReferenced,
  StreamNotHeldError,
  streamIdOf,
  toStoredData,
} from '@ledger/domain';
import type { AppendSession, HashedEvents, NewEvent, PgEventStore, Sql, StoredEvent, Transaction } from '@ledger/event-store';
import { CopyFailedError, textArrayLiteral } from '@ledger/event-store';
import { loadState, ProjectionBatch, type StateKeys } from '@ledger/projections';
import { todayInShanghai } from '@ledger/reporting';
import { readDepartmentYearTotals } from '../alerts/department-year-totals';
import { LineCache } from './line-cache';

export type PaymentPolicy = 'reject' | 'flag';

export interface LedgerWriterOptions {
  readonly paymentPolicy: PaymentPolicy;
  /** The scoring rules whose thresholds raise alerts. */
  readonly scoring: ScoringConfig;
  /** Transactions a batch may be split into, by department (default 1; the server engine gains from 2). */
  readonly lanes?: number;
  /** The ledger's clock: a quarter can be closed only after it has ended (default: the system's). */
  readonly clock?: Clock;
}

/** Where the ledger reads "now" (injectable, so that rules about it can be tested). */
export type Clock = () => Date;

export const SYSTEM_CLOCK: Clock = () => new Date();

/** More lanes than cores only adds lock and connection overhead. */
const MAX_LANES = 8;

// The answer per event and the batch limit are the domain's: every way in settles by them.
export { MAX_BATCH_EVENTS, type AppendItemResult } from '@ledger/domain';

/** Who posts a batch, and whether to store it at all (see LedgerWriter.append). */
export interface AppendOptions {
  /** Kept beside each accepted event, outside its hashed content (DESIGN.md §8). */
  readonly recordedBy?: string;
  /** Decide everything, answer the same results, and store nothing: the transaction is rolled back. */
  readonly dryRun?: boolean;
}

/** A batch with the work done on it ahead of its append (LedgerWriter.prepare). */
export interface PreparedBatch {
  readonly events: readonly LedgerEvent[];
  readonly newEvents: readonly NewEvent[];
  readonly hashed: HashedEvents;
}

// Two transactions can race on routing (a line opened meanwhile) or on an eventId (unique
// violation): the batch is retried from scratch, a bounded number of times.
const MAX_ATTEMPTS = 4;

/** Lines whose stream this process remembers; past it the memory starts over (lines are reread). */
const MAX_REMEMBERED_LINES = 200_000;

/** Thrown inside a dry run's transaction once it is decided, so that it rolls back; carries the results. */
class DryRunDone extends Error {
  constructor(readonly results: AppendItemResult[]) {
    super('dry run');
  }
}

/** Thrown inside the transaction when the batch touches a stream it did not lock; retried. */
class RoutingChanged extends Error {}

/**
 * The write side: takes parsed events, enforces the budget rules against every event known,
 * and stores the accepted ones with their projection rows in one transaction (read-your-writes).
 * Each event is accepted or refused on its own; refusals never stop the rest of the batch.
 */
export class LedgerWriter {
  /** lineId → stream: immutable facts, so remembering them is always correct. */
  private readonly lineRoutes = new Map<string, string>();
  /** The lines as this writer left them, exact while their streams' heads have not moved since. */
  private readonly lineCache = new LineCache();

  constructor(
    private readonly db: Sql,
    private readonly store: PgEventStore,
    private readonly options: LedgerWriterOptions = { paymentPolicy: 'reject', scoring: DEFAULT_SCORING_CONFIG },
  ) {}

  /**
   * The part of an append that needs neither a lock nor the database (the events' stored form,
   * validated and hashed): a caller can do it for its next batch while the one before is stored.
   */
  prepare(events: readonly LedgerEvent[], recordedBy?: string): PreparedBatch {
    const newEvents = events.map((event) => toNewEvent(event, recordedBy));
    return { events, newEvents, hashed: this.store.prepare(newEvents) };
  }

  /** Decides and stores a batch; `prepared`, if given, is this.prepare(events, options.recordedBy). */
  async append(events: readonly LedgerEvent[], prepared?: PreparedBatch, options: AppendOptions = {}): Promise<AppendItemResult[]> {
    if (events.length > MAX_BATCH_EVENTS) throw new Error(`append: ${events.length} events in one batch, at most ${MAX_BATCH_EVENTS}`);
    if (events.length === 0) return [];
    if (prepared !== undefined && prepared.events !== events) throw new Error('append: the prepared batch is of other events');
    const { newEvents, hashed } = prepared ?? this.prepare(events, options.recordedBy);
    const streams = await this.streamsOf(events);
    const lanes = this.lanesOf(events, streams);
    if (lanes.length === 1) return this.appendRouted(events, newEvents, hashed, streams, options.dryRun === true);
    // Departments never share a rule, a line or a lock, so their events can be stored by
    // separate transactions at once: the database works on one lane while this process prepares
    // the next. Within a lane, and so within a department, the order of the batch is kept.
    const results = new Array<AppendItemResult>(events.length);
    await Promise.all(
      lanes.map(async (indexes) => {
        const laneResults = await this.appendRouted(
          indexes.map((i) => events[i] as LedgerEvent),
          indexes.map((i) => newEvents[i] as NewEvent),
          hashed,
          indexes.map((i) => streams[i]),
          options.dryRun === true,
        );
        laneResults.forEach((result, k) => (results[indexes[k] as number] = result));
      }),
    );
    return results;
  }

  /**
   * What a batch must read under its locks. The lines this writer holds as of their stream's
   * version (`kept`) are checked against the heads under the locks instead of read; the others are
   * read with the locks, in one round trip with the stored copies of the eventIds and the payments
   * and closed quarters referenced.
   */
  private planReads(events: readonly LedgerEvent[], streams: ReadonlySet<string>) {
    const kept: { lineId: string; streamId: string }[] = [];
    const toRead: string[] = [];
    for (const lineId of new Set(events.flatMap(linesReferenced))) {
      const streamId = this.lineRoutes.get(lineId);
      if (streamId !== undefined && streams.has(streamId) && this.lineCache.kept(streamId)?.has(lineId) === true) {
        kept.push({ lineId, streamId });
      } else toRead.push(lineId);
    }
    const departments = [
      ...[...streams].map(departmentOfStream),
      ...events.flatMap((e) => (e.type === 'BudgetLineOpened' || e.type === 'PeriodClosed' ? [e.data.department] : [])),
    ];
    const keys: StateKeys = { lineIds: toRead, paymentIds: events.flatMap((e) => paymentReferenced(e) ?? []), departments };
    // The alerts' "before": only a batch that moves a counted amount needs it.
    const totalsOf = events.some(movesCountedAmounts) ? [...streams].map(streamKey) : [];
    return { kept, departments, keys, totalsOf };
  }

  /** Puts the kept lines still current at the locked heads into the state; reads the stale ones after all. */
  private async adoptKeptLines(
    session: AppendSession,
    state: LedgerState,
    kept: readonly { lineId: string; streamId: string }[],
    departments: readonly string[],
  ): Promise<void> {
    const current = new Map<string, ReadonlyMap<string, LineState> | undefined>();
    const stale: string[] = [];
    for (const { lineId, streamId } of kept) {
      if (state.lines.has(lineId)) continue; // read anyway, as the line of a reversed payment
      if (!current.has(streamId)) current.set(streamId, this.lineCache.current(streamId, session.head(streamId)));
      const line = current.get(streamId)?.get(lineId);
      if (line === undefined) stale.push(lineId);
      else state.lines.set(lineId, line);
    }
    if (stale.length > 0) {
      // Another writer stored in these streams since: their lines are read after all.
      const fresh = await loadState(session.tx, { lineIds: stale, paymentIds: [], departments });
      for (const line of fresh.lines.values()) state.lines.set(line.lineId, line);
    }
  }

  /**
   * Stores events (of one lane) in one transaction holding their streams; retried on a race, with
   * the streams looked up again (`routed`: the streams of the events, as looked up before).
   */
  private async appendRouted(
    events: readonly LedgerEvent[],
    newEvents: readonly NewEvent[],
    hashed: HashedEvents,
    routed: readonly (string | undefined)[],
    dryRun = false,
  ): Promise<AppendItemResult[]> {
    // Events are loaded with COPY until a load fails without saying why; from then on with INSERT,
    // whose error is the server's own (a unique violation is a race, retried; anything else is thrown).
    let load: 'copy' | 'insert' = 'copy';
    for (let attempt = 1; ; attempt += 1) {
      try {
        const looked = attempt === 1 ? routed : await this.streamsOf(events);
        const streams = new Set(looked.filter((s): s is string => s !== undefined));
        const { kept, departments, keys, totalsOf } = this.planReads(events, streams);
        let outcome: { results: AppendItemResult[]; lines: Map<string, LineState>; versions: Map<string, readonly [bigint, bigint]> };
        try {
          outcome = await this.store.withStreams(
            [...streams],
            async (session, [state, totals]) => {
              const locked = [...streams].map((streamId) => [streamId, session.head(streamId)] as const);
              await this.adoptKeptLines(session, state, kept, departments);
              const results = await this.appendLocked(session, streams, events, newEvents, state, totals);
              if (dryRun) throw new DryRunDone(results);
              const versions = new Map(locked.map(([streamId, version]) => [streamId, [version, session.head(streamId)] as const]));
              return { results, lines: state.lines, versions };
            },
            {
              load,
              events: newEvents,
              hashed,
              // Both statements are sent before either answer is awaited: one round trip with the locks.
              read: (tx: Transaction) => Promise.all([loadState(tx, keys), readDepartmentYearTotals(tx, totalsOf)]),
            },
          );
        } catch (error) {
          // The batch evolved kept lines in place and did not commit.
          this.lineCache.forget(streams);
          throw error;
        }
        // Committed: the lines as this transaction left them are exact at the streams' new versions.
        this.lineCache.remember(
          outcome.versions,
          outcome.lines.values(),
          (line) => this.lineRoutes.get(line.lineId) ?? streamIdOf(line.department, line.fiscalYear),
        );
        return outcome.results;
      } catch (error) {
        if (error instanceof DryRunDone) return error.results;
        if (load === 'copy' && error instanceof CopyFailedError) {
          load = 'insert';
          continue;
        }
        if (attempt < MAX_ATTEMPTS && (error instanceof RoutingChanged || isUniqueViolation(error))) continue;
        throw error;
      }
    }
  }

  /**
   * Splits a batch's indexes into lanes by department (a department's events all go to one
   * lane). Events with no known stream go with the first lane: they are refused there. A batch
   * that gives one eventId in two departments is not split: its occurrences are judged against
   * each other in input order (decideBatch), which separate transactions could not do.
   */
  private lanesOf(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): number[][] {
    const laneCount = Math.min(this.options.lanes ?? 1, MAX_LANES);
    if (laneCount <= 1 || eventIdInTwoDepartments(events, streams) || transferIntoLineOpenedElsewhere(events, streams)) {
      return [events.map((_, i) => i)];
    }
    const lanes: number[][] = Array.from({ length: laneCount }, () => []);
    const laneOfDepartment = new Map<string, number>();
    streams.forEach((streamId, i) => {
      const department = streamId === undefined ? '' : departmentOfStream(streamId);
      let lane = laneOfDepartment.get(department);
      if (lane === undefined) {
        // Balance by events: each new department joins the lane with the fewest so far.
        lane = lanes.reduce((best, l, k) => (l.length < (lanes[best] as number[]).length ? k : best), 0);
        laneOfDepartment.set(department, lane);
      }
      (lanes[lane] as number[]).push(i);
    });
    return lanes.filter((l) => l.length > 0);
  }

  /**
   * The streams (department-years) the events belong to. Which department-year a line belongs to
   * never changes, so this is read before the locks are taken, and remembered.
   */
  private async streamsOf(events: readonly LedgerEvent[]): Promise<(string | undefined)[]> {
    const unknownLines = new Set<string>();
    const reversed = new Set<string>();
    for (const event of events) {
      for (const lineId of linesReferenced(event)) if (!this.lineRoutes.has(lineId)) unknownLines.add(lineId);
      const paymentId = paymentReferenced(event);
      if (paymentId !== undefined) reversed.add(paymentId);
    }
    const paymentLines = await this.loadRoutes(unknownLines, reversed);
    const streams: (string | undefined)[] = [];
    const batchLines = new Map<string, string>();
    for (const event of events) {
      let streamId: string | undefined;
      switch (event.type) {
        case 'BudgetLineOpened':
          streamId = streamIdOf(event.data.department, event.data.fiscalYear);
          // A line opened earlier in the batch routes the events after it (if it is accepted).
          if (!this.lineRoutes.has(event.data.lineId)) batchLines.set(event.data.lineId, streamId);
          break;
        case 'PeriodClosed':
          streamId = streamIdOf(event.data.department, event.data.fiscalYear);
          break;
        case 'PaymentReversed': {
          const lineId = paymentLines.get(event.data.paymentEventId) ?? this.paymentInBatch(events, event.data.paymentEventId);
          streamId = lineId === undefined ? undefined : (this.lineRoutes.get(lineId) ?? batchLines.get(lineId));
          break;
        }
        case 'InitialBudgetApproved':
        case 'BudgetAdjusted':
        case 'PaymentRecorded':
          streamId = this.lineRoutes.get(event.data.lineId) ?? batchLines.get(event.data.lineId);
          break;
        case 'BudgetTransferred':
          // Both lines must share a department-year; the decider refuses it otherwise.
          streamId = this.lineRoutes.get(event.data.fromLineId) ?? batchLines.get(event.data.fromLineId);
          break;
      }
      streams.push(streamId);
    }
    return streams;
  }

  private paymentInBatch(events: readonly LedgerEvent[], paymentId: string): string | undefined {
    const payment = events.find((e) => e.type === 'PaymentRecorded' && e.eventId === paymentId);
    return payment?.type === 'PaymentRecorded' ? payment.data.lineId : undefined;
  }

  /** Remembers the streams of the given lines, and returns the lines of the given payments. */
  private async loadRoutes(lineIds: ReadonlySet<string>, paymentIds: ReadonlySet<string>): Promise<Map<string, string>> {
    const paymentLines = new Map<string, string>();
    if (lineIds.size === 0 && paymentIds.size === 0) return paymentLines;
    const rows = await this.db.query<{ line_id: string; department: string; fiscal_year: number; payment_event_id: string | null }>(
      `SELECT l.line_id, l.department, l.fiscal_year, NULL AS payment_event_id
       FROM ledger_lines l WHERE l.line_id = ANY($1::text::text[])
       UNION ALL
       SELECT l.line_id, l.department, l.fiscal_year, e.event_id
       FROM ledger_events e JOIN ledger_lines l ON l.line_id = e.data->>'lineId'
       WHERE e.event_id = ANY($2::text::text[]) AND e.type = 'PaymentRecorded'`,
      [textArrayLiteral([...lineIds]), textArrayLiteral([...paymentIds])],
      { prepare: true },
    );
    if (this.lineRoutes.size + rows.length > MAX_REMEMBERED_LINES) this.lineRoutes.clear();
    for (const row of rows) {
      this.lineRoutes.set(row.line_id, streamIdOf(row.department, row.fiscal_year));
      if (row.payment_event_id !== null) paymentLines.set(row.payment_event_id, row.line_id);
    }
    return paymentLines;
  }

  /**
   * Under the locks: reads what is stored under the batch's eventIds, lets decideBatch judge the
   * batch, stores what it accepted, and writes the projection rows of the accepted events.
   */
  private async appendLocked(
    session: AppendSession,
    locked: ReadonlySet<string>,
    events: readonly LedgerEvent[],
    newEvents: readonly NewEvent[],
    state: LedgerState,
    totalsBefore: ReadonlyMap<string, DepartmentYearTotals>,
  ): Promise<AppendItemResult[]> {
    const found = await session.findStored(newEvents);
    // A stream with events has lines: its first event is always a BudgetLineOpened.
    for (const streamId of locked) if (session.head(streamId) >= 0n) state.departmentYearsWithLines.add(streamId);
    const today = todayInShanghai((this.options.clock ?? SYSTEM_CLOCK)());
    const storedHashes = new Map<string, string>();
    for (const [eventId, copy] of found) storedHashes.set(eventId, copy.contentHash);
    let decision;
    try {
      decision = decideBatch(
        state,
        events,
        newEvents.map((e) => session.contentHash(e)),
        storedHashes,
        { paymentPolicy: this.options.paymentPolicy, today, streams: locked, scoring: this.options.scoring, totalsBefore },
      );
    } catch (error) {
      if (error instanceof StreamNotHeldError) throw new RoutingChanged(error.message);
      throw error;
    }

    const stored = await session.append(
      decision.appends.map((plan) => ({
        streamId: plan.streamId,
        expectedVersion: 'any' as const,
        events: [...plan.indexes.map((i) => newEvents[i] as NewEvent), ...plan.alerts],
      })),
    );
    // session.append returns the events in the order given: each plan's indexes, then its alerts.
    const placeOf = new Array<StoredEvent | undefined>(events.length);
    let k = 0;
    for (const plan of decision.appends) {
      for (const index of plan.indexes) placeOf[index] = stored[k++];
      k += plan.alerts.length;
    }

    const projection = new ProjectionBatch(state);
    const results = decision.outcomes.map((outcome, index): AppendItemResult => {
      const event = events[index] as LedgerEvent;
      switch (outcome.status) {
        case 'appended': {
          const place = placeOf[index] as StoredEvent;
          projection.record(event, place);
          return { status: 'appended', eventId: event.eventId, position: place.position, warnings: outcome.warnings };
        }
        case 'duplicate': {
          const position = outcome.firstIndex === undefined ? found.get(event.eventId)?.position : placeOf[outcome.firstIndex]?.position;
          if (position === undefined) throw new Error(`append: duplicate ${event.eventId} has no stored copy`);
          return { status: 'duplicate', eventId: event.eventId, position };
        }
        case 'rejected':
          return { status: 'rejected', eventId: event.eventId, error: outcome.error };
      }
    });
    await projection.flush(session.tx);
    return results;
  }
}

export function toNewEvent(event: LedgerEvent, recordedBy?: string): NewEvent {
  return {
    recordedBy: recordedBy ?? null,
    eventId: event.eventId,
    type: event.type,
    effectiveDate: event.effectiveDate,
    correction: event.correction,
    data: toStoredData(event),
    metadata: event.metadata,
  };
}

/** The department of a stream id `budget-<department>-<fiscalYear>` (see streamIdOf). */
function departmentOfStream(streamId: string): string {
  return streamId.slice('budget-'.length, streamId.lastIndexOf('-'));
}

function eventIdInTwoDepartments(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): boolean {
  const departmentOf = new Map<string, string>();
  return events.some((event, i) => {
    const streamId = streams[i];
    const department = streamId === undefined ? '' : departmentOfStream(streamId);
    const first = departmentOf.get(event.eventId);
    if (first === undefined) departmentOf.set(event.eventId, department);
    return first !== undefined && first !== department;
  });
}

/**
 * A transfer into a line that the same batch opens in another department: split into lanes, the
 * transfer's lane would not know the line at all (LINE_NOT_FOUND) where one transaction refuses it
 * for what it is (TRANSFER_OUTSIDE_DEPARTMENT_YEAR). The answer must not depend on the lanes.
 */
function transferIntoLineOpenedElsewhere(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): boolean {
  const openedIn = new Map<string, string | undefined>();
  events.forEach((event, i) => {
    if (event.type === 'BudgetLineOpened' && !openedIn.has(event.data.lineId)) openedIn.set(event.data.lineId, streams[i]);
  });
  return events.some((event, i) => {
    if (event.type !== 'BudgetTransferred' || !openedIn.has(event.data.toLineId)) return false;
    const target = openedIn.get(event.data.toLineId);
    const source = streams[i];
    return (target === undefined ? '' : departmentOfStream(target)) !== (source === undefined ? '' : departmentOfStream(source));
  });
}

/** A stream id with its department and fiscal year. */
function streamKey(streamId: string): { streamId: string; department: string; fiscalYear: number } {
  return { streamId, department: departmentOfStream(streamId), fiscalYear: Number(streamId.slice(streamId.lastIndexOf('-') + 1)) };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
