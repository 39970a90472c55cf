-- The access log (DESIGN.md §8) is evidence of who read and wrote what: like the event log, the
-- ledger's own role may add to it and read it, never change or remove a line of it (retention is
-- the owner's job). ledger_grant_app_role is replaced with the same grants as in 0014 plus that
-- one; openDatabase re-runs it after this migration when the two roles are set.
CREATE OR REPLACE FUNCTION ledger_grant_app_role(app_role text) RETURNS void LANGUAGE plpgsql AS $$
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
    IF t.relname IN ('ledger_events', 'ledger_access_log') THEN
      -- The log and the access log: read and append, never change.
      EXECUTE format('GRANT SELECT, INSERT ON TABLE %I TO %I', t.relname, app_role);
    ELSIF t.relname = 'ledger_migrations' THEN
      EXECUTE format('GRANT SELECT ON TABLE %I TO %I', t.relname, app_role);
    ELSE
      -- Stream heads, subscription positions, keys, sessions and projections (rebuild truncates these).
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLE %I TO %I', t.relname, app_role);
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO %I',
                 current_schema(), app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), app_role);
END
$$;
