import type { DepartmentYearTotals } from '@ledger/domain';
import { textArrayLiteral, type Sql } from '@ledger/event-store';

/**
 * The totals of department-years (any effective date) that their adjustment-and-transfer check
 * counts, by stream: the "before" of a batch's alerts (see decideBatch). Read under the streams'
 * locks, before the batch updates ledger_lines, so they are exact. One statement for all streams.
 */
export async function readDepartmentYearTotals(
  tx: Sql,
  streams: readonly { readonly streamId: string; readonly department: string; readonly fiscalYear: number }[],
): Promise<Map<string, DepartmentYearTotals>> {
  const totals = new Map<string, DepartmentYearTotals>();
  if (streams.length === 0) return totals;
  const rows = await tx.query<{
    department: string;
    fiscal_year: number;
    initial: bigint;
    adjustments: bigint;
    transfers: bigint;
    routine: bigint;
  }>(
    `SELECT k.department, k.fiscal_year,
            COALESCE(sum(l.initial_fen), 0)::bigint AS initial, COALESCE(sum(l.adjustments_fen), 0)::bigint AS adjustments,
            COALESCE(sum(m.transfers), 0)::bigint AS transfers, COALESCE(sum(m.routine), 0)::bigint AS routine
     FROM unnest($1::text::text[], $2::text::integer[]) AS k(department, fiscal_year)
     LEFT JOIN ledger_lines l ON l.department = k.department AND l.fiscal_year = k.fiscal_year
     LEFT JOIN LATERAL (
       SELECT sum(transfers_out_fen - routine_transfers_out_fen) AS transfers, sum(routine_transfers_out_fen) AS routine
       FROM ledger_movements WHERE line_id = l.line_id AND transfers_out_fen <> 0
     ) m ON true
     GROUP BY k.department, k.fiscal_year`,
    [textArrayLiteral(streams.map((s) => s.department)), `{${streams.map((s) => s.fiscalYear).join(',')}}`],
    { prepare: true },
  );
  const byKey = new Map(rows.map((row) => [`${row.fiscal_year}\u0000${row.department}`, row]));
  for (const stream of streams) {
    const row = byKey.get(`${stream.fiscalYear}\u0000${stream.department}`);
    totals.set(stream.streamId, {
      initialFen: row?.initial ?? 0n,
      adjustmentFen: row?.adjustments ?? 0n,
      transferFen: row?.transfers ?? 0n,
      routineFen: row?.routine ?? 0n,
    });
  }
  return totals;
}
