-- Identifiers (event, stream, line and payment ids, department names) compared byte by byte.
-- Under the database's default collation every comparison in their B-trees goes through the
-- locale (strcoll), and an append makes several such index entries per event: the unique
-- eventId, the stream's (stream_id, stream_version), the movements' (line_id, position) and
-- (department, …). With COLLATE "C" they compare as bytes, which is also the order of code points
-- for UTF-8: ids sort the same on every server, whatever its locale, and on PGlite.
ALTER TABLE ledger_events
  ALTER COLUMN event_id TYPE text COLLATE "C",
  ALTER COLUMN stream_id TYPE text COLLATE "C";
ALTER TABLE ledger_streams ALTER COLUMN stream_id TYPE text COLLATE "C";
ALTER TABLE ledger_lines
  ALTER COLUMN line_id TYPE text COLLATE "C",
  ALTER COLUMN department TYPE text COLLATE "C";
ALTER TABLE ledger_movements
  ALTER COLUMN line_id TYPE text COLLATE "C",
  ALTER COLUMN department TYPE text COLLATE "C";
ALTER TABLE ledger_reversals ALTER COLUMN payment_event_id TYPE text COLLATE "C";
ALTER TABLE ledger_periods ALTER COLUMN department TYPE text COLLATE "C";
