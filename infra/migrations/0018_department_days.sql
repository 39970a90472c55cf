-- Issue 18, decision 0010 ("Department-year figures by day"): a department-year's sums of the
-- movements dated on each day it has a movement on, as known now. A department's figures as of a
-- date known now (progress, ratios, the scorecard, the early warnings, without a tag) are then the
-- sum of at most 366 rows of one key range, instead of one look-up per line and date: they cost
-- the same whatever the number of lines and events. An append adds to the rows of its dates.
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
) WITH (fillfactor = 50);
-- Every append adds to the rows of its dates: with room on each page the new row versions stay on
-- the same page (heap-only tuples, no index entry written), as for ledger_lines (0005).

-- The days of the movements already projected (a rebuild derives the same from the log).
INSERT INTO ledger_department_days
SELECT department, fiscal_year, effective_date,
       sum(initial_fen)::bigint, sum(adjustments_fen)::bigint, sum(transfers_in_fen)::bigint, sum(transfers_out_fen)::bigint,
       sum(routine_transfers_out_fen)::bigint, sum(executed_fen)::bigint, sum(committed_fen)::bigint,
       sum(brought_forward_fen)::bigint, sum(carried_forward_fen)::bigint
FROM ledger_movements GROUP BY department, fiscal_year, effective_date;
