import type { Transaction } from '@ledger/event-store';
import { formatYuan } from '@ledger/domain';
import type { ProjectionProblem } from './projection-problem';

/**
 * The tables of decision 0014 against the log: each commitment's amount, released and consumed
 * totals, every spending plan, every closed year. `verify_consumed` (what each payment consumed
 * of its commitment) is derived by verifyProjections from the log beforehand.
 */

const FEN = (path: string) => `((${path})::numeric * 100)::bigint`;

export async function compareCommitments(tx: Transaction, limit: number): Promise<ProjectionProblem[]> {
  const cols = ['line_id', 'amount_fen', 'released_fen', 'consumed_fen'];
  const rows = await tx.query<{
    event_id: string;
    derived: boolean;
    projected: boolean;
    d_released: bigint | null;
    p_released: bigint | null;
    d_consumed: bigint | null;
    p_consumed: bigint | null;
    d_amount: bigint | null;
    p_amount: bigint | null;
  }>(
    `WITH d AS (
       SELECT m.event_id, m.data->>'lineId' AS line_id, ${FEN("m.data->>'amount'")} AS amount_fen,
              COALESCE((SELECT sum(${FEN("r.data->>'amount'")}) FROM ledger_events r
                         WHERE r.type = 'CommitmentReleased' AND r.data->>'commitmentEventId' = m.event_id), 0)::bigint AS released_fen,
              COALESCE((SELECT sum(k.consumed_fen) FROM verify_consumed k WHERE k.commitment_event_id = m.event_id), 0)::bigint AS consumed_fen
         FROM ledger_events m WHERE m.type = 'CommitmentMade'
     )
     SELECT COALESCE(d.event_id, p.event_id) AS event_id, d.event_id IS NOT NULL AS derived, p.event_id IS NOT NULL AS projected,
            d.amount_fen AS d_amount, p.amount_fen AS p_amount, d.released_fen AS d_released, p.released_fen AS p_released,
            d.consumed_fen AS d_consumed, p.consumed_fen AS p_consumed
       FROM d FULL JOIN ledger_commitments p ON p.event_id = d.event_id
      WHERE (${cols.map((c) => `d.${c}`).join(', ')}) IS DISTINCT FROM (${cols.map((c) => `p.${c}`).join(', ')})
      ORDER BY 1 LIMIT ${limit + 1}`,
  );
  return rows.map((r) => {
    const subject = `commitment ${r.event_id}`;
    if (!r.projected) {
      return { table: 'ledger_commitments', subject, message: `${subject} is made in the log but missing from the projection` };
    }
    if (!r.derived) return { table: 'ledger_commitments', subject, message: `${subject} is in the projection but no event makes it` };
    const figures: [string, bigint | null, bigint | null][] = [
      ['amount', r.p_amount, r.d_amount],
      ['released', r.p_released, r.d_released],
      ['consumed', r.p_consumed, r.d_consumed],
    ];
    const differing = figures
      .filter(([, p, d]) => p !== d)
      .map(([name, p, d]) => `${name} ${formatYuan(p ?? 0n)} where the log gives ${formatYuan(d ?? 0n)}`);
    return {
      table: 'ledger_commitments',
      subject,
      message: `${subject}: ${differing.join('; ') || 'its line differs from its CommitmentMade'}`,
    };
  });
}

export async function compareSpendingPlans(tx: Transaction, limit: number): Promise<ProjectionProblem[]> {
  const rows = await tx.query<{ line_id: string; position: bigint; derived: boolean; projected: boolean }>(
    `WITH d AS (
       SELECT data->>'lineId' AS line_id, position, effective_date, recorded_at, data->'checkpoints' AS checkpoints
         FROM ledger_events WHERE type = 'SpendingPlanSet'
     )
     SELECT COALESCE(d.line_id, p.line_id) AS line_id, COALESCE(d.position, p.position) AS position,
            d.line_id IS NOT NULL AS derived, p.line_id IS NOT NULL AS projected
       FROM d FULL JOIN ledger_spending_plans p ON p.line_id = d.line_id AND p.position = d.position
      WHERE (d.effective_date, d.recorded_at, d.checkpoints) IS DISTINCT FROM (p.effective_date, p.recorded_at, p.checkpoints)
      ORDER BY 1, 2 LIMIT ${limit + 1}`,
  );
  return rows.map((r) => {
    const subject = `plan of line ${r.line_id} at position ${r.position}`;
    const why = !r.projected
      ? 'set in the log, missing from the projection'
      : !r.derived
        ? 'in the projection, but no event sets it'
        : 'its date, time or checkpoints differ from its SpendingPlanSet';
    return { table: 'ledger_spending_plans', subject, message: `${subject}: ${why}` };
  });
}

export async function compareYearEnds(tx: Transaction, limit: number): Promise<ProjectionProblem[]> {
  const rows = await tx.query<{ department: string; fiscal_year: number; derived: boolean; projected: boolean }>(
    `WITH d AS (
       SELECT data->>'department' AS department, (data->>'fiscalYear')::integer AS fiscal_year, event_id, position, effective_date, recorded_at
         FROM ledger_events WHERE type = 'YearClosed'
     )
     SELECT COALESCE(d.department, p.department) AS department, COALESCE(d.fiscal_year, p.fiscal_year) AS fiscal_year,
            d.department IS NOT NULL AS derived, p.department IS NOT NULL AS projected
       FROM d FULL JOIN ledger_year_ends p ON p.department = d.department AND p.fiscal_year = d.fiscal_year
      WHERE (d.event_id, d.position, d.effective_date, d.recorded_at) IS DISTINCT FROM (p.event_id, p.position, p.effective_date, p.recorded_at)
      ORDER BY 1, 2 LIMIT ${limit + 1}`,
  );
  return rows.map((r) => {
    const subject = `${r.department} ${r.fiscal_year}`;
    const why = !r.projected
      ? 'closed in the log, open in the projection'
      : !r.derived
        ? 'closed in the projection, but no event closes it'
        : 'its close differs from the YearClosed event';
    return { table: 'ledger_year_ends', subject, message: `${subject}: ${why}` };
  });
}
