-- Who may write and who may read (DESIGN.md §8).
--
-- ledger_api_keys  one row per API key. Only the SHA-256 of the key is kept: the key itself is
--                  shown once, when it is made. A key is 256 random bits, so a plain hash is as
--                  strong as a slow one would be. revoked_at set = refused from then on;
--                  departments NULL = every department.
-- ledger_sessions  console sessions (POST /v1/session): the cookie carries a random token whose
--                  hash is kept here with the key it was opened with, so that revoking the key
--                  ends its sessions too.
-- ledger_access_log every HTTP request: when, who, what, and the answer's status.
CREATE TABLE ledger_api_keys (
  key_id       text        PRIMARY KEY,
  key_hash     text        NOT NULL,
  role         text        NOT NULL CHECK (role IN ('writer', 'analyst', 'auditor', 'admin')),
  departments  text[],
  name         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

CREATE TABLE ledger_sessions (
  token_hash  text        PRIMARY KEY,
  key_id      text        NOT NULL REFERENCES ledger_api_keys (key_id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE ledger_access_log (
  id        bigserial   PRIMARY KEY,
  at        timestamptz NOT NULL,
  identity  text,
  method    text        NOT NULL,
  path      text        NOT NULL,
  status    integer     NOT NULL
);
