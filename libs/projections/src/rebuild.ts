import type { Database, Transaction } from '@ledger/event-store';
import { MOVEMENT_AMOUNT_COLUMNS } from './movement-row';

export interface RebuildReport {
  readonly events: number;
  readonly elapsedMs: number;
}

const PROJECTION_TABLES = [
  'ledger_lines',
  'ledger_movements',
  'ledger_reversals',
  'ledger_periods',
  'ledger_stream_days',
  'ledger_apart_movements',
  'ledger_department_days',
  'ledger_commitments',
  'ledger_spending_plans',
  'ledger_year_ends',
];

/** Stored amounts are normalized yuan strings ("123.45"); 分 exactly, in SQL. */
const FEN = (path: string) => `((${path})::numeric * 100)::bigint`;

/**
 * Every movement of every line from the log, with the line's running totals in log order (a
 * window over its movements): what ProjectionBatch writes event by event, in one statement.
 */
const AMOUNT = FEN("e.data->>'amount'");
const MOVEMENTS_FROM_LOG_SQL = `INSERT INTO ledger_movements (line_id, position, department, fiscal_year, effective_date, recorded_at, initial_fen,
                                       adjustments_fen, transfers_in_fen, transfers_out_fen, routine_transfers_out_fen, executed_fen,
                                       committed_fen, brought_forward_fen, carried_forward_fen,
                                       running_initial_fen, running_adjustments_fen, running_transfers_in_fen, running_transfers_out_fen,
                                       running_executed_fen, running_committed_fen, running_brought_forward_fen, running_carried_forward_fen)
         SELECT x.line_id, x.position, l.department, l.fiscal_year, x.effective_date, x.recorded_at, x.initial_fen, x.adjustments_fen,
                x.transfers_in_fen, x.transfers_out_fen, x.routine_transfers_out_fen, x.executed_fen,
                x.committed_fen, x.brought_forward_fen, x.carried_forward_fen,
                ledger_sum_fen(x.initial_fen) OVER w, ledger_sum_fen(x.adjustments_fen) OVER w,
                ledger_sum_fen(x.transfers_in_fen) OVER w, ledger_sum_fen(x.transfers_out_fen) OVER w,
                ledger_sum_fen(x.executed_fen) OVER w, ledger_sum_fen(x.committed_fen) OVER w,
                ledger_sum_fen(x.brought_forward_fen) OVER w, ledger_sum_fen(x.carried_forward_fen) OVER w
         FROM (
           -- One row per event, by its type: the line it moves (a transfer's or a carried balance's source, a
           -- reversal's payment's line, a release's commitment's line) and how.
           SELECT CASE e.type WHEN 'BudgetTransferred' THEN e.data->>'fromLineId'
                              WHEN 'BalanceCarriedForward' THEN e.data->>'fromLineId'
                              WHEN 'PaymentReversed' THEN (SELECT p.data->>'lineId' FROM ledger_events p WHERE p.event_id = e.data->>'paymentEventId')
                              WHEN 'CommitmentReleased' THEN (SELECT c.data->>'lineId' FROM ledger_events c WHERE c.event_id = e.data->>'commitmentEventId')
                              ELSE e.data->>'lineId' END COLLATE "C" AS line_id,
                  e.position, e.effective_date, e.recorded_at,
                  CASE WHEN e.type = 'InitialBudgetApproved' THEN ${AMOUNT} ELSE 0 END AS initial_fen,
                  CASE WHEN e.type = 'BudgetAdjusted' THEN ${AMOUNT} ELSE 0 END AS adjustments_fen,
                  0::bigint AS transfers_in_fen,
                  CASE WHEN e.type = 'BudgetTransferred' THEN ${AMOUNT} ELSE 0 END AS transfers_out_fen,
                  CASE WHEN e.type = 'BudgetTransferred' AND (e.data->>'routine')::boolean THEN ${AMOUNT} ELSE 0 END AS routine_transfers_out_fen,
                  CASE e.type WHEN 'PaymentRecorded' THEN ${AMOUNT} WHEN 'PaymentReversed' THEN -${AMOUNT} ELSE 0 END AS executed_fen,
                  CASE e.type WHEN 'CommitmentMade' THEN ${AMOUNT} WHEN 'CommitmentReleased' THEN -${AMOUNT}
                              ELSE -COALESCE(k.consumed_fen, 0) END AS committed_fen,
                  0::bigint AS brought_forward_fen,
                  CASE WHEN e.type = 'BalanceCarriedForward' THEN ${AMOUNT} ELSE 0 END AS carried_forward_fen
           -- What a payment consumed of its commitment: the few such payments, joined by position.
           FROM ledger_events e LEFT JOIN rebuild_consumed k ON k.position = e.position
           WHERE e.type IN ('InitialBudgetApproved', 'BudgetAdjusted', 'BudgetTransferred', 'PaymentRecorded', 'PaymentReversed',
                            'CommitmentMade', 'CommitmentReleased', 'BalanceCarriedForward')
           UNION ALL
           -- A transfer's or a carried balance's second row: its destination (from the few events that are not payments).
           SELECT (e.data->>'toLineId') COLLATE "C", e.position, e.effective_date, e.recorded_at, 0, 0,
                  CASE WHEN e.type = 'BudgetTransferred' THEN ${AMOUNT} ELSE 0 END, 0, 0, 0, 0,
                  CASE WHEN e.type = 'BalanceCarriedForward' THEN ${AMOUNT} ELSE 0 END, 0
           FROM rebuild_events e WHERE e.type IN ('BudgetTransferred', 'BalanceCarriedForward')
         ) x
         JOIN rebuild_lines l ON l.line_id = x.line_id
         -- Sorted by the line's number: an integer compares faster than its id, and rebuild_lines numbers the lines
         -- in their key's order ("C"), so that the rows also come out in the order the primary key is built in.
         WINDOW w AS (PARTITION BY l.n ORDER BY x.position)`;

