import type { LedgerEvent, LedgerState, LineState, Quarter } from '@ledger/domain';
import { copyText, textArrayLiteral, type CopyChunk, type Statement, type Transaction } from '@ledger/event-store';
import { asOfBalances, departmentDays, followUp, highWaterOf, RUNNING_COLUMNS, type HighWater, type RunningTotals } from './as-of-balances';
import { MOVEMENT_AMOUNT_COLUMNS, MOVEMENT_AMOUNTS, MOVEMENT_FIGURES, type MovementRow } from './movement-row';
import {
  writeCommitments,
  writeOpenedLines,
  writePeriods,
  writePlans,
  writeReversals,
  writeYearEnds,
  type LogPlace,
  type OpenedLine,
  type PeriodRow,
  type PlanRow,
  type YearEndRow,
} from './projection-tables';

export type { MovementRow } from './movement-row';
export type { LogPlace } from './projection-tables';

type Figures = Omit<MovementRow, 'lineId' | 'position' | 'department' | 'fiscalYear' | 'effectiveDate' | 'recordedAt'>;

const ZERO_MOVEMENT: Figures = {
  initialFen: 0n,
  adjustmentsFen: 0n,
  transfersInFen: 0n,
  transfersOutFen: 0n,
  routineTransfersOutFen: 0n,
  executedFen: 0n,
  committedFen: 0n,
  broughtForwardFen: 0n,
  carriedForwardFen: 0n,
};

const QUARTER_NUMBER: Record<Quarter, number> = { Q1: 1, Q2: 2, Q3: 3, Q4: 4 };

/**
 * Collects what the projection tables must receive for the events an append stores, from the
 * partial ledger state the append decided on; `flush` writes it in the append's transaction.
 * (rebuild.ts maps the log to the same tables set-based; the suites require both to agree.)
 * The events the ledger derives itself (a YearClosed's lines and balances) are recorded like any other.
 */
export class ProjectionBatch {
  private readonly opened: OpenedLine[] = [];
  private readonly touchedLines = new Set<string>();
  /** Payments reversed in this batch (their reversed total is written). */
  private readonly touchedPayments = new Set<string>();
  /** Commitments made, released or consumed in this batch (their row is written as the batch left it). */
  private readonly touchedCommitments = new Set<string>();
  private readonly movements: MovementRow[] = [];
  private readonly periods: PeriodRow[] = [];
  private readonly plans: PlanRow[] = [];
  private readonly yearEnds: YearEndRow[] = [];

  /**
   * `highWater`: the high-water dates the append read with its locks (readHighWater), for the
   * department-years it holds; the first flush uses them, and reads any other it needs.
   */
  constructor(
    readonly state: LedgerState,
    private highWater?: HighWater,
  ) {}

  get size(): number {
    return (
      this.movements.length +
      this.opened.length +
      this.periods.length +
      this.touchedPayments.size +
      this.touchedCommitments.size +
      this.plans.length +
      this.yearEnds.length
    );
  }

  /**
   * Collects the projection rows of one stored event without changing the state: the append path
   * has already evolved the state while deciding. Movement rows only read what never changes
   * (a line's department-year, a payment's line and what it consumed, a commitment's line), so
   * the order of the two does not matter.
   */
  record(event: LedgerEvent, place: LogPlace): void {
    for (const row of this.movementsOf(event, place)) {
      this.movements.push(row);
      this.touchedLines.add(row.lineId);
    }
    switch (event.type) {
      case 'BudgetLineOpened':
        this.opened.push({ event, place });
        this.touchedLines.add(event.data.lineId);
        break;
      case 'PaymentReversed':
        this.touchedPayments.add(event.data.paymentEventId);
        break;
      case 'PeriodClosed':
        this.periods.push({
          department: event.data.department,
          fiscalYear: event.data.fiscalYear,
          quarter: QUARTER_NUMBER[event.data.period],
          position: place.position,
          effectiveDate: event.effectiveDate,
          recordedAt: place.recordedAt,
        });
        break;
      case 'CommitmentMade':
        this.touchedCommitments.add(event.eventId);
        break;
      case 'CommitmentReleased':
        this.touchedCommitments.add(event.data.commitmentEventId);
        break;
      case 'PaymentRecorded':
        if (event.data.commitmentEventId !== undefined) this.touchedCommitments.add(event.data.commitmentEventId);
        break;
      case 'SpendingPlanSet':
        this.plans.push({
          lineId: event.data.lineId,
          position: place.position,
          effectiveDate: event.effectiveDate,
          recordedAt: place.recordedAt,
          checkpoints: event.data.checkpoints,
        });
        break;
      case 'YearClosed':
        this.yearEnds.push({
          department: event.data.department,
          fiscalYear: event.data.fiscalYear,
          eventId: event.eventId,
          position: place.position,
          effectiveDate: event.effectiveDate,
          recordedAt: place.recordedAt,
        });
        break;
      case 'InitialBudgetApproved':
      case 'BudgetAdjusted':
      case 'BudgetTransferred':
      case 'BalanceCarriedForward':
        break;
    }
  }

