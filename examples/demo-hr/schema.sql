-- The demo's "HR application": its own SQLite database, with the table the
-- demo-hr connector (connectors/demo-hr.yaml) provisions. `make run`
-- creates it in var/hr.db.
CREATE TABLE employees (
    login         TEXT PRIMARY KEY,
    first_name    TEXT,
    last_name     TEXT,
    email         TEXT,
    department    TEXT,
    password_hash TEXT,              -- bcrypt, written by Keyward
    portal_hash   TEXT,              -- the self-service portal's own check: sha256(login:password)
    locked        INTEGER NOT NULL DEFAULT 0,
    must_change   INTEGER NOT NULL DEFAULT 0
);