/**
 * What each payment against a commitment consumed of it: min(amount, what was left), which for a
 * commitment of amount C and the sum S of its payments and releases in log order up to and
 * including the payment is max(0, C − S_before) − max(0, C − S_after) (decision 0014): one window
 * sum over the few events that name a commitment. (A release never exceeds what is left, so it
 * moves S by exactly what it frees.)
 */
const CONSUMED_FROM_LOG_SQL = `CREATE TEMPORARY TABLE rebuild_consumed ON COMMIT DROP AS
     SELECT t.position, t.commitment_event_id,
            (greatest(0, c.amount_fen - (t.sum_fen - t.amount_fen)) - greatest(0, c.amount_fen - t.sum_fen))::bigint AS consumed_fen
     FROM (SELECT e.position, e.type, (e.data->>'commitmentEventId') COLLATE "C" AS commitment_event_id, ${AMOUNT} AS amount_fen,
                  sum(${AMOUNT}) OVER (PARTITION BY e.data->>'commitmentEventId' ORDER BY e.position) AS sum_fen
           FROM rebuild_events e WHERE e.data ? 'commitmentEventId') t
     JOIN (SELECT e.event_id, ${AMOUNT} AS amount_fen FROM rebuild_events e WHERE e.type = 'CommitmentMade') c
       ON c.event_id = t.commitment_event_id
     WHERE t.type = 'PaymentRecorded'`;

/**
 * Rebuilds every projection from the log alone, set-based inside the database, in one
 * transaction: TRUNCATE holds the tables exclusively, so queries and appends wait for it and then
 * see the new figures; a rebuild that fails leaves the old ones as they were. Alerts
 * (ThresholdCrossed) move no figure and match no branch below. Nothing passes through this
 * process, so its memory does not grow with the log.
 *
 * This is the second implementation of the projection mapping, beside ProjectionBatch (the
 * append path): every figure is a sum over events, so order does not matter and SQL can do it
 * in a few statements. The test suites build projections through appends, rebuild, and require
 * the tables to be identical, which holds the two implementations together.
 */
