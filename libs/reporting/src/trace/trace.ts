import { formatYuan, zeroLineFigures } from '@ledger/domain';
import type { JsonObject, Sql } from '@ledger/event-store';
import { linesAsOf, NO_POSITION_CAP } from '../as-of';
import { addSums, adjustedOf, availableOf, type Sums } from '../figures';
import { lineCommitments, linePlans, type TraceCommitment, type TracePlan } from './trace-lists';

export type { TraceCommitment, TracePlan } from './trace-lists';
import { QueryError } from '../query-error';
import { parseAsOf, parseKnownAt } from '../time';

export interface TraceQuery {
  readonly lineId: string;
  readonly asOf?: string;
  readonly knownAt?: string;
  /** Entries per page (1..10,000, default 1,000). */
  readonly limit?: string | number;
  /** The position after which the page starts: the previous page's nextAfter. */
  readonly after?: string;
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
  /** The commitment (CommitmentMade eventId) a payment consumes or a release releases; null for other events. */
  readonly commitmentEventId: string | null;
  readonly delta: TraceDelta;
  readonly running: { initial: string; adjusted: string; executed: string; committed: string; available: string };
}

export interface TraceDelta {
  readonly initial: string;
  readonly adjustments: string;
  readonly transfersIn: string;
  readonly transfersOut: string;
  readonly executed: string;
  readonly committed: string;
  readonly broughtForward: string;
  readonly carriedForward: string;
}

export interface TraceResult {
  readonly lineId: string;
  readonly asOf: string;
  readonly knownAt: string;
  readonly entries: TraceEntry[];
  readonly totals: {
    initial: string;
    adjusted: string;
    executed: string;
    committed: string;
    broughtForward: string;
    carriedForward: string;
    available: string;
  };
  /** Every commitment of the line as of asOf known at knownAt, whatever the page. */
  readonly commitments: TraceCommitment[];
  /** Every spending plan of the line as of asOf known at knownAt (the last one is in force). */
  readonly plans: TracePlan[];
  readonly limit: number;
  /** The `after` of the next page; null when this page is the last. */
  readonly nextAfter: string | null;
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
  commitment_event_id: string | null;
  initial_fen: bigint;
  adjustments_fen: bigint;
  transfers_in_fen: bigint;
  transfers_out_fen: bigint;
  executed_fen: bigint;
  committed_fen: bigint;
  brought_forward_fen: bigint;
  carried_forward_fen: bigint;
}

/** Entries per page when the query gives no limit, and the most it may ask for. */
export const TRACE_DEFAULT_LIMIT = 1_000;
export const TRACE_MAX_LIMIT = 10_000;

/** The entries of a page after `after` (its opening as a zero movement), $5 = limit + 1 to see whether more follow. */
const TRACE_ENTRIES_SQL = `SELECT e.position, e.event_id, e.type, e.effective_date, e.recorded_at, e.recorded_by, e.correction, e.metadata,
            e.data->>'commitmentEventId' AS commitment_event_id,
            p.initial_fen, p.adjustments_fen, p.transfers_in_fen, p.transfers_out_fen, p.executed_fen,
            p.committed_fen, p.brought_forward_fen, p.carried_forward_fen
     FROM (
       (SELECT l.opened_position AS position, 0::bigint AS initial_fen, 0::bigint AS adjustments_fen, 0::bigint AS transfers_in_fen,
               0::bigint AS transfers_out_fen, 0::bigint AS executed_fen, 0::bigint AS committed_fen,
               0::bigint AS brought_forward_fen, 0::bigint AS carried_forward_fen
        FROM ledger_lines l
        WHERE l.line_id = $1 AND l.opened_position > $2::bigint AND l.opened_effective_date <= $3::date
          AND l.opened_recorded_at <= $4::timestamptz)
       UNION ALL
       (SELECT m.position, m.initial_fen, m.adjustments_fen, m.transfers_in_fen, m.transfers_out_fen, m.executed_fen,
               m.committed_fen, m.brought_forward_fen, m.carried_forward_fen
        FROM ledger_movements m
        WHERE m.line_id = $1 AND m.position > $2::bigint AND m.effective_date <= $3::date AND m.recorded_at <= $4::timestamptz
        ORDER BY m.position LIMIT $5::integer)
     ) p
     JOIN ledger_events e ON e.position = p.position
     ORDER BY p.position LIMIT $5::integer`;

