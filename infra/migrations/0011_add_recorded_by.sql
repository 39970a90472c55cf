-- Who posted each event (an API key id, a token's subject, the CLI's user, the Kafka consumer's
-- identity). Beside the event, not in it: it is not part of the hashed content, so the same event
-- sent twice by two identities is still a duplicate. NULL for events stored before this column.
ALTER TABLE ledger_events ADD COLUMN recorded_by text;