export async function rebuildProjections(db: Database): Promise<RebuildReport> {
  const startedMs = performance.now();
  const events = await db.transaction(async (tx) => {
    await tx.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
    // The running totals are a window over each line's movements in log order: a sort of all of
    // them, in memory rather than in temporary files where it fits (this transaction only).
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    // A handful of statements, each run once: compiling them (JIT) costs more than it saves.
    await tx.query(`SET LOCAL jit = off`);
    // Payments are nearly all of the log and only the movements need them: everything else is read
    // once, into a small table of this transaction, instead of once per statement below. The few
    // payments against a commitment join it, for what they consumed.
    await tx.query(
      `CREATE TEMPORARY TABLE rebuild_events ON COMMIT DROP AS
       SELECT position, event_id, type, effective_date, recorded_at, data FROM ledger_events
        WHERE type <> 'PaymentRecorded' OR data ? 'commitmentEventId'`,
    );
    await tx.query(CONSUMED_FROM_LOG_SQL);
    // Its size known to the planner: a hash of the few rows it holds, probed by every payment.
    await tx.query('ANALYZE rebuild_consumed');
    await tx.query(
      `INSERT INTO ledger_lines (line_id, department, fiscal_year, name, unit, project, function_code, economic_code,
                                 funding_source, kind, tags, opened_position, opened_effective_date, opened_recorded_at)
       SELECT data->>'lineId', data->>'department', (data->>'fiscalYear')::integer, data->>'name', data->>'unit', data->>'project',
              data->>'functionCode', data->>'economicCode', data->>'fundingSource', data->>'kind',
              ARRAY(SELECT jsonb_array_elements_text(data->'tags')), position, effective_date, recorded_at
       FROM rebuild_events WHERE type = 'BudgetLineOpened'`,
    );
    // The lines numbered in the movements' key order, for the running totals' sort.
    await tx.query(
      `CREATE TEMPORARY TABLE rebuild_lines ON COMMIT DROP AS
       SELECT line_id, department, fiscal_year, (row_number() OVER (ORDER BY line_id COLLATE "C"))::integer AS n FROM ledger_lines`,
    );
    await tx.query('ANALYZE rebuild_lines');
    await tx.query(
      `INSERT INTO ledger_reversals (payment_event_id, reversed_fen)
       SELECT data->>'paymentEventId', sum(${FEN("data->>'amount'")})::bigint
       FROM rebuild_events WHERE type = 'PaymentReversed' GROUP BY 1`,
    );
    // A million rows go in faster into a bare table, with its indexes built once afterwards (in
    // bulk, sorted, in parallel workers) than with every index updated row by row.
    await withoutIndexes(tx, 'ledger_movements', async () => {
      await tx.query(MOVEMENTS_FROM_LOG_SQL);
    });
    await rebuildStreamDays(tx);
    // A line's totals are the running totals of its last movement: one step back on the key per line,
    // instead of summing every movement again.
    await tx.query(
      `UPDATE ledger_lines l
       SET initial_fen = t.running_initial_fen, adjustments_fen = t.running_adjustments_fen,
           transfers_in_fen = t.running_transfers_in_fen, transfers_out_fen = t.running_transfers_out_fen,
           executed_fen = t.running_executed_fen, committed_fen = t.running_committed_fen,
           brought_forward_fen = t.running_brought_forward_fen, carried_forward_fen = t.running_carried_forward_fen
       FROM rebuild_lines k
       CROSS JOIN LATERAL (SELECT m.* FROM ledger_movements m WHERE m.line_id = k.line_id ORDER BY m.position DESC LIMIT 1) t
       WHERE l.line_id = k.line_id`,
    );
    await rebuildSmallTables(tx);
    const [count] = await tx.query<{ events: bigint }>('SELECT count(*) AS events FROM ledger_events');
    await tx.query(`ANALYZE ${PROJECTION_TABLES.join(', ')}`);
    return Number(count?.events ?? 0n);
  });
  return { events, elapsedMs: performance.now() - startedMs };
}

