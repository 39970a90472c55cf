import type { Sql } from '@ledger/event-store';

/** Every projection table, whole and in a fixed order: what the append path and a rebuild must agree on. */
export async function projectionTables(db: Sql) {
  return {
    lines: await db.query('SELECT * FROM ledger_lines ORDER BY line_id'),
    movements: await db.query('SELECT * FROM ledger_movements ORDER BY line_id, position'),
    reversals: await db.query('SELECT * FROM ledger_reversals ORDER BY payment_event_id'),
    periods: await db.query('SELECT * FROM ledger_periods ORDER BY department, fiscal_year, quarter'),
    streamDays: await db.query('SELECT * FROM ledger_stream_days ORDER BY department, fiscal_year, day'),
    apart: await db.query('SELECT * FROM ledger_apart_movements ORDER BY department, fiscal_year, position, line_id'),
    departmentDays: await db.query('SELECT * FROM ledger_department_days ORDER BY department, fiscal_year, day'),
    commitments: await db.query('SELECT * FROM ledger_commitments ORDER BY event_id'),
    plans: await db.query('SELECT * FROM ledger_spending_plans ORDER BY line_id, position'),
    yearEnds: await db.query('SELECT * FROM ledger_year_ends ORDER BY department, fiscal_year'),
  };
}
