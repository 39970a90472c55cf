import type { Database, Transaction } from '@ledger/event-store';
import { formatYuan } from '@ledger/domain';
import { queryProgress, type LedgerRules } from '@ledger/reporting';
import { compareCommitments, compareSpendingPlans, compareYearEnds } from './compare-decision-0014';
import type { ProjectionProblem } from './projection-problem';

export type { ProjectionProblem } from './projection-problem';

/**
 * Checks the projections against the log: every figure the reports read is derived again from
 * ledger_events alone and compared with the projection tables, and every closed quarter's
 * reported figures (as the progress report gives them) with the same figures derived from the
 * log. The derivation here is written for this check, in SQL of its own: it shares no code with
 * the append path (ProjectionBatch) or rebuild, so that a fault in either cannot hide itself.
 */

export const MAX_LISTED_PROJECTION_PROBLEMS = 100;

export interface ProjectionReport {
  readonly ok: boolean;
  readonly lines: number;
  readonly problems: ProjectionProblem[];
  readonly problemsNotListed: number;
}

/** 分 from a stored yuan string ("123.45"). */
const FEN = (path: string) => `((${path})::numeric * 100)::bigint`;
const FIGURES = [
  'initial_fen',
  'adjustments_fen',
  'transfers_in_fen',
  'transfers_out_fen',
  'executed_fen',
  'committed_fen',
  'brought_forward_fen',
  'carried_forward_fen',
] as const;
/** 调整预算数 of a row of figures (decision 0014: brought forward included). */
const ADJUSTED = (t: string) =>
  `${t}.initial_fen + ${t}.adjustments_fen + ${t}.transfers_in_fen - ${t}.transfers_out_fen + ${t}.brought_forward_fen`;
const MOVEMENT_FIGURES = [...FIGURES, 'routine_transfers_out_fen'] as const;

export async function verifyProjections(db: Database, rules: LedgerRules): Promise<ProjectionReport> {
  return db.transaction(async (tx) => {
    // One snapshot for the log and the projections, so that appends meanwhile are either in both or in neither.
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await deriveFromLog(tx);
    const problems: ProjectionProblem[] = [];
    let notListed = 0;
    const add = (problem: ProjectionProblem) => {
      if (problems.length < MAX_LISTED_PROJECTION_PROBLEMS) problems.push(problem);
      else notListed += 1;
    };
    for (const p of await compareLines(tx)) add(p);
    for (const p of await compareMovements(tx)) add(p);
    for (const p of await compareStreamDays(tx)) add(p);
    for (const p of await compareApartMovements(tx)) add(p);
    for (const p of await compareDepartmentDays(tx)) add(p);
    for (const p of await compareReversals(tx)) add(p);
    for (const p of await comparePeriods(tx)) add(p);
    for (const p of await compareCommitments(tx, MAX_LISTED_PROJECTION_PROBLEMS)) add(p);
    for (const p of await compareSpendingPlans(tx, MAX_LISTED_PROJECTION_PROBLEMS)) add(p);
    for (const p of await compareYearEnds(tx, MAX_LISTED_PROJECTION_PROBLEMS)) add(p);
    for (const p of await compareReported(tx, rules)) add(p);
    const [count] = await tx.query<{ n: bigint }>('SELECT count(*) AS n FROM verify_lines');
    return { ok: problems.length === 0 && notListed === 0, lines: Number(count?.n ?? 0n), problems, problemsNotListed: notListed };
  });
}

