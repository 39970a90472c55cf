-- Least privilege (docs/decisions/0011-signed-checkpoints.md): the tables belong to the role that
-- migrates (MIGRATION_DATABASE_URL); the ledger itself connects as another role (DATABASE_URL)
-- that may read and append to the log, write the projections and its own bookkeeping, and nothing
-- else. Not being the owner, it cannot ALTER the log table (so cannot DISABLE its append-only
-- triggers), and not being a superuser it cannot SET session_replication_role either.
--
-- ledger_grant_app_role(role) is run by the migrating role after every migration when the two
-- roles differ (openDatabase does it), and by `ledger db setup-roles`. It recomputes the grants
-- of every table from scratch, so tables added by later migrations are covered too; default
-- privileges cover tables created in between.
CREATE FUNCTION ledger_grant_app_role(app_role text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role) THEN
    RAISE EXCEPTION 'role % does not exist (create it first: ledger db setup-roles)', app_role;
  END IF;
  IF app_role = current_user THEN
    RAISE EXCEPTION 'the ledger''s role % must not be the role that owns the tables', app_role;
  END IF;
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = app_role) THEN
    RAISE EXCEPTION 'the ledger''s role % is a superuser: it could switch the append-only guard off', app_role;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
  FOR t IN
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', t.relname, app_role);
    IF t.relname = 'ledger_events' THEN
      -- The log: read and append, never change.
      EXECUTE format('GRANT SELECT, INSERT ON TABLE %I TO %I', t.relname, app_role);
    ELSIF t.relname = 'ledger_migrations' THEN
      EXECUTE format('GRANT SELECT ON TABLE %I TO %I', t.relname, app_role);
    ELSE
      -- Stream heads, subscription positions and projections (rebuild truncates these).
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLE %I TO %I', t.relname, app_role);
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO %I',
                 current_schema(), app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), app_role);
END
$$;
