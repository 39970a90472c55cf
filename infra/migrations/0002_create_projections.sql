-- Projections: rebuilt from ledger_events alone (`ledger rebuild`), written in the same
-- transaction as the events they come from (read-your-writes).

-- One row per budget line (预算指标) with its dimensions and the totals of every event known,
-- any effective date: what the budget rules check an incoming event against.
CREATE TABLE ledger_lines (
  line_id                text        PRIMARY KEY,
  department             text        NOT NULL,
  fiscal_year            integer     NOT NULL,
  name                   text,
  unit                   text,
  project                text,
  function_code          text,
  economic_code          text,
  funding_source         text,
  kind                   text        NOT NULL,
  tags                   text[]      NOT NULL DEFAULT '{}',
  opened_position        bigint      NOT NULL,
  opened_effective_date  date        NOT NULL,
  opened_recorded_at     timestamptz NOT NULL,
  initial_fen            bigint      NOT NULL DEFAULT 0,
  adjustments_fen        bigint      NOT NULL DEFAULT 0,
  transfers_in_fen       bigint      NOT NULL DEFAULT 0,
  transfers_out_fen      bigint      NOT NULL DEFAULT 0,
  executed_fen           bigint      NOT NULL DEFAULT 0
);
CREATE INDEX ledger_lines_department_year ON ledger_lines (department, fiscal_year);

-- One row per (line, event) that moves a figure: the bitemporal fact table. Any figure "as of
-- a date, as known at an instant" is a sum over it filtered by effective_date and recorded_at.
-- A transfer gives two rows (its source and its target line) with the same position.
CREATE TABLE ledger_movements (
  line_id                    text        NOT NULL,
  position                   bigint      NOT NULL,
  department                 text        NOT NULL,
  fiscal_year                integer     NOT NULL,
  effective_date             date        NOT NULL,
  recorded_at                timestamptz NOT NULL,
  initial_fen                bigint      NOT NULL DEFAULT 0,
  adjustments_fen            bigint      NOT NULL DEFAULT 0,
  transfers_in_fen           bigint      NOT NULL DEFAULT 0,
  transfers_out_fen          bigint      NOT NULL DEFAULT 0,
  -- The part of transfers_out_fen marked routine (增人增资正常调剂), left out of the transfer ratio.
  routine_transfers_out_fen  bigint      NOT NULL DEFAULT 0,
  executed_fen               bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (line_id, position)
);
CREATE INDEX ledger_movements_department_date ON ledger_movements (department, fiscal_year, effective_date);

-- Payments and what has been reversed of them, for PaymentReversed's checks.
CREATE TABLE ledger_payments (
  event_id     text   PRIMARY KEY,
  line_id      text   NOT NULL,
  amount_fen   bigint NOT NULL,
  reversed_fen bigint NOT NULL DEFAULT 0
);

-- Closed quarters (季度结账) with the instant they were closed: the `knownAt` of reported figures.
CREATE TABLE ledger_periods (
  department      text        NOT NULL,
  fiscal_year     integer     NOT NULL,
  quarter         smallint    NOT NULL,
  position        bigint      NOT NULL,
  effective_date  date        NOT NULL,
  recorded_at     timestamptz NOT NULL,
  PRIMARY KEY (department, fiscal_year, quarter)
);
