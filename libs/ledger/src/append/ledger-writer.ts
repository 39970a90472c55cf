import type { AppendItemResult, DepartmentYearTotals, LedgerEvent, LedgerState, LineState, ScoringConfig } from '@ledger/domain';
import {
  commitmentReferenced,
  decideBatch,
  MAX_BATCH_EVENTS,
  DEFAULT_SCORING_CONFIG,
  linesReferenced,
  movesCountedAmounts,
  paymentReferenced,
  StreamNotHeldError,
  streamIdOf,
  yearsToComplete,
} from '@ledger/domain';
import type { AppendSession, HashedEvents, NewEvent, PgEventStore, Sql, StoredCopy, StoredEvent, Transaction } from '@ledger/event-store';
import { CopyFailedError } from '@ledger/event-store';
import { loadState, ProjectionBatch, readHighWater, type HighWater, type StateKeys } from '@ledger/projections';
import { todayInShanghai } from '@ledger/reporting';
import { readDepartmentYearTotals } from '../alerts/department-year-totals';
import { LineCache } from './line-cache';
import { readDerivedStored, storeDecision, toNewEvent } from './store-decision';
import { commitmentsReferenced, departmentOfStream, fiscalYearOfStream, StreamRoutes, streamsToLock } from './stream-routes';

export { toNewEvent } from './store-decision';

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

