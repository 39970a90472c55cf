import type { LedgerEvent, LedgerState, LineState, PaymentState, Quarter } from '@ledger/domain';
import { copyText, textArrayLiteral, type CopyChunk, type Statement, type Transaction } from '@ledger/event-store';
import { asOfBalances, followUp, readHighWater, RUNNING_COLUMNS, type RunningTotals } from './as-of-balances';
import type { MovementRow } from './movement-row';

/** Where an event sits in the log: what the store added to it. */
export interface LogPlace {
  readonly position: bigint;
  readonly recordedAt: string;
}

export type { MovementRow } from './movement-row';

const ZERO_MOVEMENT = {
  initialFen: 0n,
  adjustmentsFen: 0n,
  transfersInFen: 0n,
  transfersOutFen: 0n,
  routineTransfersOutFen: 0n,
  executedFen: 0n,
};

const QUARTER_NUMBER: Record<Quarter, number> = { Q1: 1, Q2: 2, Q3: 3, Q4: 4 };

interface OpenedLine {
  readonly event: Extract<LedgerEvent, { type: 'BudgetLineOpened' }>;
  readonly place: LogPlace;
}

interface PeriodRow {
  readonly department: string;
  readonly fiscalYear: number;
  readonly quarter: number;
  readonly position: bigint;
  readonly effectiveDate: string;
  readonly recordedAt: string;
}

/**
 * Collects what the projection tables must receive for the events an append stores, from the
 * partial ledger state the append decided on; `flush` writes it in the append's transaction.
 * (rebuild.ts maps the log to the same tables set-based; the suites require both to agree.)
 */
export class ProjectionBatch {
  private readonly opened: OpenedLine[] = [];
  private readonly touchedLines = new Set<string>();
  /** Payments reversed in this batch (their reversed total is written). */
  private readonly touchedPayments = new Set<string>();
  private readonly movements: MovementRow[] = [];
  private readonly periods: PeriodRow[] = [];

  constructor(readonly state: LedgerState) {}

  get size(): number {
    return this.movements.length + this.opened.length + this.periods.length + this.touchedPayments.size;
  }

  /**
   * Collects the projection rows of one stored event without changing the state: the append path
   * has already evolved the state while deciding. Movement rows only read what never changes
   * (a line's department-year, a payment's line), so the order of the two does not matter.
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
      case 'InitialBudgetApproved':
      case 'BudgetAdjusted':
      case 'BudgetTransferred':
      case 'PaymentRecorded':
        break;
    }
  }

  private movementsOf(event: LedgerEvent, place: LogPlace): MovementRow[] {
    const row = (lineId: string, figures: Partial<typeof ZERO_MOVEMENT>): MovementRow => {
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
      case 'PaymentRecorded':
        return [row(event.data.lineId, { executedFen: event.data.amountFen })];
      case 'PaymentReversed': {
        const payment = this.state.payments.get(event.data.paymentEventId);
        if (payment === undefined) throw new Error(`projection: payment ${event.data.paymentEventId} of ${event.eventId} is not loaded`);
        return [row(payment.lineId, { executedFen: -event.data.amountFen })];
      }
    }
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
    const [initial, adjustments, transfersIn, transfersOut, executed]: [bigint[], bigint[], bigint[], bigint[], bigint[]] = [
      [],
      [],
      [],
      [],
      [],
    ];
    for (const lineId of this.touchedLines) {
      const line = this.state.lines.get(lineId) as LineState;
      ids.push(lineId);
      initial.push(line.initialFen);
      adjustments.push(line.adjustmentsFen);
      transfersIn.push(line.transfersInFen);
      transfersOut.push(line.transfersOutFen);
      executed.push(line.executedFen);
    }
    const columns = [initial, adjustments, transfersIn, transfersOut, executed];
    return {
      text: `UPDATE ledger_lines l
             SET initial_fen = x.initial_fen, adjustments_fen = x.adjustments_fen, transfers_in_fen = x.transfers_in_fen,
                 transfers_out_fen = x.transfers_out_fen, executed_fen = x.executed_fen
             FROM unnest($1::text::text[], $2::text::bigint[], $3::text::bigint[], $4::text::bigint[], $5::text::bigint[], $6::text::bigint[])
                  AS x(line_id, initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, executed_fen)
             WHERE l.line_id = x.line_id`,
      params: [textArrayLiteral(ids), ...columns.map((column) => `{${column.join(',')}}`)],
      options: { prepare: true },
    };
  }

  /** The lines opened since the last flush, in one statement. */
  private async writeOpenedLines(tx: Transaction): Promise<void> {
    if (this.opened.length === 0) return;
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
          this.opened.map(({ event, place }) => ({
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

  /** The quarters closed since the last flush, in one statement. */
  private async writePeriods(tx: Transaction): Promise<void> {
    if (this.periods.length === 0) return;
    await tx.query(
      `INSERT INTO ledger_periods (department, fiscal_year, quarter, position, effective_date, recorded_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(department text, fiscal_year integer, quarter smallint,
            position bigint, effective_date date, recorded_at timestamptz)`,
      [
        JSON.stringify(
          this.periods.map((p) => ({
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

  /** Writes everything collected since the last flush, in the caller's transaction. */
  async flush(tx: Transaction): Promise<void> {
    await this.writeOpenedLines(tx);
    const totals = this.lineTotals();
    if (this.movements.length > 0) {
      const balances = asOfBalances(this.movements, this.state, await readHighWater(tx, this.movements));
      // The lines' new totals, the streams' new days and the movements kept apart go right behind
      // the movements, in the same pipeline, as one statement.
      await tx.copyFrom('ledger_movements', MOVEMENT_COLUMNS, movementChunks(balances.movements, balances.running), () =>
        followUp(totals as Statement, balances),
      );
    } else if (totals !== undefined) {
      await tx.query(totals.text, totals.params, totals.options);
    }
    if (this.touchedPayments.size > 0) {
      const reversals = [...this.touchedPayments].map((eventId) => ({
        payment_event_id: eventId,
        reversed_fen: (this.state.payments.get(eventId) as PaymentState).reversedFen.toString(),
      }));
      await tx.query(
        `INSERT INTO ledger_reversals (payment_event_id, reversed_fen)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(payment_event_id text, reversed_fen bigint)
         ON CONFLICT (payment_event_id) DO UPDATE SET reversed_fen = excluded.reversed_fen`,
        [JSON.stringify(reversals)],
      );
    }
    await this.writePeriods(tx);
    this.opened.length = 0;
    this.touchedLines.clear();
    this.touchedPayments.clear();
    this.movements.length = 0;
    this.periods.length = 0;
  }
}

const MOVEMENT_COLUMNS = [
  'line_id',
  'position',
  'department',
  'fiscal_year',
  'effective_date',
  'recorded_at',
  'initial_fen',
  'adjustments_fen',
  'transfers_in_fen',
  'transfers_out_fen',
  'routine_transfers_out_fen',
  'executed_fen',
  ...RUNNING_COLUMNS,
] as const;

/** Rows per COPY chunk: a batch's movements (some 80 bytes a row) usually go in one write. */
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
      `${r[0]}\t${r[1]}\t${r[2]}\t${r[3]}\t${r[4]}\n`;
    rows += 1;
    if (rows === MOVEMENTS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      rows = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}
