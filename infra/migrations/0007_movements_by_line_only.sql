-- ledger_movements is read by line: a line's trace, and a department's figures as the sum of its
-- lines' (ledger_lines gives the department-year's lines, the (line_id, position) key their
-- movements). The (department, fiscal_year, effective_date) index answered the department's sums
-- directly, but every append paid for it with one more B-tree entry per movement: dropped.
DROP INDEX ledger_movements_department_date;