/** Up to this many events a batch is loaded with INSERT rather than COPY (see appendRouted). */
const MAX_INSERTED_EVENTS = 16;

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
  /** lineId → stream, and the streams of a batch's events. */
  private readonly routes: StreamRoutes;
  /** The lines as this writer left them, exact while their streams' heads have not moved since. */
  private readonly lineCache = new LineCache();

  constructor(
    db: Sql,
    private readonly store: PgEventStore,
    private readonly options: LedgerWriterOptions = { paymentPolicy: 'reject', scoring: DEFAULT_SCORING_CONFIG },
  ) {
    this.routes = new StreamRoutes(db);
  }

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
    const streams = await this.routes.streamsOf(events);
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
      const streamId = this.routes.of(lineId);
      if (streamId !== undefined && streams.has(streamId) && this.lineCache.kept(streamId)?.has(lineId) === true) {
        kept.push({ lineId, streamId });
      } else toRead.push(lineId);
    }
    const departments = [
      ...[...streams].map(departmentOfStream),
      ...events.flatMap((e) => (e.type === 'BudgetLineOpened' || e.type === 'PeriodClosed' ? [e.data.department] : [])),
    ];
    const keys: StateKeys = {
      lineIds: toRead,
      paymentIds: events.flatMap((e) => paymentReferenced(e) ?? []),
      departments,
      commitmentIds: commitmentsReferenced(events),
      completeYears: events.flatMap(yearsToComplete),
      // A department-year whose lines the ledger opened in the stream of the year before has none in its own.
      departmentYears: events.flatMap((e) => (e.type === 'PeriodClosed' || e.type === 'YearClosed' ? [e.data] : [])),
    };
    // The as-of balances' high-water dates of the streams held, read with the locks rather than in
    // a round trip of their own when the movements are written (a sixth of a one-event append's).
    const heldDepartmentYears = [...streams].map(streamKey);
    // The alerts' "before": only a batch that moves a counted amount needs it.
    const totalsOf = events.some(movesCountedAmounts) ? heldDepartmentYears : [];
    return { kept, departments, keys, totalsOf, heldDepartmentYears };
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
      if (!current.has(streamId)) {
        current.set(streamId, this.lineCache.current(streamId, session.head(streamId), yearBeforeClosed(state, streamId)));
      }
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
    // A few events are loaded with INSERT, sent without waiting in between (COPY waits for the
    // server's go-ahead first: a round trip more per request). More are loaded with COPY until a
    // load fails without saying why; from then on with INSERT, whose error is the server's own (a
    // unique violation is a race, retried; anything else is thrown).
    let load: 'copy' | 'insert' = events.length <= MAX_INSERTED_EVENTS ? 'insert' : 'copy';
    for (let attempt = 1; ; attempt += 1) {
      try {
        const looked = attempt === 1 ? routed : await this.routes.streamsOf(events);
        const streams = streamsToLock(events, looked);
        const { kept, departments, keys, totalsOf, heldDepartmentYears } = this.planReads(events, streams);
        let outcome: {
          results: AppendItemResult[];
          state: LedgerState;
          versions: Map<string, readonly [bigint, bigint]>;
        };
        try {
          outcome = await this.store.withStreams(
            [...streams],
            async (session, [state, totals, derivedStored, highWater]) => {
              const locked = [...streams].map((streamId) => [streamId, session.head(streamId)] as const);
              await this.adoptKeptLines(session, state, kept, departments);
              const results = await this.appendLocked(session, streams, { events, newEvents, derivedStored, highWater }, state, totals);
              if (dryRun) throw new DryRunDone(results);
              const versions = new Map(locked.map(([streamId, version]) => [streamId, [version, session.head(streamId)] as const]));
              return { results, state, versions };
            },
            {
              load,
              events: newEvents,
              hashed,
              // The statements are sent before any answer is awaited: one round trip with the locks.
              read: (tx: Transaction) =>
                Promise.all([
                  loadState(tx, keys),
                  readDepartmentYearTotals(tx, totalsOf),
                  readDerivedStored(tx, events),
                  readHighWater(tx, heldDepartmentYears),
                ]),
            },
          );
        } catch (error) {
          // The batch evolved kept lines in place and did not commit.
          this.lineCache.forget(streams);
          throw error;
        }
        // Committed: the lines as this transaction left them are exact at the streams' new versions.
        const committed = outcome.state;
        this.lineCache.remember(
          outcome.versions,
          committed.lines.values(),
          (line) => this.routes.of(line.lineId) ?? streamIdOf(line.department, line.fiscalYear),
          (streamId) => yearBeforeClosed(committed, streamId),
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
   * lane). A batch with an event of no known stream is not split: such an event may name a payment
   * or commitment that a later event of the batch makes, in a department another lane would store
   * (and commit) before it is judged, out of input order (found by the model tests). A batch
   * that gives one eventId in two departments is not split: its occurrences are judged against
   * each other in input order (decideBatch), which separate transactions could not do.
   */
  private lanesOf(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): number[][] {
    const laneCount = Math.min(this.options.lanes ?? 1, MAX_LANES);
    if (
      laneCount <= 1 ||
      streams.includes(undefined) ||
      eventIdInTwoDepartments(events, streams) ||
      namesWhatAnotherDepartmentCreates(events, streams)
    ) {
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
   * Under the locks: reads what is stored under the batch's eventIds, lets decideBatch judge the
   * batch, stores what it accepted, and writes the projection rows of the accepted events.
   */
  private async appendLocked(
    session: AppendSession,
    locked: ReadonlySet<string>,
    batch: {
      events: readonly LedgerEvent[];
      newEvents: readonly NewEvent[];
      derivedStored: ReadonlyMap<string, StoredCopy>;
      highWater: HighWater;
    },
    state: LedgerState,
    totalsBefore: ReadonlyMap<string, DepartmentYearTotals>,
  ): Promise<AppendItemResult[]> {
    const { events, newEvents } = batch;
    const found = await session.findStored(newEvents);
    // A stream with events has lines: its first event is always a BudgetLineOpened.
    for (const streamId of locked) if (session.head(streamId) >= 0n) state.departmentYearsWithLines.add(streamId);
    const today = todayInShanghai((this.options.clock ?? SYSTEM_CLOCK)());
    const storedHashes = new Map<string, string>();
    for (const [eventId, copy] of [...batch.derivedStored, ...found]) storedHashes.set(eventId, copy.contentHash);
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

    // The accepted events, each followed by the events the ledger derived from it, then the alerts.
    const { placeOf, derived, written } = await storeDecision(session, decision, newEvents);
    const projection = new ProjectionBatch(state, batch.highWater);
    const results = decision.outcomes.map((outcome, index): AppendItemResult => {
      const event = events[index] as LedgerEvent;
      switch (outcome.status) {
        case 'appended': {
          const place = placeOf[index] as StoredEvent;
          projection.record(event, place);
          for (const d of derived.get(index) ?? []) projection.record(d.event, d.stored);
          return { status: 'appended', eventId: event.eventId, position: place.position, warnings: outcome.warnings };
        }
        case 'duplicate': {
          const first = outcome.firstIndex;
          const position =
            first === undefined
              ? found.get(event.eventId)?.position
              : outcome.derivedIndex === undefined
                ? placeOf[first]?.position
                : derived.get(first)?.[outcome.derivedIndex]?.stored.position;
          if (position === undefined) throw new Error(`append: duplicate ${event.eventId} has no stored copy`);
          return { status: 'duplicate', eventId: event.eventId, position };
        }
        case 'rejected':
          return { status: 'rejected', eventId: event.eventId, error: outcome.error };
      }
    });
    // The projection rows and the events' rows go in one pipeline (the events' last: see
    // session.stage), one round trip for both. On a failure the drivers report the first statement
    // that failed, not the ones aborted behind it; a flush statement sent after this function has
    // failed is refused, not run on its own (Database.transaction).
    await Promise.all([written, projection.flush(session.tx)]);
    return results;
  }
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
 * An event naming something the same batch creates in another department: a transfer into a line
 * the batch opens there, a payment (or release) naming a commitment the batch makes there. Split
 * into lanes, the event's lane would not know it at all (LINE_NOT_FOUND, COMMITMENT_NOT_FOUND), or
 * know it only once the other lane committed, where one transaction refuses it for what it is
 * (TRANSFER_OUTSIDE_DEPARTMENT_YEAR, COMMITMENT_OF_OTHER_LINE). The answer must not depend on the
 * lanes. (The commitment case was found by the model tests.)
 */
function namesWhatAnotherDepartmentCreates(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): boolean {
  const departmentAt = (i: number): string => {
    const streamId = streams[i];
    return streamId === undefined ? '' : departmentOfStream(streamId);
  };
  const createdIn = new Map<string, string>();
  events.forEach((event, i) => {
    const key =
      event.type === 'BudgetLineOpened'
        ? `line:${event.data.lineId}`
        : event.type === 'CommitmentMade'
          ? `commitment:${event.eventId}`
          : undefined;
    if (key !== undefined && !createdIn.has(key)) createdIn.set(key, departmentAt(i));
  });
  if (createdIn.size === 0) return false;
  return events.some((event, i) => {
    const commitmentId = commitmentReferenced(event);
    const named =
      event.type === 'BudgetTransferred'
        ? `line:${event.data.toLineId}`
        : commitmentId === undefined
          ? undefined
          : `commitment:${commitmentId}`;
    const createdInDepartment = named === undefined ? undefined : createdIn.get(named);
    return createdInDepartment !== undefined && createdInDepartment !== departmentAt(i);
  });
}

/** A stream id with its department and fiscal year. */
function streamKey(streamId: string): { streamId: string; department: string; fiscalYear: number } {
  return { streamId, department: departmentOfStream(streamId), fiscalYear: fiscalYearOfStream(streamId) };
}

/**
 * Whether the year before a stream's department-year is closed: its YearClosed changed the
 * stream's lines (opened them, brought balances to them) without moving the stream's head, so
 * lines kept while it was open are stale once it is closed (see LineCache).
 */
function yearBeforeClosed(state: LedgerState, streamId: string): boolean {
  return state.closedYears.has(streamIdOf(departmentOfStream(streamId), fiscalYearOfStream(streamId) - 1));
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