  private movementsOf(event: LedgerEvent, place: LogPlace): MovementRow[] {
    const row = (lineId: string, figures: Partial<Figures>): MovementRow => {
      const line = this.line(lineId, event);
      return {
        lineId,
        position: place.position,
        department: line.department,
        fiscalYear: line.fiscalYear,
        effectiveDate: event.effectiveDate,
        recordedAt: place.recordedAt,
        ...ZERO_MOVEMENT,
        ...figures,
      };
    };
    switch (event.type) {
      case 'BudgetLineOpened':
      case 'PeriodClosed':
      case 'SpendingPlanSet':
      case 'YearClosed':
        return [];
      case 'InitialBudgetApproved':
        return [row(event.data.lineId, { initialFen: event.data.amountFen })];
      case 'BudgetAdjusted':
        return [row(event.data.lineId, { adjustmentsFen: event.data.amountFen })];
      case 'BudgetTransferred': {
        const amount = event.data.amountFen;
        return [
          row(event.data.fromLineId, { transfersOutFen: amount, routineTransfersOutFen: event.data.routine ? amount : 0n }),
          row(event.data.toLineId, { transfersInFen: amount }),
        ];
      }
      case 'PaymentRecorded': {
        // What the payment consumed of its commitment moves from committed to executed.
        const consumed = event.data.commitmentEventId === undefined ? 0n : this.payment(event.eventId, event).consumedFen;
        return [row(event.data.lineId, { executedFen: event.data.amountFen, committedFen: -consumed })];
      }
      case 'PaymentReversed':
        // Back to available, not to the commitment (decision 0014).
        return [row(this.payment(event.data.paymentEventId, event).lineId, { executedFen: -event.data.amountFen })];
      case 'CommitmentMade':
        return [row(event.data.lineId, { committedFen: event.data.amountFen })];
      case 'CommitmentReleased': {
        const commitment = this.state.commitments.get(event.data.commitmentEventId);
        if (commitment === undefined) {
          throw new Error(`projection: commitment ${event.data.commitmentEventId} of ${event.eventId} is not loaded`);
        }
        return [row(commitment.lineId, { committedFen: -event.data.amountFen })];
      }
      case 'BalanceCarriedForward': {
        const amount = event.data.amountFen;
        return [row(event.data.fromLineId, { carriedForwardFen: amount }), row(event.data.toLineId, { broughtForwardFen: amount })];
      }
    }
  }

  private payment(paymentId: string, event: LedgerEvent) {
    const payment = this.state.payments.get(paymentId);
    if (payment === undefined) throw new Error(`projection: payment ${paymentId} of ${event.eventId} is not loaded`);
    return payment;
  }

  private line(lineId: string, event: LedgerEvent): LineState {
    const line = this.state.lines.get(lineId);
    // The decider accepted the event, so its lines exist; a missing one is a loading bug.
    if (line === undefined) throw new Error(`projection: line ${lineId} of ${event.eventId} is not loaded`);
    return line;
  }

  /** The statement that writes the new totals of every line this batch moved (one array per column). */
  private lineTotals(): Statement | undefined {
    if (this.touchedLines.size === 0) return undefined;
    const ids: string[] = [];
    const columns: bigint[][] = MOVEMENT_FIGURES.map(() => []);
    for (const lineId of this.touchedLines) {
      const line = this.state.lines.get(lineId) as LineState;
      ids.push(lineId);
      for (const [k, figure] of MOVEMENT_FIGURES.entries()) (columns[k] as bigint[]).push(line[figure]);
    }
    return {
      text: `UPDATE ledger_lines l
             SET initial_fen = x.initial_fen, adjustments_fen = x.adjustments_fen, transfers_in_fen = x.transfers_in_fen,
                 transfers_out_fen = x.transfers_out_fen, executed_fen = x.executed_fen, committed_fen = x.committed_fen,
                 brought_forward_fen = x.brought_forward_fen, carried_forward_fen = x.carried_forward_fen
             FROM unnest($1::text::text[], $2::text::bigint[], $3::text::bigint[], $4::text::bigint[], $5::text::bigint[], $6::text::bigint[],
                         $7::text::bigint[], $8::text::bigint[], $9::text::bigint[])
                  AS x(line_id, initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, executed_fen, committed_fen,
                       brought_forward_fen, carried_forward_fen)
             WHERE l.line_id = x.line_id`,
      params: [textArrayLiteral(ids), ...columns.map((column) => `{${column.join(',')}}`)],
      options: { prepare: true },
    };
  }