/**
 * The as-of balances' days and movements kept apart (decision 0010), from the movements. A day
 * D of a department-year is a high-water day when the first movement dated D comes before every
 * movement dated later; a movement is late when a later-dated one came before it, i.e. after the
 * first position of the high-water days after its own date.
 */
async function rebuildStreamDays(tx: Transaction): Promise<void> {
  await tx.query(
    `CREATE TEMPORARY TABLE rebuild_days ON COMMIT DROP AS
     SELECT department, fiscal_year, day, first_position, last_position, first_recorded_at, later_first, ${MOVEMENT_AMOUNT_COLUMNS.join(', ')}
     FROM (SELECT department, fiscal_year, effective_date AS day, min(position) AS first_position, max(position) AS last_position,
                  min(recorded_at) AS first_recorded_at, ${MOVEMENT_AMOUNT_COLUMNS.map((c) => `ledger_sum_fen(${c}) AS ${c}`).join(', ')},
                  min(min(position)) OVER (PARTITION BY department, fiscal_year ORDER BY effective_date DESC
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later_first
           FROM ledger_movements GROUP BY department, fiscal_year, effective_date) d`,
  );
  await tx.query('ANALYZE rebuild_days');
  // Each department-year's sums of the movements dated on each of its days (migration 0018).
  await withoutIndexes(tx, 'ledger_department_days', async () => {
    await tx.query(
      `INSERT INTO ledger_department_days (department, fiscal_year, day, ${MOVEMENT_AMOUNT_COLUMNS.join(', ')})
       SELECT department, fiscal_year, day, ${MOVEMENT_AMOUNT_COLUMNS.join(', ')} FROM rebuild_days`,
    );
  });
  await withoutIndexes(tx, 'ledger_stream_days', async () => {
    await tx.query(
      `INSERT INTO ledger_stream_days (department, fiscal_year, day, first_position, first_recorded_at)
       SELECT department, fiscal_year, day, first_position, first_recorded_at FROM rebuild_days
       WHERE later_first IS NULL OR first_position < later_first`,
    );
  });
  // later_first of a date is the first position of the high-water days after it (a day that is not
  // one has its first position after a later day's, so the minimum is a high-water day's). The
  // movements kept apart are the late ones — found among the movements of the days that have any
  // (last_position > later_first), probed against a hash of those days, so that a log appended in
  // date order has nothing to scan — and the routine transfers' sources, found by their key.
  // Hash joins: left to itself, the planner sorts every movement for a merge join (1.3 s at 1M).
  await tx.query('SET LOCAL enable_mergejoin = off');
  await tx.query(
    `INSERT INTO ledger_apart_movements (department, fiscal_year, position, line_id, effective_date, recorded_at, late, initial_fen,
                                        adjustments_fen, transfers_in_fen, transfers_out_fen, routine_transfers_out_fen, executed_fen,
                                        committed_fen, brought_forward_fen, carried_forward_fen)
     SELECT m.department, m.fiscal_year, m.position, m.line_id, m.effective_date, m.recorded_at, m.position > COALESCE(d.later_first, ${MAX_POSITION}),
            m.initial_fen, m.adjustments_fen, m.transfers_in_fen, m.transfers_out_fen, m.routine_transfers_out_fen, m.executed_fen,
            m.committed_fen, m.brought_forward_fen, m.carried_forward_fen
     FROM (SELECT m.* FROM ledger_movements m
           JOIN rebuild_days late ON late.department = m.department AND late.fiscal_year = m.fiscal_year AND late.day = m.effective_date
            AND late.last_position > late.later_first AND m.position > late.later_first
           UNION
           SELECT m.* FROM rebuild_events t
           JOIN ledger_movements m ON m.line_id = (t.data->>'fromLineId') COLLATE "C" AND m.position = t.position
           WHERE t.type = 'BudgetTransferred' AND m.routine_transfers_out_fen <> 0) m
     JOIN rebuild_days d ON d.department = m.department AND d.fiscal_year = m.fiscal_year AND d.day = m.effective_date`,
  );
  await tx.query('SET LOCAL enable_mergejoin TO DEFAULT');
}