/** The projections as the log says they should be, in temporary tables of this transaction. */
async function deriveFromLog(tx: Transaction): Promise<void> {
  await tx.query(
    `CREATE TEMPORARY TABLE verify_lines ON COMMIT DROP AS
     SELECT data->>'lineId' AS line_id, data->>'department' AS department, (data->>'fiscalYear')::integer AS fiscal_year,
            data->>'name' AS name, data->>'unit' AS unit, data->>'project' AS project, data->>'functionCode' AS function_code,
            data->>'economicCode' AS economic_code, data->>'fundingSource' AS funding_source, data->>'kind' AS kind,
            ARRAY(SELECT jsonb_array_elements_text(data->'tags')) AS tags,
            position AS opened_position, effective_date AS opened_effective_date, recorded_at AS opened_recorded_at
       FROM ledger_events WHERE type = 'BudgetLineOpened'`,
  );
  // What each payment against a commitment consumed of it: the least of its amount and what its
  // payments and releases before it (in log order) left of the commitment.
  await tx.query(
    `CREATE TEMPORARY TABLE verify_consumed ON COMMIT DROP AS
     SELECT t.position, t.commitment_event_id, least(t.amount_fen, greatest(${FEN("c.data->>'amount'")} - t.before_fen, 0))::bigint AS consumed_fen
       FROM (SELECT position, type, data->>'commitmentEventId' AS commitment_event_id, ${FEN("data->>'amount'")} AS amount_fen,
                    COALESCE(sum(${FEN("data->>'amount'")}) OVER (PARTITION BY data->>'commitmentEventId' ORDER BY position
                                                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_fen
               FROM ledger_events WHERE type IN ('PaymentRecorded', 'CommitmentReleased') AND data ? 'commitmentEventId') t
       JOIN ledger_events c ON c.event_id = t.commitment_event_id AND c.type = 'CommitmentMade'
      WHERE t.type = 'PaymentRecorded'`,
  );
  const line = (type: string, path: string) => `CASE e.type WHEN '${type}' THEN ${path} END`;
  const ofEvent = (path: string, type: string) =>
    `(SELECT p.data->>'lineId' FROM ledger_events p WHERE p.event_id = e.data->>'${path}' AND p.type = '${type}')`;
  const amount = FEN("e.data->>'amount'");
  await tx.query(
    `CREATE TEMPORARY TABLE verify_movements ON COMMIT DROP AS
     SELECT m.line_id, e.position, l.department, l.fiscal_year, e.effective_date, e.recorded_at,
            ${[...FIGURES, 'routine_transfers_out_fen'].map((f) => `sum(m.${f})::bigint AS ${f}`).join(', ')}
       FROM ledger_events e
       LEFT JOIN verify_consumed k ON k.position = e.position
       CROSS JOIN LATERAL (
         VALUES
           (${line('InitialBudgetApproved', "e.data->>'lineId'")}, ${amount}, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
           (${line('BudgetAdjusted', "e.data->>'lineId'")}, 0, ${amount}, 0, 0, 0, 0, 0, 0, 0),
           (${line('BudgetTransferred', "e.data->>'fromLineId'")}, 0, 0, 0, ${amount}, CASE WHEN (e.data->>'routine')::boolean THEN ${amount} ELSE 0 END, 0, 0, 0, 0),
           (${line('BudgetTransferred', "e.data->>'toLineId'")}, 0, 0, ${amount}, 0, 0, 0, 0, 0, 0),
           (${line('PaymentRecorded', "e.data->>'lineId'")}, 0, 0, 0, 0, 0, ${amount}, -COALESCE(k.consumed_fen, 0), 0, 0),
           (${line('PaymentReversed', ofEvent('paymentEventId', 'PaymentRecorded'))}, 0, 0, 0, 0, 0, -${amount}, 0, 0, 0),
           (${line('CommitmentMade', "e.data->>'lineId'")}, 0, 0, 0, 0, 0, 0, ${amount}, 0, 0),
           (${line('CommitmentReleased', ofEvent('commitmentEventId', 'CommitmentMade'))}, 0, 0, 0, 0, 0, 0, -${amount}, 0, 0),
           (${line('BalanceCarriedForward', "e.data->>'fromLineId'")}, 0, 0, 0, 0, 0, 0, 0, 0, ${amount}),
           (${line('BalanceCarriedForward', "e.data->>'toLineId'")}, 0, 0, 0, 0, 0, 0, 0, ${amount}, 0)
       ) AS m (line_id, initial_fen, adjustments_fen, transfers_in_fen, transfers_out_fen, routine_transfers_out_fen, executed_fen,
               committed_fen, brought_forward_fen, carried_forward_fen)
       JOIN verify_lines l ON l.line_id = m.line_id
      WHERE e.type IN ('InitialBudgetApproved', 'BudgetAdjusted', 'BudgetTransferred', 'PaymentRecorded', 'PaymentReversed',
                       'CommitmentMade', 'CommitmentReleased', 'BalanceCarriedForward')
      GROUP BY m.line_id, e.position, l.department, l.fiscal_year, e.effective_date, e.recorded_at`,
  );
  // Each movement's position in its department-year with the latest date of every earlier one
  // (its "high water" when it was recorded): what ledger_stream_days and the late flag derive from.
  await tx.query(
    `CREATE TEMPORARY TABLE verify_positions ON COMMIT DROP AS
     SELECT department, fiscal_year, position, effective_date, recorded_at,
            max(effective_date) OVER (PARTITION BY department, fiscal_year ORDER BY position
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS high_before
       FROM (SELECT DISTINCT department, fiscal_year, position, effective_date, recorded_at FROM verify_movements) p`,
  );
}