  /** Writes everything collected since the last flush, in the caller's transaction. */
  async flush(tx: Transaction): Promise<void> {
    await writeOpenedLines(tx, this.opened);
    const totals = this.lineTotals();
    if (this.movements.length > 0) {
      const balances = asOfBalances(this.movements, this.state, await highWaterOf(tx, this.movements, this.highWater));
      // The lines' new totals, the streams' new days and the movements kept apart go right behind
      // the movements, in the same pipeline, as one statement; the department-years' totals by day
      // (migration 0018) as another.
      const days = departmentDays(balances.movements);
      if (balances.movements.length <= MAX_INSERTED_MOVEMENTS) {
        // A few rows: one INSERT sent with the statements behind it, without waiting in between
        // (COPY would wait for the server's go-ahead first: a round trip more).
        const insert = movementsInsert(balances.movements, balances.running);
        const behind = followUp(totals as Statement, balances);
        await Promise.all([insert, behind, days].map((statement) => tx.query(statement.text, statement.params, statement.options)));
      } else {
        await tx.copyFrom('ledger_movements', MOVEMENT_COLUMNS, movementChunks(balances.movements, balances.running), () =>
          followUp(totals as Statement, balances),
        );
        await tx.query(days.text, days.params, days.options);
      }
    } else if (totals !== undefined) {
      await tx.query(totals.text, totals.params, totals.options);
    }
    await writeReversals(tx, this.state, this.touchedPayments);
    await writeCommitments(tx, this.state, this.touchedCommitments);
    await writePeriods(tx, this.periods);
    await writePlans(tx, this.plans);
    await writeYearEnds(tx, this.yearEnds);
    // The dates read before this flush are stale after it: a later flush reads its own.
    this.highWater = undefined;
    this.opened.length = 0;
    this.touchedLines.clear();
    this.touchedPayments.clear();
    this.touchedCommitments.clear();
    this.movements.length = 0;
    this.periods.length = 0;
    this.plans.length = 0;
    this.yearEnds.length = 0;
  }
}

const MOVEMENT_COLUMNS = [
  'line_id',
  'position',
  'department',
  'fiscal_year',
  'effective_date',
  'recorded_at',
  ...MOVEMENT_AMOUNT_COLUMNS,
  ...RUNNING_COLUMNS,
] as const;

/** Up to this many movement rows a flush inserts with a statement instead of COPY (a one-payment request has one). */
const MAX_INSERTED_MOVEMENTS = 32;

/** The movements' INSERT for a few rows: one array parameter per column, a fixed (prepared) text. */
function movementsInsert(movements: readonly MovementRow[], running: readonly RunningTotals[]): Statement {
  const amounts = (pick: (m: MovementRow) => bigint) => `{${movements.map(pick).join(',')}}`;
  const runningColumn = (k: number) => `{${running.map((r) => r[k] as bigint).join(',')}}`;
  const params = [
    textArrayLiteral(movements.map((m) => m.lineId)),
    amounts((m) => m.position),
    textArrayLiteral(movements.map((m) => m.department)),
    `{${movements.map((m) => m.fiscalYear).join(',')}}`,
    `{${movements.map((m) => m.effectiveDate).join(',')}}`,
    `{${movements.map((m) => m.recordedAt).join(',')}}`,
    ...MOVEMENT_AMOUNTS.map((figure) => amounts((m) => m[figure])),
    ...RUNNING_COLUMNS.map((_, k) => runningColumn(k)),
  ];
  const types = ['text', 'bigint', 'text', 'integer', 'date', 'timestamptz', ...params.slice(6).map(() => 'bigint')];
  return {
    text: `INSERT INTO ledger_movements (${MOVEMENT_COLUMNS.join(', ')})
           SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::text::${type}[]`).join(', ')})`,
    params,
    options: { prepare: true },
  };
}

/** Rows per COPY chunk: a batch's movements (some 100 bytes a row) usually go in one write. */
const MOVEMENTS_PER_CHUNK = 4096;

/** Movement rows in COPY's text format; line ids and departments with their tab, line end and backslash escaped. */
function* movementChunks(movements: readonly MovementRow[], running: readonly RunningTotals[]): Generator<CopyChunk> {
  let chunk = '';
  let rows = 0;
  for (const [i, m] of movements.entries()) {
    const r = running[i] as RunningTotals;
    chunk +=
      `${copyText(m.lineId)}\t${m.position}\t${copyText(m.department)}\t${m.fiscalYear}\t${m.effectiveDate}\t${m.recordedAt}\t` +
      `${m.initialFen}\t${m.adjustmentsFen}\t${m.transfersInFen}\t${m.transfersOutFen}\t${m.routineTransfersOutFen}\t${m.executedFen}\t` +
      `${m.committedFen}\t${m.broughtForwardFen}\t${m.carriedForwardFen}\t${r.join('\t')}\n`;
    rows += 1;
    if (rows === MOVEMENTS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      rows = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}