const MAX_POSITION = '9223372036854775807';

/** The tables of the few events that are not amounts, and the commitments' totals, from the small table of non-payments. */
async function rebuildSmallTables(tx: Transaction): Promise<void> {
  await tx.query(
    `INSERT INTO ledger_periods (department, fiscal_year, quarter, position, effective_date, recorded_at)
     SELECT data->>'department', (data->>'fiscalYear')::integer, substr(data->>'period', 2)::smallint, position, effective_date, recorded_at
     FROM rebuild_events WHERE type = 'PeriodClosed'`,
  );
  await tx.query(
    `INSERT INTO ledger_commitments (event_id, line_id, amount_fen, released_fen, consumed_fen)
     SELECT m.event_id, m.data->>'lineId', ${FEN("m.data->>'amount'")}, COALESCE(r.released_fen, 0), COALESCE(k.consumed_fen, 0)
     FROM rebuild_events m
     LEFT JOIN (SELECT (data->>'commitmentEventId') COLLATE "C" AS event_id, sum(${FEN("data->>'amount'")})::bigint AS released_fen
                FROM rebuild_events WHERE type = 'CommitmentReleased' GROUP BY 1) r ON r.event_id = m.event_id
     LEFT JOIN (SELECT commitment_event_id AS event_id, sum(consumed_fen)::bigint AS consumed_fen FROM rebuild_consumed GROUP BY 1) k
       ON k.event_id = m.event_id
     WHERE m.type = 'CommitmentMade'`,
  );
  await tx.query(
    `INSERT INTO ledger_spending_plans (line_id, position, effective_date, recorded_at, checkpoints)
     SELECT data->>'lineId', position, effective_date, recorded_at, data->'checkpoints' FROM rebuild_events WHERE type = 'SpendingPlanSet'`,
  );
  await tx.query(
    `INSERT INTO ledger_year_ends (department, fiscal_year, event_id, position, effective_date, recorded_at)
     SELECT data->>'department', (data->>'fiscalYear')::integer, event_id, position, effective_date, recorded_at
     FROM rebuild_events WHERE type = 'YearClosed'`,
  );
}

/**
 * Runs `fill` with the table's indexes and unique or primary-key constraints dropped, then puts
 * them back as they were (from their own definitions in the catalog, so that a migration that
 * changes them needs no change here). Inside the caller's transaction: a failure leaves them be.
 * Partial indexes stay: they hold a few of the rows, and testing each row against their predicate
 * costs less than a scan of the whole table to build them again.
 */
async function withoutIndexes(tx: Transaction, table: string, fill: () => Promise<void>): Promise<void> {
  // Only the table's owner may drop and add constraints. The ledger's own role on a server with
  // two roles (docs/decisions/0011) is not the owner: it fills the table with its indexes in place.
  const [owner] = await tx.query<{ owns: boolean }>(
    'SELECT pg_has_role(current_user, relowner, $2) AS owns FROM pg_class WHERE oid = $1::regclass',
    [table, 'USAGE'],
  );
  if (owner?.owns !== true) return fill();
  const constraints = await tx.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype IN ('p', 'u') ORDER BY conname`,
    [table],
  );
  const indexes = await tx.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass AND x.indpred IS NULL
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY i.relname`,
    [table],
  );
  for (const c of constraints) await tx.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const i of indexes) await tx.query(`DROP INDEX ${quoteIdent(i.name)}`);
  await fill();
  // More memory for the sorts than the default 64 MB, for this transaction only.
  await tx.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const c of constraints) await tx.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
  for (const i of indexes) await tx.query(i.definition);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
