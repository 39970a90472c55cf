-- Figures as of any date and known at any instant without summing a department's whole history
-- (decision 0010). Three parts, all projections rebuilt from the log alone:
--
-- 1. Every movement carries its line's running totals in log order (the line's totals right after
--    it), so that a line's figures up to a position are one look-up on the (line_id, position) key.
-- 2. ledger_stream_days: for each department-year (stream), the first position at which a movement
--    dated on a later day than every movement before it was recorded — the position where the
--    stream's "high-water" date reached that day — and when it was recorded. Every movement before
--    the first position of the first day after D is dated D or earlier: its prefix of the log is a
--    prefix of the business calendar. One row per stream and date; some 365 per department-year.
-- 3. ledger_apart_movements: the movements kept apart from that prefix: late ones (dated before the
--    stream's high-water date when recorded, so they fall after the prefix of their own date) and
--    routine transfers (增人增资正常调剂, whose routine part the running totals do not carry).
--    A query adds back the late movements recorded after its date's prefix; normally few.
ALTER TABLE ledger_movements
  ADD COLUMN running_initial_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_adjustments_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_transfers_in_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_transfers_out_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_executed_fen bigint NOT NULL DEFAULT 0;

CREATE TABLE ledger_stream_days (
  department         text COLLATE "C" NOT NULL,
  fiscal_year        integer     NOT NULL,
  day                date        NOT NULL,
  first_position     bigint      NOT NULL,
  first_recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (department, fiscal_year, day)
);
-- "Everything from this position on was recorded after T": the first day first recorded after T
-- (several days moved by one append share its instant: the first of them by position).
CREATE INDEX ledger_stream_days_recorded ON ledger_stream_days (department, fiscal_year, first_recorded_at, first_position);

CREATE TABLE ledger_apart_movements (
  department                 text COLLATE "C" NOT NULL,
  fiscal_year                integer     NOT NULL,
  position                   bigint      NOT NULL,
  line_id                    text COLLATE "C" NOT NULL,
  effective_date             date        NOT NULL,
  recorded_at                timestamptz NOT NULL,
  -- Dated before the stream's high-water date when it was recorded.
  late                       boolean     NOT NULL,
  initial_fen                bigint      NOT NULL,
  adjustments_fen            bigint      NOT NULL,
  transfers_in_fen           bigint      NOT NULL,
  transfers_out_fen          bigint      NOT NULL,
  routine_transfers_out_fen  bigint      NOT NULL,
  executed_fen               bigint      NOT NULL,
  PRIMARY KEY (department, fiscal_year, position, line_id)
);

-- The movements already stored get the same figures as `ledger rebuild` would give them.
UPDATE ledger_movements m
SET running_initial_fen = r.initial, running_adjustments_fen = r.adjustments, running_transfers_in_fen = r.transfers_in,
    running_transfers_out_fen = r.transfers_out, running_executed_fen = r.executed
FROM (SELECT line_id, position,
             sum(initial_fen) OVER w AS initial, sum(adjustments_fen) OVER w AS adjustments,
             sum(transfers_in_fen) OVER w AS transfers_in, sum(transfers_out_fen) OVER w AS transfers_out,
             sum(executed_fen) OVER w AS executed
      FROM ledger_movements WINDOW w AS (PARTITION BY line_id ORDER BY position)) r
WHERE m.line_id = r.line_id AND m.position = r.position;

INSERT INTO ledger_stream_days (department, fiscal_year, day, first_position, first_recorded_at)
SELECT department, fiscal_year, day, first_position, first_recorded_at
FROM (SELECT department, fiscal_year, effective_date AS day, min(position) AS first_position, min(recorded_at) AS first_recorded_at,
             min(min(position)) OVER (PARTITION BY department, fiscal_year ORDER BY effective_date DESC
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later_first
      FROM ledger_movements GROUP BY department, fiscal_year, effective_date) d
WHERE later_first IS NULL OR first_position < later_first;

INSERT INTO ledger_apart_movements (department, fiscal_year, position, line_id, effective_date, recorded_at, late, initial_fen,
                                    adjustments_fen, transfers_in_fen, transfers_out_fen, routine_transfers_out_fen, executed_fen)
SELECT m.department, m.fiscal_year, m.position, m.line_id, m.effective_date, m.recorded_at,
       m.position > COALESCE(s.sealed_after, 9223372036854775807), m.initial_fen, m.adjustments_fen, m.transfers_in_fen,
       m.transfers_out_fen, m.routine_transfers_out_fen, m.executed_fen
FROM ledger_movements m
LEFT JOIN LATERAL (SELECT min(d.first_position) AS sealed_after FROM ledger_stream_days d
                   WHERE d.department = m.department AND d.fiscal_year = m.fiscal_year AND d.day > m.effective_date) s ON true
WHERE m.position > COALESCE(s.sealed_after, 9223372036854775807) OR m.routine_transfers_out_fen <> 0;
