import type { LedgerEvent } from '@ledger/domain';
import { commitmentReferenced, linesReferenced, paymentReferenced, streamIdOf } from '@ledger/domain';
import { textArrayLiteral, type Sql } from '@ledger/event-store';

/** Lines whose stream this process remembers; past it the memory starts over (lines are reread). */
const MAX_REMEMBERED_LINES = 200_000;

/**
 * Which stream (department-year) each event of a batch belongs to, found before the locks are
 * taken. Which department-year a line belongs to never changes, so the routes of lines are
 * remembered; a payment's and a commitment's line never change either, and are read with them.
 */
export class StreamRoutes {
  /** lineId → stream: immutable facts, so remembering them is always correct. */
  private readonly lineRoutes = new Map<string, string>();

  constructor(private readonly db: Sql) {}

  /** The stream of a line this process has looked up. */
  of(lineId: string): string | undefined {
    return this.lineRoutes.get(lineId);
  }

  /** The streams the events belong to (undefined: not known, the decider refuses the event). */
  async streamsOf(events: readonly LedgerEvent[]): Promise<(string | undefined)[]> {
    const unknownLines = new Set<string>();
    const payments = new Set<string>();
    const commitments = new Set<string>();
    for (const event of events) {
      for (const lineId of linesReferenced(event)) if (!this.lineRoutes.has(lineId)) unknownLines.add(lineId);
      const paymentId = paymentReferenced(event);
      if (paymentId !== undefined) payments.add(paymentId);
      if (event.type === 'CommitmentReleased') commitments.add(event.data.commitmentEventId);
    }
    const found = await this.load(unknownLines, payments, commitments);
    const streams: (string | undefined)[] = [];
    const batchLines = new Map<string, string>();
    const lineStream = (lineId: string | undefined) =>
      lineId === undefined ? undefined : (this.lineRoutes.get(lineId) ?? batchLines.get(lineId));
    for (const event of events) {
      let streamId: string | undefined;
      switch (event.type) {
        case 'BudgetLineOpened':
          streamId = streamIdOf(event.data.department, event.data.fiscalYear);
          // A line opened earlier in the batch routes the events after it (if it is accepted).
          if (!this.lineRoutes.has(event.data.lineId)) batchLines.set(event.data.lineId, streamId);
          break;
        case 'PeriodClosed':
        case 'YearClosed':
          streamId = streamIdOf(event.data.department, event.data.fiscalYear);
          break;
        case 'PaymentReversed':
          streamId = lineStream(
            found.paymentLines.get(event.data.paymentEventId) ?? lineInBatch(events, 'PaymentRecorded', event.data.paymentEventId),
          );
          break;
        case 'CommitmentReleased':
          streamId = lineStream(
            found.commitmentLines.get(event.data.commitmentEventId) ?? lineInBatch(events, 'CommitmentMade', event.data.commitmentEventId),
          );
          break;
        case 'InitialBudgetApproved':
        case 'BudgetAdjusted':
        case 'PaymentRecorded':
        case 'SpendingPlanSet':
        case 'CommitmentMade':
          streamId = lineStream(event.data.lineId);
          break;
        case 'BudgetTransferred':
        case 'BalanceCarriedForward':
          // Both lines of a transfer must share a department-year (the decider refuses it otherwise);
          // a carried balance is stored with its source line's year, which closed.
          streamId = lineStream(event.data.fromLineId);
          break;
      }
      streams.push(streamId);
    }
    return streams;
  }

  /** Remembers the streams of the given lines, and returns the lines of the given payments and commitments. */
  private async load(
    lineIds: ReadonlySet<string>,
    paymentIds: ReadonlySet<string>,
    commitmentIds: ReadonlySet<string>,
  ): Promise<{ paymentLines: Map<string, string>; commitmentLines: Map<string, string> }> {
    const paymentLines = new Map<string, string>();
    const commitmentLines = new Map<string, string>();
    if (lineIds.size === 0 && paymentIds.size === 0 && commitmentIds.size === 0) return { paymentLines, commitmentLines };
    const rows = await this.db.query<{
      line_id: string;
      department: string;
      fiscal_year: number;
      payment_event_id: string | null;
      commitment_event_id: string | null;
    }>(
      `SELECT l.line_id, l.department, l.fiscal_year, NULL AS payment_event_id, NULL AS commitment_event_id
       FROM ledger_lines l WHERE l.line_id IN (SELECT unnest($1::text::text[]))
       UNION ALL
       SELECT l.line_id, l.department, l.fiscal_year, e.event_id, NULL
       FROM ledger_events e JOIN ledger_lines l ON l.line_id = e.data->>'lineId'
       WHERE e.event_id IN (SELECT unnest($2::text::text[])) AND e.type = 'PaymentRecorded'
       UNION ALL
       SELECT l.line_id, l.department, l.fiscal_year, NULL, c.event_id
       FROM ledger_commitments c JOIN ledger_lines l ON l.line_id = c.line_id
       WHERE c.event_id IN (SELECT unnest($3::text::text[]))`,
      [textArrayLiteral([...lineIds]), textArrayLiteral([...paymentIds]), textArrayLiteral([...commitmentIds])],
      { prepare: true },
    );
    if (this.lineRoutes.size + rows.length > MAX_REMEMBERED_LINES) this.lineRoutes.clear();
    for (const row of rows) {
      this.lineRoutes.set(row.line_id, streamIdOf(row.department, row.fiscal_year));
      if (row.payment_event_id !== null) paymentLines.set(row.payment_event_id, row.line_id);
      if (row.commitment_event_id !== null) commitmentLines.set(row.commitment_event_id, row.line_id);
    }
    return { paymentLines, commitmentLines };
  }
}

/** The line of a payment or commitment given earlier in the same batch. */
function lineInBatch(events: readonly LedgerEvent[], type: 'PaymentRecorded' | 'CommitmentMade', eventId: string): string | undefined {
  const found = events.find((e) => e.type === type && e.eventId === eventId);
  return found?.type === 'PaymentRecorded' || found?.type === 'CommitmentMade' ? found.data.lineId : undefined;
}

/**
 * The streams a batch locks: those of its events, and for a YearClosed the next department-year
 * too, whose lines it opens and whose figures it moves (decision 0014), though everything it
 * stores goes in its own year's stream.
 */
export function streamsToLock(events: readonly LedgerEvent[], streams: readonly (string | undefined)[]): Set<string> {
  const locked = new Set(streams.filter((s): s is string => s !== undefined));
  for (const event of events) {
    if (event.type === 'YearClosed') locked.add(streamIdOf(event.data.department, event.data.fiscalYear + 1));
  }
  return locked;
}

/** The commitments a batch reads (releases, payments against one). */
export function commitmentsReferenced(events: readonly LedgerEvent[]): string[] {
  return events.flatMap((e) => commitmentReferenced(e) ?? []);
}

/** The department of a stream id `budget-<department>-<fiscalYear>` (see streamIdOf). */
export function departmentOfStream(streamId: string): string {
  return streamId.slice('budget-'.length, streamId.lastIndexOf('-'));
}

/** The fiscal year of a stream id `budget-<department>-<fiscalYear>`. */
export function fiscalYearOfStream(streamId: string): number {
  return Number(streamId.slice(streamId.lastIndexOf('-') + 1));
}
