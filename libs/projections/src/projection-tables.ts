import type { BudgetLineOpened, LedgerState, PlanCheckpoint, CommitmentState, PaymentState } from '@ledger/domain';
import type { Transaction } from '@ledger/event-store';

/**
 * The projection tables of a batch other than the movements and the lines' totals: rows of the
 * few events that are not amounts (lines opened, quarters and years closed, plans) and the
 * per-payment and per-commitment totals. Each is written by one statement, and only when the
 * batch has such rows, so that a batch of ordinary payments sends none of them.
 */

/** Where an event sits in the log: what the store added to it. */
export interface LogPlace {
  readonly position: bigint;
  readonly recordedAt: string;
}

export interface OpenedLine {
  readonly event: BudgetLineOpened;
  readonly place: LogPlace;
}

export interface PeriodRow {
  readonly department: string;
  readonly fiscalYear: number;
  readonly quarter: number;
  readonly position: bigint;
  readonly effectiveDate: string;
  readonly recordedAt: string;
}

export interface PlanRow {
  readonly lineId: string;
  readonly position: bigint;
  readonly effectiveDate: string;
  readonly recordedAt: string;
  readonly checkpoints: readonly PlanCheckpoint[];
}

export interface YearEndRow {
  readonly department: string;
  readonly fiscalYear: number;
  readonly eventId: string;
  readonly position: bigint;
  readonly effectiveDate: string;
  readonly recordedAt: string;
}

/** The lines opened, in one statement. */
export async function writeOpenedLines(tx: Transaction, opened: readonly OpenedLine[]): Promise<void> {
  if (opened.length === 0) return;
  await tx.query(
    `INSERT INTO ledger_lines (line_id, department, fiscal_year, name, unit, project, function_code, economic_code,
                               funding_source, kind, tags, opened_position, opened_effective_date, opened_recorded_at)
     SELECT x.line_id, x.department, x.fiscal_year, x.name, x.unit, x.project, x.function_code, x.economic_code,
            x.funding_source, x.kind, ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.opened_position,
            x.opened_effective_date, x.opened_recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(line_id text, department text, fiscal_year integer, name text, unit text,
          project text, function_code text, economic_code text, funding_source text, kind text, tags jsonb,
          opened_position bigint, opened_effective_date date, opened_recorded_at timestamptz)`,
    [
      JSON.stringify(
        opened.map(({ event, place }) => ({
          line_id: event.data.lineId,
          department: event.data.department,
          fiscal_year: event.data.fiscalYear,
          name: event.data.name ?? null,
          unit: event.data.unit ?? null,
          project: event.data.project ?? null,
          function_code: event.data.functionCode ?? null,
          economic_code: event.data.economicCode ?? null,
          funding_source: event.data.fundingSource ?? null,
          kind: event.data.kind,
          tags: event.data.tags,
          opened_position: place.position.toString(),
          opened_effective_date: event.effectiveDate,
          opened_recorded_at: place.recordedAt,
        })),
      ),
    ],
  );
}

/** The quarters closed, in one statement. */
export async function writePeriods(tx: Transaction, periods: readonly PeriodRow[]): Promise<void> {
  if (periods.length === 0) return;
  await tx.query(
    `INSERT INTO ledger_periods (department, fiscal_year, quarter, position, effective_date, recorded_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(department text, fiscal_year integer, quarter smallint,
          position bigint, effective_date date, recorded_at timestamptz)`,
    [
      JSON.stringify(
        periods.map((p) => ({
          department: p.department,
          fiscal_year: p.fiscalYear,
          quarter: p.quarter,
          position: p.position.toString(),
          effective_date: p.effectiveDate,
          recorded_at: p.recordedAt,
        })),
      ),
    ],
  );
}

/** The reversed totals of the payments reversed, as the batch left them. */
export async function writeReversals(tx: Transaction, state: LedgerState, paymentIds: ReadonlySet<string>): Promise<void> {
  if (paymentIds.size === 0) return;
  const reversals = [...paymentIds].map((eventId) => ({
    payment_event_id: eventId,
    reversed_fen: (state.payments.get(eventId) as PaymentState).reversedFen.toString(),
  }));
  await tx.query(
    `INSERT INTO ledger_reversals (payment_event_id, reversed_fen)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(payment_event_id text, reversed_fen bigint)
     ON CONFLICT (payment_event_id) DO UPDATE SET reversed_fen = excluded.reversed_fen`,
    [JSON.stringify(reversals)],
  );
}

/**
 * The commitments made, released or consumed, as the batch left them: a new one inserted, a
 * known one's released and consumed totals replaced (its amount and line never change).
 */
export async function writeCommitments(tx: Transaction, state: LedgerState, commitmentIds: ReadonlySet<string>): Promise<void> {
  if (commitmentIds.size === 0) return;
  const rows = [...commitmentIds].map((eventId) => {
    const c = state.commitments.get(eventId) as CommitmentState;
    // The decider accepted an event of this commitment, so it is in the state; a missing one is a loading bug.
    if (c === undefined) throw new Error(`projection: commitment ${eventId} is not loaded`);
    return {
      event_id: c.eventId,
      line_id: c.lineId,
      amount_fen: c.amountFen.toString(),
      released_fen: c.releasedFen.toString(),
      consumed_fen: c.consumedFen.toString(),
    };
  });
  await tx.query(
    `INSERT INTO ledger_commitments (event_id, line_id, amount_fen, released_fen, consumed_fen)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, line_id text, amount_fen bigint, released_fen bigint, consumed_fen bigint)
     ON CONFLICT (event_id) DO UPDATE SET released_fen = excluded.released_fen, consumed_fen = excluded.consumed_fen`,
    [JSON.stringify(rows)],
  );
}

/** Every plan set (none replaces a row: the table is bitemporal). */
export async function writePlans(tx: Transaction, plans: readonly PlanRow[]): Promise<void> {
  if (plans.length === 0) return;
  await tx.query(
    `INSERT INTO ledger_spending_plans (line_id, position, effective_date, recorded_at, checkpoints)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(line_id text, position bigint, effective_date date, recorded_at timestamptz,
          checkpoints jsonb)`,
    [
      JSON.stringify(
        plans.map((p) => ({
          line_id: p.lineId,
          position: p.position.toString(),
          effective_date: p.effectiveDate,
          recorded_at: p.recordedAt,
          checkpoints: p.checkpoints.map((c) => ({ date: c.date, share: c.share })),
        })),
      ),
    ],
  );
}

/** The years closed. */
export async function writeYearEnds(tx: Transaction, yearEnds: readonly YearEndRow[]): Promise<void> {
  if (yearEnds.length === 0) return;
  await tx.query(
    `INSERT INTO ledger_year_ends (department, fiscal_year, event_id, position, effective_date, recorded_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(department text, fiscal_year integer, event_id text, position bigint,
          effective_date date, recorded_at timestamptz)`,
    [
      JSON.stringify(
        yearEnds.map((y) => ({
          department: y.department,
          fiscal_year: y.fiscalYear,
          event_id: y.eventId,
          position: y.position.toString(),
          effective_date: y.effectiveDate,
          recorded_at: y.recordedAt,
        })),
      ),
    ],
  );
}
