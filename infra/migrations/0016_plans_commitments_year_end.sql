-- Spending plans, commitments and the year end (DESIGN.md §11, decision 0014). All projections,
-- rebuilt from the log alone like the others.

-- Three more figures per movement and per line, with their running totals (decision 0010):
--   committed_fen         预留/冻结 still open: + CommitmentMade, − CommitmentReleased, − what a payment consumed of its commitment
--   brought_forward_fen   上年结转 received by a line of the next year (BalanceCarriedForward, its toLineId)
--   carried_forward_fen   结转下年 given by a project line of the closed year (BalanceCarriedForward, its fromLineId)
-- 调整预算数 = initial + adjustments + transfersIn − transfersOut + broughtForward;
-- 可用余额 = adjusted − executed − committed.
ALTER TABLE ledger_movements
  ADD COLUMN committed_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN brought_forward_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN carried_forward_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_committed_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_brought_forward_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN running_carried_forward_fen bigint NOT NULL DEFAULT 0;

ALTER TABLE ledger_apart_movements
  ADD COLUMN committed_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN brought_forward_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN carried_forward_fen bigint NOT NULL DEFAULT 0;

ALTER TABLE ledger_lines
  ADD COLUMN committed_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN brought_forward_fen bigint NOT NULL DEFAULT 0,
  ADD COLUMN carried_forward_fen bigint NOT NULL DEFAULT 0;

-- One row per commitment (CommitmentMade), with what was released of it and what payments consumed.
-- Left open = amount − released − consumed.
CREATE TABLE ledger_commitments (
  event_id      text COLLATE "C" PRIMARY KEY,
  line_id       text COLLATE "C" NOT NULL,
  amount_fen    bigint NOT NULL,
  released_fen  bigint NOT NULL DEFAULT 0,
  consumed_fen  bigint NOT NULL DEFAULT 0
);
CREATE INDEX ledger_commitments_line ON ledger_commitments (line_id);

-- Every SpendingPlanSet, bitemporal: the plan of a line as of D known at T is the row with the
-- greatest (effective_date, position) among those with effective_date ≤ D and recorded_at ≤ T.
CREATE TABLE ledger_spending_plans (
  line_id         text COLLATE "C" NOT NULL,
  position        bigint      NOT NULL,
  effective_date  date        NOT NULL,
  recorded_at     timestamptz NOT NULL,
  -- [{ "date": "2021-03-31", "share": "0.25" }, …] as the event gave them (normalized).
  checkpoints     jsonb       NOT NULL,
  PRIMARY KEY (line_id, position)
);

-- Closed years (年结): YearClosed of a department-year.
CREATE TABLE ledger_year_ends (
  department      text        NOT NULL,
  fiscal_year     integer     NOT NULL,
  event_id        text        NOT NULL,
  position        bigint      NOT NULL,
  effective_date  date        NOT NULL,
  recorded_at     timestamptz NOT NULL,
  PRIMARY KEY (department, fiscal_year)
);
