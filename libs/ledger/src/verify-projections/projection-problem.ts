/** A projection row that disagrees with the log, as verify names it. */
export interface ProjectionProblem {
  readonly table:
    | 'ledger_lines'
    | 'ledger_movements'
    | 'ledger_stream_days'
    | 'ledger_apart_movements'
    | 'ledger_department_days'
    | 'ledger_reversals'
    | 'ledger_periods'
    | 'ledger_commitments'
    | 'ledger_spending_plans'
    | 'ledger_year_ends'
    | 'reported';
  /** The line, payment, commitment or department-year (quarter) at fault. */
  readonly subject: string;
  readonly message: string;
}
