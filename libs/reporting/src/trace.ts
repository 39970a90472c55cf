import { formatYuan } from '@ledger/domain';
import type { JsonObject, Sql } from '@ledger/event-store';
import { QueryError } from './query-error';
import { parseAsOf, parseKnownAt } from './time';

export interface TraceQuery {
  readonly lineId: string;
  readonly asOf?: string;
  readonly knownAt?: string;
}

export interface TraceEntry {
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly effectiveDate: string;
  readonly recordedAt: string;
  /** Who posted the event (DESIGN.md §8); null when unknown. */
  readonly recordedBy: string | null;
  readonly correction: boolean;
  readonly metadata: JsonObject | null;
  readonly delta: { initial: string; adjustments: string; transfersIn: string; transfersOut: string; executed: string };
  readonly running: { initial: string; adjusted: string; executed: string };
}

export interface TraceResult {
  readonly lineId: string;
  readonly asOf: string;
  readonly knownAt: string;
  readonly entries: TraceEntry[];
  readonly totals: { initial: string; adjusted: string; executed: string; available: string };
}

interface EntryRow {
  position: bigint;
  event_id: string;
  type: string;
  effective_date: string;
  recorded_at: Date;
  recorded_by: string | null;
  correction: boolean;
  metadata: JsonObject | null;
  initial_fen: bigint;
  adjustments_fen: bigint;
  transfers_in_fen: bigint;
  transfers_out_fen: bigint;
  executed_fen: bigint;
}

/**
 * Every event behind a line's figures, in log order, with what each changed and the running
 * totals: how an auditor sees a figure come to be. The line's opening is the first entry.
 * Positions are strings: they are 64-bit and JSON numbers are not.
 */
export async function queryTrace(sql: Sql, query: TraceQuery, now: Date = new Date()): Promise<TraceResult> {
  const asOf = parseAsOf(query.asOf, now);
  const knownAt = parseKnownAt(query.knownAt, now);
  const [line] = await sql.query<{ opened_position: bigint }>('SELECT opened_position FROM ledger_lines WHERE line_id = $1', [
    query.lineId,
  ]);
  if (line === undefined) throw new QueryError('LINE_NOT_FOUND', 'lineId', `no budget line '${query.lineId}'`);
  const rows = await sql.query<EntryRow>(
    `SELECT e.position, e.event_id, e.type, e.effective_date, e.recorded_at, e.recorded_by, e.correction, e.metadata,
            COALESCE(m.initial_fen, 0) AS initial_fen, COALESCE(m.adjustments_fen, 0) AS adjustments_fen,
            COALESCE(m.transfers_in_fen, 0) AS transfers_in_fen, COALESCE(m.transfers_out_fen, 0) AS transfers_out_fen,
            COALESCE(m.executed_fen, 0) AS executed_fen
     FROM ledger_events e
     LEFT JOIN ledger_movements m ON m.position = e.position AND m.line_id = $1
     WHERE e.position IN (SELECT position FROM ledger_movements WHERE line_id = $1 UNION ALL SELECT $2::bigint)
       AND e.effective_date <= $3::date AND e.recorded_at <= $4::timestamptz
     ORDER BY e.position`,
    [query.lineId, line.opened_position.toString(), asOf, knownAt.sql],
  );
  let initial = 0n;
  let adjusted = 0n;
  let executed = 0n;
  const entries = rows.map((row): TraceEntry => {
    initial += row.initial_fen;
    adjusted += row.initial_fen + row.adjustments_fen + row.transfers_in_fen - row.transfers_out_fen;
    executed += row.executed_fen;
    return {
      position: row.position.toString(),
      eventId: row.event_id,
      type: row.type,
      effectiveDate: row.effective_date,
      recordedAt: row.recorded_at.toISOString(),
      recordedBy: row.recorded_by,
      correction: row.correction,
      metadata: row.metadata,
      delta: {
        initial: formatYuan(row.initial_fen),
        adjustments: formatYuan(row.adjustments_fen),
        transfersIn: formatYuan(row.transfers_in_fen),
        transfersOut: formatYuan(row.transfers_out_fen),
        executed: formatYuan(row.executed_fen),
      },
      running: { initial: formatYuan(initial), adjusted: formatYuan(adjusted), executed: formatYuan(executed) },
    };
  });
  return {
    lineId: query.lineId,
    asOf,
    knownAt: knownAt.iso,
    entries,
    totals: {
      initial: formatYuan(initial),
      adjusted: formatYuan(adjusted),
      executed: formatYuan(executed),
      available: formatYuan(adjusted - executed),
    },
  };
}
