import GRDB

extension SQLiteStore {
    /// The schema's migrations, in order. A migration, once released, never
    /// changes: a schema change is a new migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE identities (
                        username TEXT NOT NULL PRIMARY KEY,
                        given_name TEXT,
                        family_name TEXT,
                        email TEXT,
                        manager_email TEXT,
                        attributes TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE TABLE accounts (
                        username TEXT NOT NULL,
                        system TEXT NOT NULL,
                        uid TEXT NOT NULL,
                        state TEXT NOT NULL,
                        locked INTEGER,
                        must_change INTEGER,
                        updated_at REAL NOT NULL,
                        PRIMARY KEY (username, system)
                    );
                    CREATE INDEX accounts_system_uid ON accounts (system, uid);
                    CREATE TABLE operations (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        request_id TEXT NOT NULL,
                        requested_by TEXT NOT NULL,
                        system TEXT NOT NULL,
                        username TEXT NOT NULL,
                        uid TEXT NOT NULL,
                        action TEXT NOT NULL,
                        attributes TEXT NOT NULL DEFAULT '[]',
                        must_change INTEGER,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        next_attempt_at REAL NOT NULL,
                        interrupted INTEGER NOT NULL DEFAULT 0,
                        result_code TEXT,
                        result_message TEXT,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX operations_due ON operations (state, next_attempt_at);
                    CREATE INDEX operations_account ON operations (system, uid, id);
                    CREATE INDEX operations_username ON operations (username, id);
                    CREATE TABLE secrets (
                        operation_id INTEGER NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        key_id TEXT NOT NULL,
                        sealed BLOB NOT NULL,
                        PRIMARY KEY (operation_id, name)
                    );
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        username TEXT NOT NULL,
                        system TEXT,
                        uid TEXT,
                        operation_id INTEGER,
                        outcome TEXT NOT NULL,
                        message TEXT NOT NULL DEFAULT ''
                    );
                    CREATE INDEX audit_username_at ON audit (username, at);
                    CREATE INDEX audit_at ON audit (at);
                    """)
        }
        migrator.registerMigration("v2: set-password tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE set_password_tokens (
                        token_hash BLOB NOT NULL PRIMARY KEY,
                        username TEXT NOT NULL,
                        system TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        used_at REAL,
                        revoked_at REAL
                    );
                    CREATE INDEX set_password_tokens_account ON set_password_tokens (username, system);
                    """)
        }
        migrator.registerMigration("v3: API tokens and the notification outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE,
                        token_hash BLOB NOT NULL UNIQUE,
                        scopes TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL,
                        last_used_at REAL,
                        revoked_at REAL
                    );
                    CREATE TABLE notification_outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        username TEXT NOT NULL,
                        system TEXT NOT NULL,
                        request_id TEXT NOT NULL DEFAULT '',
                        waits_for TEXT NOT NULL DEFAULT '',
                        recipient_count INTEGER NOT NULL DEFAULT 0,
                        sealed_message BLOB NOT NULL,
                        key_id TEXT NOT NULL,
                        carries_secret INTEGER NOT NULL DEFAULT 0,
                        state TEXT NOT NULL DEFAULT 'waiting',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        created_at REAL NOT NULL,
                        last_error TEXT NOT NULL DEFAULT ''
                    );
                    CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at);
                    CREATE INDEX operations_open ON operations (system, uid, id)
                        WHERE state IN ('created', 'retrying', 'running');
                    """)
        }
        // The claim walks it in id order and stops at its batch, past
        // neither the history nor the whole backlog (see `claimCandidates`).
        migrator.registerMigration("v4: the index of claimable operations") { db in
            try db.execute(
                sql: """
                    CREATE INDEX operations_claimable ON operations (id)
                        WHERE state IN ('created', 'retrying');
                    """)
        }
        // SQLite checks a partial index's WHERE for every row written, and
        // codes an IN list of three or more values as a temporary B-tree,
        // built and dropped at each statement: about 6 µs on every insert of
        // an operation and every change of its state, on the one writer.
        // The same test as ORed comparisons costs none. A query uses the
        // index only when its WHERE holds this very expression
        // (`SQLiteStore.openStates`). PostgreSQL's index is unchanged.
        migrator.registerMigration("v5: the index of open operations without an IN list") { db in
            try db.execute(
                sql: """
                    DROP INDEX operations_open;
                    CREATE INDEX operations_open ON operations (system, uid, id)
                        WHERE state = 'created' OR state = 'retrying' OR state = 'running';
                    """)
        }
        return migrator
    }
}
