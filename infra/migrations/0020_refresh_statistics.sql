-- The planner's statistics of the ledger's tables, refreshed by the ledger itself as its log grows
-- (PlannerStatistics, decision 0007). On a server, the ledger's statements are prepared: after a few
-- runs PostgreSQL keeps one generic plan per statement and connection, made with the statistics of
-- that moment, until an ANALYZE of its tables invalidates it. Made while the log was small, the
-- look-up of a batch's eventIds is a sequential scan of ledger_events, and where nothing analyzes
-- the tables (autovacuum off) it stays one: measured, the server's CPU per one-event append rose
-- from 1.8 ms to 5.0 ms over 16,000 appends, and kept rising with the log.
--
-- ANALYZE needs the tables' owner; the ledger may connect as a role of its own (0014), so this runs
-- as the owner. It analyzes ledger_events, and those of the owner's other tables in this schema
-- that changed by half since their last ANALYZE (autovacuum's rule, on its counters, which are kept
-- with autovacuum off too; an ANALYZE costs milliseconds even of an empty table). It answers
-- ledger_events' row count, from which the ledger times the next refresh. Of ledger_events, only
-- the columns its statements look up, join or order by: the statistics of the events' JSON and
-- hashes cost ten times as much to gather (114 ms against 10 ms at 25,000 events) and serve no plan.
CREATE FUNCTION ledger_refresh_statistics() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  t record;
BEGIN
  ANALYZE ledger_events (position, stream_id, stream_version, event_id, type, effective_date, recorded_at);
  FOR t IN
    SELECT c.relname FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
       AND c.relowner = current_user::regrole AND c.relname <> 'ledger_events'
       AND s.n_mod_since_analyze > 0 AND s.n_mod_since_analyze >= greatest(c.reltuples, 0) / 2
     ORDER BY c.relname
  LOOP
    EXECUTE format('ANALYZE %I', t.relname);
  END LOOP;
  RETURN (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'ledger_events'::regclass);
END $$;
