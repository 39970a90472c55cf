import type { LedgerState, LineKind } from '@ledger/domain';
import { emptyState } from '@ledger/domain';
import { textArrayLiteral, type Sql } from '@ledger/event-store';

/** Fixed statement texts, run for every batch: kept prepared on the connection. */
const PREPARED = { prepare: true } as const;

/** The keys of the ledger state that a batch of events reads. */
export interface StateKeys {
  readonly lineIds: Iterable<string>;
  readonly paymentIds: Iterable<string>;
  readonly departments: Iterable<string>;
}

interface LineRow {
  line_id: string;
  department: string;
  fiscal_year: number;
  kind: string;
  tags: string[];
  initial_fen: bigint;
  adjustments_fen: bigint;
  transfers_in_fen: bigint;
  transfers_out_fen: bigint;
  executed_fen: bigint;
}

/**
 * Loads the part of the ledger state that the given keys touch, from the projection tables.
 * The lines of the referenced payments are loaded too: a reversal moves its payment's line.
 */
export async function loadState(tx: Sql, keys: StateKeys): Promise<LedgerState> {
  const state = emptyState();
  const paymentIds = [...new Set(keys.paymentIds)];
  const lineIds = new Set(keys.lineIds);
  if (paymentIds.length > 0) {
    const rows = await tx.query<{ event_id: string; line_id: string; amount_fen: bigint; reversed_fen: bigint }>(
      `SELECT e.event_id, e.data->>'lineId' AS line_id, ((e.data->>'amount')::numeric * 100)::bigint AS amount_fen,
              COALESCE(r.reversed_fen, 0) AS reversed_fen
       FROM ledger_events e LEFT JOIN ledger_reversals r ON r.payment_event_id = e.event_id
       WHERE e.event_id = ANY($1::text::text[]) AND e.type = 'PaymentRecorded'`,
      [textArrayLiteral(paymentIds)],
      PREPARED,
    );
    for (const row of rows) {
      state.payments.set(row.event_id, {
        eventId: row.event_id,
        lineId: row.line_id,
        amountFen: row.amount_fen,
        reversedFen: row.reversed_fen,
      });
      lineIds.add(row.line_id);
    }
  }
  if (lineIds.size > 0) {
    const rows = await tx.query<LineRow>(
      `SELECT line_id, department, fiscal_year, kind, tags, initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, executed_fen
       FROM ledger_lines WHERE line_id = ANY($1::text::text[])`,
      [textArrayLiteral([...lineIds])],
      PREPARED,
    );
    for (const row of rows) {
      state.lines.set(row.line_id, {
        lineId: row.line_id,
        department: row.department,
        fiscalYear: row.fiscal_year,
        kind: row.kind as LineKind,
        tags: row.tags,
        initialFen: row.initial_fen,
        adjustmentsFen: row.adjustments_fen,
        transfersInFen: row.transfers_in_fen,
        transfersOutFen: row.transfers_out_fen,
        executedFen: row.executed_fen,
      });
    }
  }
  const departments = new Set(keys.departments);
  for (const line of state.lines.values()) departments.add(line.department);
  if (departments.size > 0) {
    const rows = await tx.query<{ department: string; fiscal_year: number; closed: bigint }>(
      `SELECT department, fiscal_year, count(*) AS closed FROM ledger_periods
       WHERE department = ANY($1::text::text[]) GROUP BY department, fiscal_year`,
      [textArrayLiteral([...departments])],
      PREPARED,
    );
    for (const row of rows) state.closedQuarters.set(`${row.department}|${row.fiscal_year}`, Number(row.closed));
  }
  return state;
}
