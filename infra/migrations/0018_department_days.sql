-- Issue 18, decision 0010 ("Department-year figures by day"): a department-year's totals of every
-- movement dated on or before each day it has a movement on, as known now. A department's figures
-- as of a date known now (progress, ratios, the scorecard, the early warnings, without a tag) are
-- then one look-up of the last such day on or before the date, instead of one look-up per line
-- and date: they cost the same whatever the number of lines and events. A back-dated movement
-- adds to its own day and every later day of its department-year (at most one row per day).
CREATE TABLE ledger_department_days (
  department                 text COLLATE "C" NOT NULL,
  fiscal_year                integer NOT NULL,
  day                        date    NOT NULL,
  initial_fen                bigint  NOT NULL,
  adjustments_fen            bigint  NOT NULL,
  transfers_in_fen           bigint  NOT NULL,
  transfers_out_fen          bigint  NOT NULL,
  routine_transfers_out_fen  bigint  NOT NULL,
  executed_fen               bigint  NOT NULL,
  committed_fen              bigint  NOT NULL,
  brought_forward_fen        bigint  NOT NULL,
  carried_forward_fen        bigint  NOT NULL,
  PRIMARY KEY (department, fiscal_year, day)
);

-- The days of the movements already projected (a rebuild derives the same from the log).
INSERT INTO ledger_department_days
SELECT department, fiscal_year, day,
       ledger_sum_fen(initial_fen) OVER w, ledger_sum_fen(adjustments_fen) OVER w, ledger_sum_fen(transfers_in_fen) OVER w,
       ledger_sum_fen(transfers_out_fen) OVER w, ledger_sum_fen(routine_transfers_out_fen) OVER w, ledger_sum_fen(executed_fen) OVER w,
       ledger_sum_fen(committed_fen) OVER w, ledger_sum_fen(brought_forward_fen) OVER w, ledger_sum_fen(carried_forward_fen) OVER w
FROM (SELECT department, fiscal_year, effective_date AS day,
             sum(initial_fen)::bigint AS initial_fen, sum(adjustments_fen)::bigint AS adjustments_fen,
             sum(transfers_in_fen)::bigint AS transfers_in_fen, sum(transfers_out_fen)::bigint AS transfers_out_fen,
             sum(routine_transfers_out_fen)::bigint AS routine_transfers_out_fen, sum(executed_fen)::bigint AS executed_fen,
             sum(committed_fen)::bigint AS committed_fen, sum(brought_forward_fen)::bigint AS brought_forward_fen,
             sum(carried_forward_fen)::bigint AS carried_forward_fen
        FROM ledger_movements GROUP BY department, fiscal_year, effective_date) d
WINDOW w AS (PARTITION BY department, fiscal_year ORDER BY day);