async function compareLines(tx: Transaction): Promise<ProjectionProblem[]> {
  const rows = await tx.query<Record<string, unknown> & { line_id: string; derived: boolean; projected: boolean; dims_differ: boolean }>(
    `WITH totals AS (
       SELECT line_id, ${FIGURES.map((f) => `sum(${f})::bigint AS ${f}`).join(', ')} FROM verify_movements GROUP BY line_id
     ), derived AS (
       SELECT l.*, ${FIGURES.map((f) => `COALESCE(t.${f}, 0)::bigint AS ${f}`).join(', ')}
         FROM verify_lines l LEFT JOIN totals t USING (line_id)
     )
     SELECT COALESCE(d.line_id, p.line_id) AS line_id, d.line_id IS NOT NULL AS derived, p.line_id IS NOT NULL AS projected,
            ${FIGURES.map((f) => `d.${f} AS "d_${f}", p.${f} AS "p_${f}"`).join(', ')},
            (d.department, d.fiscal_year, d.name, d.unit, d.project, d.function_code, d.economic_code, d.funding_source, d.kind, d.tags,
             d.opened_position, d.opened_effective_date, d.opened_recorded_at)
              IS DISTINCT FROM
            (p.department, p.fiscal_year, p.name, p.unit, p.project, p.function_code, p.economic_code, p.funding_source, p.kind, p.tags,
             p.opened_position, p.opened_effective_date, p.opened_recorded_at) AS dims_differ
       FROM derived d FULL JOIN ledger_lines p ON p.line_id = d.line_id
      WHERE d.line_id IS NULL OR p.line_id IS NULL
         OR (${FIGURES.map((f) => `d.${f}`).join(', ')}) IS DISTINCT FROM (${FIGURES.map((f) => `p.${f}`).join(', ')})
         OR (d.department, d.fiscal_year, d.name, d.unit, d.project, d.function_code, d.economic_code, d.funding_source, d.kind, d.tags,
             d.opened_position, d.opened_effective_date, d.opened_recorded_at)
              IS DISTINCT FROM
            (p.department, p.fiscal_year, p.name, p.unit, p.project, p.function_code, p.economic_code, p.funding_source, p.kind, p.tags,
             p.opened_position, p.opened_effective_date, p.opened_recorded_at)
      ORDER BY 1 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => {
    const subject = `line ${r.line_id}`;
    if (!r.projected) return { table: 'ledger_lines', subject, message: `${subject} is opened in the log but missing from the projection` };
    if (!r.derived) return { table: 'ledger_lines', subject, message: `${subject} is in the projection but no event opens it` };
    const differing = FIGURES.filter((f) => r[`d_${f}`] !== r[`p_${f}`]).map(
      (f) => `${f.replace(/_fen$/, '')} ${formatYuan(r[`p_${f}`] as bigint)} where the log gives ${formatYuan(r[`d_${f}`] as bigint)}`,
    );
    if (r.dims_differ) differing.push('its dimensions or opening differ from its BudgetLineOpened');
    return { table: 'ledger_lines', subject, message: `${subject}: ${differing.join('; ')}` };
  });
}

/** The line's totals right after each movement, which as-of queries read (decision 0010). */
const RUNNING_FIGURES = FIGURES.map((f) => `running_${f}`);

async function compareMovements(tx: Transaction): Promise<ProjectionProblem[]> {
  const cols = ['department', 'fiscal_year', 'effective_date', 'recorded_at', ...MOVEMENT_FIGURES, ...RUNNING_FIGURES];
  const rows = await tx.query<{
    line_id: string;
    movements: bigint;
    first_position: bigint;
    executed_diff: bigint;
    adjusted_diff: bigint;
    committed_diff: bigint;
  }>(
    `SELECT COALESCE(d.line_id, p.line_id) AS line_id, count(*) AS movements, min(COALESCE(d.position, p.position)) AS first_position,
            (COALESCE(sum(p.executed_fen), 0) - COALESCE(sum(d.executed_fen), 0))::bigint AS executed_diff,
            (COALESCE(sum(${ADJUSTED('p')}), 0) - COALESCE(sum(${ADJUSTED('d')}), 0))::bigint AS adjusted_diff,
            (COALESCE(sum(p.committed_fen), 0) - COALESCE(sum(d.committed_fen), 0))::bigint AS committed_diff
       FROM (SELECT *, ${FIGURES.map((f) => `sum(${f}) OVER w AS running_${f}`).join(', ')}
               FROM verify_movements WINDOW w AS (PARTITION BY line_id ORDER BY position)) d
       FULL JOIN ledger_movements p ON p.line_id = d.line_id AND p.position = d.position
      WHERE d.line_id IS NULL OR p.line_id IS NULL
         OR (${cols.map((c) => `d.${c}`).join(', ')}) IS DISTINCT FROM (${cols.map((c) => `p.${c}`).join(', ')})
      GROUP BY 1 ORDER BY 1 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => ({
    table: 'ledger_movements',
    subject: `line ${r.line_id}`,
    message:
      `line ${r.line_id}: ${r.movements} movement(s) differ from the log, the first at position ${r.first_position}` +
      ` (executed ${signedYuan(r.executed_diff)}, adjusted ${signedYuan(r.adjusted_diff)}` +
      `${r.committed_diff === 0n ? '' : `, committed ${signedYuan(r.committed_diff)}`} against the log)`,
  }));
}

