import { formatYuan } from '@ledger/domain';
import type { Sql } from '@ledger/event-store';
import type { PlanCheckpoint } from '../plans';

/** A commitment of the line as of the date, known at the instant: what is left of it is still committed. */
export interface TraceCommitment {
  readonly eventId: string;
  readonly reference: string | null;
  readonly effectiveDate: string;
  readonly amount: string;
  readonly released: string;
  readonly consumed: string;
  /** amount − released − consumed. */
  readonly left: string;
}

/** A SpendingPlanSet of the line dated by the date and recorded by the instant, in (effectiveDate, position) order. */
export interface TracePlan {
  readonly position: string;
  readonly eventId: string;
  readonly effectiveDate: string;
  readonly recordedAt: string;
  readonly checkpoints: { date: string; share: string }[];
}

/**
 * The line's commitments as of $2 known at $3: each CommitmentMade with what releases and payments
 * naming it took of it by then. Only the movements that change `committed` are read (a commitment,
 * a release, a consuming payment: committed_fen ≠ 0), through their own index (migration 0019)
 * whatever the length of the line's history, then their events for the ids they name.
 */
const COMMITMENTS_SQL = `WITH c AS (
    SELECT m.position, m.committed_fen, m.effective_date, e.event_id, e.type, e.data
    FROM ledger_movements m JOIN ledger_events e ON e.position = m.position
    WHERE m.line_id = $1 AND m.committed_fen <> 0 AND m.effective_date <= $2::date AND m.recorded_at <= $3::timestamptz
  )
  SELECT made.event_id, made.data->>'reference' AS reference, made.effective_date::text AS effective_date,
         made.committed_fen AS amount,
         COALESCE(-sum(u.committed_fen) FILTER (WHERE u.type = 'CommitmentReleased'), 0)::bigint AS released,
         COALESCE(-sum(u.committed_fen) FILTER (WHERE u.type <> 'CommitmentReleased'), 0)::bigint AS consumed
  FROM c made LEFT JOIN c u ON u.type <> 'CommitmentMade' AND u.data->>'commitmentEventId' = made.event_id
  WHERE made.type = 'CommitmentMade'
  GROUP BY made.position, made.event_id, made.data, made.effective_date, made.committed_fen
  ORDER BY made.position`;

export async function lineCommitments(sql: Sql, lineId: string, asOf: string, knownAtSql: string): Promise<TraceCommitment[]> {
  const rows = await sql.query<{
    event_id: string;
    reference: string | null;
    effective_date: string;
    amount: bigint;
    released: bigint;
    consumed: bigint;
  }>(COMMITMENTS_SQL, [lineId, asOf, knownAtSql]);
  return rows.map((r) => ({
    eventId: r.event_id,
    reference: r.reference,
    effectiveDate: r.effective_date,
    amount: formatYuan(BigInt(r.amount)),
    released: formatYuan(BigInt(r.released)),
    consumed: formatYuan(BigInt(r.consumed)),
    left: formatYuan(BigInt(r.amount) - BigInt(r.released) - BigInt(r.consumed)),
  }));
}

/** The line's SpendingPlanSets dated by $2 and recorded by $3, the one in force last. */
const PLANS_SQL = `SELECT p.position, e.event_id, p.effective_date::text AS effective_date, p.recorded_at, p.checkpoints
  FROM ledger_spending_plans p JOIN ledger_events e ON e.position = p.position
  WHERE p.line_id = $1 AND p.effective_date <= $2::date AND p.recorded_at <= $3::timestamptz
  ORDER BY p.effective_date, p.position`;

export async function linePlans(sql: Sql, lineId: string, asOf: string, knownAtSql: string): Promise<TracePlan[]> {
  const rows = await sql.query<{
    position: bigint;
    event_id: string;
    effective_date: string;
    recorded_at: Date;
    checkpoints: PlanCheckpoint[];
  }>(PLANS_SQL, [lineId, asOf, knownAtSql]);
  return rows.map((r) => ({
    position: r.position.toString(),
    eventId: r.event_id,
    effectiveDate: r.effective_date,
    recordedAt: r.recorded_at.toISOString(),
    checkpoints: r.checkpoints.map((c) => ({ date: c.date, share: c.share })),
  }));
}
