-- A reversal reads its payment from ledger_events (unique on event_id); only what has been
-- reversed of a payment needs a projection. One row per reversed payment instead of one per
-- payment: the append path no longer writes a row for every payment.
DROP TABLE ledger_payments;

CREATE TABLE ledger_reversals (
  payment_event_id  text   PRIMARY KEY,
  reversed_fen      bigint NOT NULL
);