/** The days on which each department-year's latest date moved on (decision 0010), which as-of queries seal by. */
async function compareStreamDays(tx: Transaction): Promise<ProjectionProblem[]> {
  const cols = ['first_position', 'first_recorded_at'];
  const rows = await tx.query<{ department: string; fiscal_year: number; days: bigint; first_day: string }>(
    `WITH d AS (
       SELECT department, fiscal_year, effective_date AS day, position AS first_position, recorded_at AS first_recorded_at
         FROM verify_positions WHERE high_before IS NULL OR effective_date > high_before
     )
     SELECT COALESCE(d.department, p.department) AS department, COALESCE(d.fiscal_year, p.fiscal_year) AS fiscal_year,
            count(*) AS days, to_char(min(COALESCE(d.day, p.day)), 'YYYY-MM-DD') AS first_day
       FROM d FULL JOIN ledger_stream_days p ON p.department = d.department AND p.fiscal_year = d.fiscal_year AND p.day = d.day
      WHERE d.day IS NULL OR p.day IS NULL OR (${cols.map((c) => `d.${c}`).join(', ')}) IS DISTINCT FROM (${cols.map((c) => `p.${c}`).join(', ')})
      GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => {
    const subject = `${r.department} ${r.fiscal_year}`;
    return {
      table: 'ledger_stream_days',
      subject,
      message: `${subject}: ${r.days} high-water day(s) differ from the log, the first on ${r.first_day} (figures as of a date read these)`,
    };
  });
}

/** Each department-year's sums of the movements dated on each of its days (migration 0018), which figures known now read. */
async function compareDepartmentDays(tx: Transaction): Promise<ProjectionProblem[]> {
  const rows = await tx.query<{ department: string; fiscal_year: number; days: bigint; first_day: string; executed_diff: bigint | null }>(
    `WITH d AS (
       SELECT department, fiscal_year, effective_date AS day, ${MOVEMENT_FIGURES.map((f) => `sum(${f})::bigint AS ${f}`).join(', ')}
         FROM verify_movements GROUP BY department, fiscal_year, effective_date
     )
     SELECT COALESCE(d.department, p.department) AS department, COALESCE(d.fiscal_year, p.fiscal_year) AS fiscal_year,
            count(*) AS days, to_char(min(COALESCE(d.day, p.day)), 'YYYY-MM-DD') AS first_day,
            (sum(p.executed_fen) - sum(d.executed_fen))::bigint AS executed_diff
       FROM d FULL JOIN ledger_department_days p ON p.department = d.department AND p.fiscal_year = d.fiscal_year AND p.day = d.day
      WHERE d.day IS NULL OR p.day IS NULL
         OR (${MOVEMENT_FIGURES.map((f) => `d.${f}`).join(', ')}) IS DISTINCT FROM (${MOVEMENT_FIGURES.map((f) => `p.${f}`).join(', ')})
      GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => {
    const subject = `${r.department} ${r.fiscal_year}`;
    const executed = r.executed_diff === null || r.executed_diff === 0n ? '' : ` (executed ${signedYuan(r.executed_diff)} against the log)`;
    return {
      table: 'ledger_department_days',
      subject,
      message: `${subject}: the sums of ${r.days} day(s) differ from the log, the first on ${r.first_day}${executed} (figures known now read these)`,
    };
  });
}