/** The page's entries with their deltas and the running totals, continued from `start` (the figures up to `after`). */
function traceEntries(start: Sums, page: readonly EntryRow[]): TraceEntry[] {
  const running = { ...start };
  return page.map((row): TraceEntry => {
    const delta = sumsOfRow(row);
    addSums(running, delta);
    return {
      position: row.position.toString(),
      eventId: row.event_id,
      type: row.type,
      effectiveDate: row.effective_date,
      recordedAt: row.recorded_at.toISOString(),
      recordedBy: row.recorded_by,
      correction: row.correction,
      metadata: row.metadata,
      commitmentEventId: row.commitment_event_id,
      delta: {
        initial: formatYuan(delta.initialFen),
        adjustments: formatYuan(delta.adjustmentsFen),
        transfersIn: formatYuan(delta.transfersInFen),
        transfersOut: formatYuan(delta.transfersOutFen),
        executed: formatYuan(delta.executedFen),
        committed: formatYuan(delta.committedFen),
        broughtForward: formatYuan(delta.broughtForwardFen),
        carriedForward: formatYuan(delta.carriedForwardFen),
      },
      running: {
        initial: formatYuan(running.initialFen),
        adjusted: formatYuan(adjustedOf(running)),
        executed: formatYuan(running.executedFen),
        committed: formatYuan(running.committedFen),
        available: formatYuan(availableOf(running)),
      },
    };
  });
}

function sumsOfRow(row: EntryRow): Sums {
  return {
    initialFen: row.initial_fen,
    adjustmentsFen: row.adjustments_fen,
    transfersInFen: row.transfers_in_fen,
    transfersOutFen: row.transfers_out_fen,
    executedFen: row.executed_fen,
    committedFen: row.committed_fen,
    broughtForwardFen: row.brought_forward_fen,
    carriedForwardFen: row.carried_forward_fen,
  };
}

/**
 * Every event behind a line's figures, in log order, with what each changed and the running
 * totals: how an auditor sees a figure come to be. The line's opening is the first entry.
 * Positions are strings: they are 64-bit and JSON numbers are not.
 *
 * Paged: `limit` entries (default 1,000) after the position `after`; `nextAfter` is the `after`
 * of the next page, or null on the last. The running totals continue across pages (the first
 * entry of a page starts from the line's figures up to `after`) and `totals` are the line's
 * figures as of the date and instant whatever the page; both come from the line's running totals
 * (decision 0010), so a page costs the same anywhere in a long history.
 */
export async function queryTrace(sql: Sql, query: TraceQuery, now: Date = new Date()): Promise<TraceResult> {
  const asOf = parseAsOf(query.asOf, now);
  const knownAt = parseKnownAt(query.knownAt, now);
  const limit = parseLimit(query.limit);
  const after = parseAfter(query.after);
  const [line] = await sql.query<{ department: string; fiscal_year: number }>(
    'SELECT department, fiscal_year FROM ledger_lines WHERE line_id = $1',
    [query.lineId],
  );
  if (line === undefined) throw new QueryError('LINE_NOT_FOUND', 'lineId', `no budget line '${query.lineId}'`);
  const cut = { department: line.department, fiscalYear: line.fiscal_year, asOf, knownAtSql: knownAt.sql };
  const figures = async (positionCap?: bigint): Promise<Sums> => {
    const [f] = await linesAsOf(sql, { ...cut, positionCap }, { lineId: query.lineId });
    return f ?? zeroLineFigures();
  };
  const totals = await figures();
  const start = after === undefined ? zeroLineFigures() : await figures(after);
  const rows = await sql.query<EntryRow>(TRACE_ENTRIES_SQL, [query.lineId, String(after ?? -1n), asOf, knownAt.sql, String(limit + 1)]);
  const page = rows.slice(0, limit);
  const entries = traceEntries(start, page);
  return {
    lineId: query.lineId,
    asOf,
    knownAt: knownAt.iso,
    entries,
    totals: {
      initial: formatYuan(totals.initialFen),
      adjusted: formatYuan(adjustedOf(totals)),
      executed: formatYuan(totals.executedFen),
      committed: formatYuan(totals.committedFen),
      broughtForward: formatYuan(totals.broughtForwardFen),
      carriedForward: formatYuan(totals.carriedForwardFen),
      available: formatYuan(availableOf(totals)),
    },
    commitments: await lineCommitments(sql, query.lineId, asOf, knownAt.sql),
    plans: await linePlans(sql, query.lineId, asOf, knownAt.sql),
    limit,
    nextAfter: rows.length > limit ? (page.at(-1) as EntryRow).position.toString() : null,
  };
}

function parseLimit(value: string | number | undefined): number {
  if (value === undefined || value === '') return TRACE_DEFAULT_LIMIT;
  const text = String(value);
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > TRACE_MAX_LIMIT) {
    throw new QueryError('INVALID_QUERY', 'limit', `'${text}' is not a page size from 1 to ${TRACE_MAX_LIMIT}`);
  }
  return Number(text);
}

function parseAfter(value: string | undefined): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > NO_POSITION_CAP) {
    throw new QueryError('INVALID_QUERY', 'after', `'${value}' is not a position (the nextAfter of a page)`);
  }
  return BigInt(value);
}
