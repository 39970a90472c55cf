-- The event log: append-only, one row per stored event.
--
-- position      global order: tx_id * 2^20 + the event's index in its transaction (PgEventStore
--               assigns it). Positions taken from a sequence would be numbered in a different
--               order than the transactions' ids, and a follower reading below the oldest running
--               transaction could then pass a slow transaction's lower positions before it
--               commits. Numbered by tx_id, every position of a transaction still running is
--               above every position a follower can read.
-- tx_id         the writing transaction, assigned after the stream locks are taken (so positions
--               increase with stream_version). A follower reads only rows whose tx_id is below the
--               oldest transaction still running (pg_snapshot_xmin), so an event that commits late
--               is never skipped (the technique of Emmett's PostgreSQL store).
-- stream_id     budget-<department>-<fiscalYear>: the unit of consistency and of optimistic concurrency.
-- content_hash  sha256 of the canonical content, to tell a duplicate (same eventId, same content)
--               from a conflict (same eventId, other content).
-- prev_hash/hash the per-stream tamper-evidence chain: hash = sha256(prev_hash || canonical row).
CREATE TABLE ledger_events (
  position        bigint      PRIMARY KEY,
  tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text        NOT NULL,
  stream_version  bigint      NOT NULL,
  event_id        text        NOT NULL,
  type            text        NOT NULL,
  effective_date  date        NOT NULL,
  correction      boolean     NOT NULL DEFAULT false,
  data            jsonb       NOT NULL,
  metadata        jsonb,
  recorded_at     timestamptz NOT NULL,
  content_hash    text        NOT NULL,
  prev_hash       text        NOT NULL,
  hash            text        NOT NULL,
  CONSTRAINT ledger_events_event_id_key UNIQUE (event_id),
  CONSTRAINT ledger_events_stream_version_key UNIQUE (stream_id, stream_version)
);

-- Stream heads: the last version and hash of each stream, updated in the appending transaction.
CREATE TABLE ledger_streams (
  stream_id   text        PRIMARY KEY,
  version     bigint      NOT NULL,
  last_hash   text        NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- Stored positions of named subscriptions, so that a follower resumes where it stopped.
CREATE TABLE ledger_checkpoints (
  subscription_id  text        PRIMARY KEY,
  position         bigint      NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The log is append-only: an UPDATE or DELETE is refused. (A superuser can still disable the
-- trigger; `ledger verify` recomputes the hash chain and finds what was changed.)
CREATE FUNCTION ledger_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER ledger_events_append_only
  BEFORE UPDATE OR DELETE ON ledger_events
  FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change();

CREATE TRIGGER ledger_events_no_truncate
  BEFORE TRUNCATE ON ledger_events
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change();