/** The late movements and routine transfers that as-of queries add back (decision 0010). */
async function compareApartMovements(tx: Transaction): Promise<ProjectionProblem[]> {
  const cols = ['department', 'fiscal_year', 'effective_date', 'recorded_at', 'late', ...MOVEMENT_FIGURES];
  const rows = await tx.query<{ line_id: string; movements: bigint; first_position: bigint }>(
    `WITH d AS (
       SELECT m.*, (v.high_before IS NOT NULL AND m.effective_date < v.high_before) AS late
         FROM verify_movements m
         JOIN verify_positions v ON v.department = m.department AND v.fiscal_year = m.fiscal_year AND v.position = m.position
     )
     SELECT COALESCE(d.line_id, p.line_id) AS line_id, count(*) AS movements, min(COALESCE(d.position, p.position)) AS first_position
       FROM (SELECT * FROM d WHERE late OR routine_transfers_out_fen <> 0) d
       FULL JOIN ledger_apart_movements p ON p.line_id = d.line_id AND p.position = d.position
      WHERE d.line_id IS NULL OR p.line_id IS NULL
         OR (${cols.map((c) => `d.${c}`).join(', ')}) IS DISTINCT FROM (${cols.map((c) => `p.${c}`).join(', ')})
      GROUP BY 1 ORDER BY 1 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => ({
    table: 'ledger_apart_movements',
    subject: `line ${r.line_id}`,
    message: `line ${r.line_id}: ${r.movements} movement(s) kept apart (late or routine) differ from the log, the first at position ${r.first_position}`,
  }));
}

async function compareReversals(tx: Transaction): Promise<ProjectionProblem[]> {
  const rows = await tx.query<{ payment_event_id: string; derived: bigint | null; projected: bigint | null }>(
    `WITH d AS (
       SELECT data->>'paymentEventId' AS payment_event_id, sum(${FEN("data->>'amount'")})::bigint AS reversed_fen
         FROM ledger_events WHERE type = 'PaymentReversed' GROUP BY 1
     )
     SELECT COALESCE(d.payment_event_id, p.payment_event_id) AS payment_event_id, d.reversed_fen AS derived, p.reversed_fen AS projected
       FROM d FULL JOIN ledger_reversals p ON p.payment_event_id = d.payment_event_id
      WHERE d.reversed_fen IS DISTINCT FROM p.reversed_fen ORDER BY 1 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => ({
    table: 'ledger_reversals',
    subject: `payment ${r.payment_event_id}`,
    message: `payment ${r.payment_event_id}: reversed ${r.projected === null ? 'nothing' : formatYuan(r.projected)} in the projection, ${r.derived === null ? 'nothing' : formatYuan(r.derived)} in the log`,
  }));
}

