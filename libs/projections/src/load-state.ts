import type { LedgerState, LineKind } from '@ledger/domain';
import { emptyState, setQuartersClosed, streamIdOf } from '@ledger/domain';
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
 *
 * The reads are sent together, before the first answer is awaited, so that they take one round
 * trip (and join the pipeline of whatever the caller sent just before, such as the stream locks):
 * the payments' lines are found by the lines statement itself, and the closed quarters of the
 * given departments are read at once. A loaded line of a department not given has its closed
 * quarters read afterwards, in a second round trip: callers that know the departments give them.
 */
export async function loadState(tx: Sql, keys: StateKeys): Promise<LedgerState> {
  const state = emptyState();
  const paymentIds = textArrayLiteral([...new Set(keys.paymentIds)]);
  const lineIds = textArrayLiteral([...new Set(keys.lineIds)]);
  const departments = new Set(keys.departments);
  const none = Promise.resolve([]);
  const payments =
    paymentIds === '{}'
      ? none
      : tx.query<{ event_id: string; line_id: string; amount_fen: bigint; reversed_fen: bigint }>(
          `SELECT e.event_id, e.data->>'lineId' AS line_id, ((e.data->>'amount')::numeric * 100)::bigint AS amount_fen,
                  COALESCE(r.reversed_fen, 0) AS reversed_fen
           FROM ledger_events e LEFT JOIN ledger_reversals r ON r.payment_event_id = e.event_id
           WHERE e.event_id = ANY($1::text::text[]) AND e.type = 'PaymentRecorded'`,
          [paymentIds],
          PREPARED,
        );
  const lines =
    lineIds === '{}' && paymentIds === '{}'
      ? none
      : paymentIds === '{}'
        ? tx.query<LineRow>(`SELECT ${LINE_COLUMNS} FROM ledger_lines WHERE line_id = ANY($1::text::text[])`, [lineIds], PREPARED)
        : tx.query<LineRow>(
            `SELECT ${LINE_COLUMNS} FROM ledger_lines
             WHERE line_id IN (SELECT unnest($1::text::text[])
                               UNION
                               SELECT data->>'lineId' FROM ledger_events WHERE event_id = ANY($2::text::text[]) AND type = 'PaymentRecorded')`,
            [lineIds, paymentIds],
            PREPARED,
          );
  const periods = closedQuarters(tx, departments);
  const [paymentRows, lineRows, periodRows] = await Promise.all([payments, lines, periods]);
  for (const row of paymentRows) {
    state.payments.set(row.event_id, {
      eventId: row.event_id,
      lineId: row.line_id,
      amountFen: row.amount_fen,
      reversedFen: row.reversed_fen,
    });
  }
  const otherDepartments = new Set<string>();
  for (const row of lineRows) {
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
    state.departmentYearsWithLines.add(streamIdOf(row.department, row.fiscal_year));
    if (!departments.has(row.department)) otherDepartments.add(row.department);
  }
  const allPeriods = otherDepartments.size === 0 ? periodRows : [...periodRows, ...(await closedQuarters(tx, otherDepartments))];
  for (const row of allPeriods) setQuartersClosed(state, row.department, row.fiscal_year, Number(row.closed));
  return state;
}

const LINE_COLUMNS =
  'line_id, department, fiscal_year, kind, tags, initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, executed_fen';

/** How many quarters of each department-year of the given departments are closed. */
function closedQuarters(tx: Sql, departments: ReadonlySet<string>): Promise<{ department: string; fiscal_year: number; closed: bigint }[]> {
  if (departments.size === 0) return Promise.resolve([]);
  return tx.query(
    `SELECT department, fiscal_year, count(*) AS closed FROM ledger_periods
     WHERE department = ANY($1::text::text[]) GROUP BY department, fiscal_year`,
    [textArrayLiteral([...departments])],
    PREPARED,
  );
}
