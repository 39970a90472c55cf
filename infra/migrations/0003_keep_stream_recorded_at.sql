-- ledger_streams.updated_at has always held the transaction time of the stream's last append,
-- which is the recorded_at of its last event. PgEventStore now reads it under the stream's lock
-- and gives the next append a later recorded_at (the clock, or that time + 1 ms when the clock is
-- not past it), so that recorded_at strictly increases within a stream and "known at" the time of
-- one event never includes an event committed after it in the same millisecond. The name now
-- says what the column holds.
ALTER TABLE ledger_streams RENAME COLUMN updated_at TO last_recorded_at;