async function comparePeriods(tx: Transaction): Promise<ProjectionProblem[]> {
  const rows = await tx.query<{ department: string; fiscal_year: number; quarter: number; derived: boolean; projected: boolean }>(
    `WITH d AS (
       SELECT data->>'department' AS department, (data->>'fiscalYear')::integer AS fiscal_year, substr(data->>'period', 2)::smallint AS quarter,
              position, effective_date, recorded_at
         FROM ledger_events WHERE type = 'PeriodClosed'
     )
     SELECT COALESCE(d.department, p.department) AS department, COALESCE(d.fiscal_year, p.fiscal_year) AS fiscal_year,
            COALESCE(d.quarter, p.quarter) AS quarter, d.department IS NOT NULL AS derived, p.department IS NOT NULL AS projected
       FROM d FULL JOIN ledger_periods p ON p.department = d.department AND p.fiscal_year = d.fiscal_year AND p.quarter = d.quarter
      WHERE (d.position, d.effective_date, d.recorded_at) IS DISTINCT FROM (p.position, p.effective_date, p.recorded_at)
      ORDER BY 1, 2, 3 LIMIT ${MAX_LISTED_PROJECTION_PROBLEMS + 1}`,
  );
  return rows.map((r) => {
    const subject = `${r.department} ${r.fiscal_year}-Q${r.quarter}`;
    const why = !r.projected
      ? 'closed in the log, open in the projection'
      : !r.derived
        ? 'closed in the projection, but no event closes it'
        : 'its close differs from the PeriodClosed event';
    return { table: 'ledger_periods', subject, message: `${subject}: ${why}` };
  });
}

/**
 * Each closed quarter's reported figures (executed and adjusted as of the quarter's checkpoint,
 * as known when it was closed), as the progress report gives them, against the same sums over
 * the movements derived from the log.
 */
async function compareReported(tx: Transaction, rules: LedgerRules): Promise<ProjectionProblem[]> {
  const years = await tx.query<{ department: string; fiscal_year: number }>(
    `SELECT DISTINCT data->>'department' AS department, (data->>'fiscalYear')::integer AS fiscal_year
       FROM ledger_events WHERE type = 'PeriodClosed' ORDER BY 1, 2`,
  );
  const problems: ProjectionProblem[] = [];
  for (const { department, fiscal_year: fiscalYear } of years) {
    const report = await queryProgress(tx, { department, fiscalYear }, rules);
    for (const q of report.quarters) {
      if (q.reported === undefined) continue;
      const [derived] = await tx.query<{ executed: bigint; adjusted: bigint }>(
        `SELECT COALESCE(sum(executed_fen), 0)::bigint AS executed, COALESCE(sum(${ADJUSTED('m')}), 0)::bigint AS adjusted
           FROM verify_movements m WHERE department = $1 AND fiscal_year = $2::integer AND effective_date <= $3::date AND recorded_at <= $4::timestamptz`,
        [department, String(fiscalYear), q.date, q.reported.knownAt],
      );
      const executed = formatYuan(derived?.executed ?? 0n);
      const adjusted = formatYuan(derived?.adjusted ?? 0n);
      if (q.reported.executed !== executed || q.reported.adjusted !== adjusted) {
        const subject = `${department} ${fiscalYear}-${q.period}`;
        problems.push({
          table: 'reported',
          subject,
          message: `${subject}: reported 执行数 ${q.reported.executed} / 调整预算数 ${q.reported.adjusted}, the log gives ${executed} / ${adjusted} (as of ${q.date}, known at ${q.reported.knownAt})`,
        });
      }
    }
  }
  return problems;
}

function signedYuan(fen: bigint): string {
  return (fen > 0n ? '+' : '') + formatYuan(fen);
}
